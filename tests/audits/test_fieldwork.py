"""The audit's fieldwork: walking audits (route drawn or typed, after dark, participants by group, checklist
per stop, photos without their metadata), private notes for the steering group only, police statistics from
a CSV (wrong columns or encoding: a clear message, nothing saved), and the moderated public consultation."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from audits import services
from audits.models import ConsultationComment, FieldNote, PoliceFigure, PoliceFigures, WalkPhoto, WalkSession
from audits.services import fieldwork as fw
from portal import roles

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def coordinator(make_user, municipality):
    return make_user(
        email="staff@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=municipality, language="en"
    )


@pytest.fixture
def audit(coordinator, municipality):
    audit = services.audit_create(
        actor=coordinator,
        municipality=municipality,
        title="Audit",
        starts_on=date(2026, 1, 1),
        report_due_on=date(2026, 12, 1),
    )
    services.audit_transition(audit=audit, action="gather_evidence", actor=coordinator)
    audit.refresh_from_db()
    return audit


@pytest.fixture
def staff(client, coordinator):
    client.force_login(coordinator)
    return client


def _walk_post(client, audit, **data):
    fields = {
        "form": "walk",
        "walk-title": "Station",
        "walk-held_at": "2026-11-20T19:30",
        "walk-after_dark": "on",
        "walk-route": "49.4405, 12.9298\n49.4410, 12.9310\n49.4420, 12.9320",
        "walk-p_residents": "8",
        "walk-p_seniors": "3",
        **{f"walk-{k}": v for k, v in data.items()},
    }
    return client.post(reverse("audits:fieldwork", args=[audit.pk]), fields, follow=True)


def test_a_walk_with_a_typed_route_stops_and_a_photo(staff, audit, settings, tmp_path):
    page = _walk_post(staff, audit).content.decode()
    walk = WalkSession.objects.get()
    assert walk.after_dark and walk.participants == {"residents": 8, "seniors": 3}
    assert len(walk.route.coords) == 3 and walk.route.coords[0] == pytest.approx((12.9298, 49.4405))
    assert "Station" in page and "after dark" in page
    url = reverse("audits:walk", args=[audit.pk, walk.pk])
    staff.post(
        url,
        {
            "form": "stop",
            "stop-label": "Underpass",
            "stop-lat": "49.441",
            "stop-lon": "12.931",
            "stop-c_lighting": "poor",
            "stop-c_escape": "fair",
            "stop-comment": "Two lamps out",
        },
    )
    stop = walk.stops.get()
    assert stop.checklist == {"lighting": "poor", "escape": "fair"} and stop.point.y == pytest.approx(49.441)
    # a photo with GPS in its EXIF: kept re-encoded, without it, geotagged with the stop instead
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x8825] = {2: (49.0, 26.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    upload = SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")
    staff.post(reverse("audits:walk_photo", args=[audit.pk, walk.pk, stop.pk]), {"photo": upload})
    photo = WalkPhoto.objects.get()
    data = photo.file.read()
    assert b"Exif" not in data and photo.point == stop.point
    page = staff.get(url).content.decode()
    assert (
        "Underpass" in page and "poor" in page and reverse("audits:photo", args=[audit.pk, photo.pk]) in page
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"route": "", "route_description": ""}, "Draw the route on the map, type its points or describe it"),
        ({"route": "49.44, 12.93"}, "A route needs at least two points."),
        ({"route": "49.44 12.93\n49.45, 12.94"}, "Point 1 is not “latitude, longitude”"),
        ({"route": "91, 12\n49, 12"}, "Point 1 lies outside the map."),
        ({"route": "\n".join(["49.1, 12.1"] * 201)}, "A route has at most 200 points."),
        ({"p_residents": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"p_residents": "100000"}, "Ensure this value is less than or equal to 500."),
        ({"held_at": "1900-01-01T10:00"}, "Give a date between 2000 and 2100."),
        ({"held_at": "yesterday"}, "Enter a valid date/time."),
        ({"title": "<script>" * 40}, "Ensure this value has at most 200 characters"),
    ],
)
def test_bad_walks_are_refused(staff, audit, data, message):
    page = _walk_post(staff, audit, **data).content.decode().replace("&#x27;", "'").replace("&quot;", "“")
    assert message in page.replace("&quot;", '"') or message in page
    assert not WalkSession.objects.exists()


def test_a_route_in_words_is_enough_without_a_map(staff, audit):
    _walk_post(staff, audit, route="", route_description="From the station to the park")
    assert WalkSession.objects.get().route is None


def test_bad_stops_and_photos_are_refused(staff, audit, coordinator):
    walk = fw.walk_add(
        actor=coordinator,
        audit=audit,
        title="W",
        held_at=timezone.now(),
        after_dark=False,
        route_description="r",
    )
    url = reverse("audits:walk", args=[audit.pk, walk.pk])
    page = staff.post(url, {"form": "stop", "stop-label": "X"}).content.decode()
    assert "Rate at least one item of the checklist." in page
    page = staff.post(
        url, {"form": "stop", "stop-label": "X", "stop-c_lighting": "splendid"}
    ).content.decode()
    assert "Select a valid choice." in page
    page = staff.post(
        url, {"form": "stop", "stop-label": "X", "stop-c_lighting": "good", "stop-lat": "49"}
    ).content.decode()
    assert "Give both latitude and longitude, or neither." in page
    assert not walk.stops.exists()
    stop = fw.walk_stop_add(actor=coordinator, walk=walk, label="S", checklist={"lighting": "good"})
    for name, content in (("x.html", b"<html><script>"), ("doc.pdf", b"%PDF-1.4 test")):
        page = staff.post(
            reverse("audits:walk_photo", args=[audit.pk, walk.pk, stop.pk]),
            {"photo": SimpleUploadedFile(name, content)},
            follow=True,
        ).content.decode()
        assert "is not a photo (JPEG, PNG)." in page
    assert not WalkPhoto.objects.exists()


def test_private_notes_are_for_the_steering_group_only(
    client, coordinator, audit, make_user, other_municipality
):
    member_user = make_user(email="police@example.org", roles=[roles.OFFICER], language="en")
    member = services.steering_member_add(
        actor=coordinator, audit=audit, name="P. Malý", organisation="Police", kind="police"
    )
    fw.note_add(
        actor=coordinator,
        audit=audit,
        kind=FieldNote.Kind.INTERVIEW,
        held_on=date(2026, 3, 1),
        title="Shop owner",
        text="SECRET-INTERVIEW-TEXT",
    )
    url = reverse("audits:notes", args=[audit.pk])
    assert client.get(url).status_code == 302
    client.force_login(member_user)
    assert client.get(url).status_code == 403  # not linked yet
    fw.steering_member_link(actor=coordinator, member=member, email="POLICE@example.org")
    page = client.get(url)
    assert page.status_code == 200 and "SECRET-INTERVIEW-TEXT" in page.content.decode()
    assert client.post(url, {"note-kind": "interview"}).status_code == 403  # members read, they do not write
    stranger = make_user(
        email="o@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=other_municipality, language="en"
    )
    client.force_login(stranger)
    assert client.get(url).status_code == 403
    # the published summary and the PDF's context never carry the notes
    from audits.report import report_context

    assert "SECRET-INTERVIEW-TEXT" not in str(report_context(audit=audit, language="en"))


def test_linking_an_unknown_account_is_refused(staff, coordinator, audit):
    member = services.steering_member_add(
        actor=coordinator, audit=audit, name="N", organisation="O", kind="town"
    )
    page = staff.post(
        reverse("audits:member_link", args=[audit.pk, member.pk]),
        {"email": "nobody@example.org"},
        follow=True,
    ).content.decode()
    assert "No Okrsek account has this email address." in page
    member.refresh_from_db()
    assert member.user is None


def _csv(staff, audit, content: bytes, source="Policie ČR, KŘP Plzeňského kraje, 2025"):
    return staff.post(
        reverse("audits:fieldwork", args=[audit.pk]),
        {"form": "police", "police-file": SimpleUploadedFile("f.csv", content), "police-source": source},
        follow=True,
    ).content.decode()


def test_police_statistics_from_a_csv(staff, audit):
    page = _csv(
        staff,
        audit,
        "district;period;offence;count\nCentrum;2025;krádeže;41\nSever;2025;krádeže;12\n".encode(),
    )
    assert "2 rows of police statistics saved." in page
    assert sorted(PoliceFigure.objects.values_list("district", "count")) == [("Centrum", 41), ("Sever", 12)]
    assert "Policie ČR, KŘP Plzeňského kraje, 2025" in page and "krádeže" in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"okrsek,obdobi,trestny_cin,pocet\nA,2025,x,1\n",
            "The columns must be: district, period, offence, count.",
        ),
        (
            "district;period;offence;count\nCentrum;2025;krádeže;41\n".encode("cp1250"),
            "The file is not in UTF-8.",
        ),
        (
            b"district,period,offence,count\nA,2025,x,1\nB,2025,y,-3\n",
            "Line 3: the count is not a whole number",
        ),
        (b"district,period,offence,count\nA,2025,x\n", "Line 2 does not have four columns."),
        (b"district,period,offence,count\n", "The file has no figures."),
        (b"", "The submitted file is empty."),
        (b"PK\x03\x04\x00\x00 (an XLSX file)", "This is not a CSV file."),
    ],
)
def test_bad_police_csvs_save_nothing(staff, audit, content, message):
    page = _csv(staff, audit, content).replace("&#x27;", "'")
    assert message in page
    assert not PoliceFigures.objects.exists() and not PoliceFigure.objects.exists()


def test_a_police_csv_needs_its_source(staff, audit):
    page = _csv(staff, audit, b"district,period,offence,count\nA,2025,x,1\n", source="")
    assert "Say where the figures come from." in page and not PoliceFigures.objects.exists()


def test_the_consultation_on_the_draft_findings(client, coordinator, audit, time_machine):
    time_machine.move_to("2026-12-08 10:00")
    finding = services.finding_add(
        actor=coordinator, audit=audit, text="Dark underpass", evidence="walk", evidence_note="n"
    )
    services.audit_transition(audit=audit, action="diagnose", actor=coordinator)
    audit.refresh_from_db()
    url = reverse("audits:consultation", args=[audit.pk])
    assert client.get(url).status_code == 404  # no window set
    client.force_login(coordinator)
    page = client.post(
        reverse("audits:consultation_set", args=[audit.pk]),
        {"consult-opens_on": "2026-12-10", "consult-closes_on": "2026-12-01"},
        follow=True,
    ).content.decode()
    assert "The consultation cannot close before it opens." in page
    client.post(
        reverse("audits:consultation_set", args=[audit.pk]),
        {"consult-opens_on": "2026-12-07", "consult-closes_on": "2026-12-21"},
    )
    client.logout()
    page = client.post(
        url, {"text": "<script>alert(1)</script> More light please", "finding": finding.pk}, follow=True
    )
    assert "Your comment will appear once it has been checked." in page.content.decode()
    assert "More light please" not in page.content.decode()  # not before moderation
    assert "Write your comment." in client.post(url, {"text": "   "}).content.decode()
    assert "Ensure this value has at most 1000 characters" in client.post(
        url, {"text": "x" * 1001}
    ).content.decode().replace("&#x27;", "'")
    comment = ConsultationComment.objects.get()
    client.force_login(coordinator)
    assert "More light please" in client.get(reverse("audits:audit", args=[audit.pk])).content.decode()
    client.post(reverse("audits:comment_moderate", args=[audit.pk, comment.pk]), {"status": "approved"})
    client.logout()
    page = client.get(url).content.decode()
    assert "More light please" in page and "<script>alert(1)</script>" not in page
    for _ in range(4):
        client.post(url, {"text": "again"})
    assert (
        "Too many comments from this network today."
        in client.post(url, {"text": "one more"}).content.decode()
    )
    time_machine.move_to("2026-12-22 10:00")
    page = client.post(url, {"text": "late"}).content.decode()
    assert "The consultation is not open." in page
    assert ConsultationComment.objects.count() == 5


def test_fieldwork_is_the_coordinators(client, audit, make_user, other_municipality):
    stranger = make_user(
        email="o@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=other_municipality, language="en"
    )
    client.force_login(stranger)
    assert client.get(reverse("audits:fieldwork", args=[audit.pk])).status_code == 403
    assert _walk_post(client, audit).status_code == 403 and not WalkSession.objects.exists()


def test_fieldwork_closes_after_the_diagnosis(staff, coordinator, audit):
    finding = services.finding_add(
        actor=coordinator, audit=audit, text="F", evidence="walk", evidence_note="n"
    )
    services.audit_transition(audit=audit, action="diagnose", actor=coordinator)
    audit.refresh_from_db()
    services.priority_add(actor=coordinator, audit=audit, title="P", rationale="R", findings=[finding])
    services.audit_transition(audit=audit, action="plan", actor=coordinator)
    page = _walk_post(staff, audit).content.decode()
    assert "This is not possible in the phase action plan." in page and not WalkSession.objects.exists()


def test_a_finding_rests_on_the_audits_own_walk_or_police_figures(
    staff, coordinator, audit, make_user, other_municipality
):
    walk = fw.walk_add(
        actor=coordinator,
        audit=audit,
        title="Night walk",
        held_at=timezone.now(),
        after_dark=True,
        route_description="r",
    )
    upload = fw.police_figures_import(
        actor=coordinator,
        audit=audit,
        data=b"district,period,offence,count\nA,2025,x,1\n",
        filename="f",
        source="KRP 2025",
    )
    other_staff = make_user(
        email="o@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=other_municipality, language="en"
    )
    other = services.audit_create(
        actor=other_staff,
        municipality=other_municipality,
        title="O",
        starts_on=date(2026, 1, 1),
        report_due_on=date(2026, 2, 1),
    )
    services.audit_transition(audit=other, action="gather_evidence", actor=other_staff)
    foreign = fw.walk_add(
        actor=other_staff,
        audit=other,
        title="Theirs",
        held_at=timezone.now(),
        after_dark=False,
        route_description="r",
    )
    url = reverse("audits:audit", args=[audit.pk])
    data = {
        "form": "finding",
        "finding-text": "Dark",
        "finding-evidence": "walk",
        "finding-evidence_note": "n",
    }
    page = staff.post(url, {**data, "finding-walk": foreign.pk}).content.decode()
    assert "Select a valid choice." in page and not audit.findings.exists()
    staff.post(url, {**data, "finding-walk": walk.pk, "finding-police_figures": upload.pk})
    finding = audit.findings.get()
    assert (finding.walk, finding.police_figures) == (walk, upload)
    assert "Night walk" in staff.get(url).content.decode()
