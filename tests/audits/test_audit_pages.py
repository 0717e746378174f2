"""The audit cycle's pages: who sees what (the public, the town's coordinator, staff of another town), the
forms of each phase with careless and hostile input, the phase moves, the PDF and the public pages."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audits import services
from audits.models import Action, Audit, AuditReport, Finding, Priority, SteeringMember
from audits.services.audit_reports import audit_report_build_now
from audits.workflow import AuditPhase
from portal import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(make_user, municipality):
    return make_user(
        email="staff@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=municipality, language="en"
    )


@pytest.fixture
def stranger(make_user, other_municipality):
    return make_user(
        email="other@example.org",
        roles=[roles.MUNICIPAL_STAFF],
        municipality=other_municipality,
        language="en",
    )


@pytest.fixture
def audit(coordinator, municipality):
    return services.audit_create(
        actor=coordinator,
        municipality=municipality,
        title="Audit Domažlice 2026",
        starts_on=date(2026, 1, 1),
        report_due_on=date(2026, 12, 1),
    )


@pytest.fixture
def staff_client(client, coordinator):
    client.force_login(coordinator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _to(audit, actor, *actions):
    for action in actions:
        services.audit_transition(audit=audit, action=action, actor=actor)
    audit.refresh_from_db()


def _post(client, audit, form, **data):
    payload = {"form": form, **{f"{form}-{key}": value for key, value in data.items()}}
    return client.post(reverse("audits:audit", args=[audit.pk]), payload, follow=True)


def _page(client, audit):
    return client.get(reverse("audits:audit", args=[audit.pk])).content.decode()


# --- permissions ------------------------------------------------------------------------------------------


def test_the_staff_pages_are_the_towns_coordinators_only(client, audit, coordinator, stranger, make_user):
    urls = [
        reverse("audits:audit", args=[audit.pk]),
        reverse("audits:evidence", args=[audit.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # the public: to the login page
    client.force_login(stranger)
    for url in urls:
        assert client.get(url).status_code == 403
    # another town's staff cannot move it either, nor add to it
    assert client.post(reverse("audits:audit_action", args=[audit.pk, "gather_evidence"])).status_code == 403
    assert _post(client, audit, "member", name="X", organisation="Y", kind="town").status_code == 403
    # a resident with an account in the town, without the staff role
    resident = make_user(email="resident@example.org", municipality=audit.municipality)
    client.force_login(resident)
    assert client.get(urls[0]).status_code == 403
    assert client.get(reverse("audits:audits")).status_code == 403
    client.force_login(coordinator)
    for url in urls:
        assert client.get(url).status_code == 200
    audit.refresh_from_db()
    assert audit.phase == AuditPhase.SETUP and not SteeringMember.objects.exists()


def test_the_list_shows_only_the_towns_audits(staff_client, audit, stranger, other_municipality):
    services.audit_create(
        actor=stranger,
        municipality=other_municipality,
        title="Audit Rokycany",
        starts_on=date(2026, 1, 1),
        report_due_on=date(2026, 12, 1),
    )
    page = staff_client.get(reverse("audits:audits")).content.decode()
    assert "Audit Domažlice 2026" in page and "Audit Rokycany" not in page


def test_unpublished_audits_do_not_exist_for_the_public(client, audit, municipality):
    assert client.get(reverse("audits:audit_summary", args=[audit.pk])).status_code == 404
    page = client.get(reverse("audits:town_audits", args=[municipality.pk])).content.decode()
    assert "Audit Domažlice 2026" not in page
    assert "has not published an audit yet" in page


# --- the cycle through the pages --------------------------------------------------------------------------


def test_a_coordinator_takes_an_audit_from_set_up_to_a_published_report(
    staff_client, audit, client, django_capture_on_commit_callbacks
):
    page = _post(
        staff_client,
        audit,
        "setup",
        title="Audit Domažlice 2026",
        themes="public space, night life",
        area="the whole town",
        starts_on="2026-01-01",
        report_due_on="2026-12-01",
        reaudit_on="2029-01-01",
    ).content.decode()
    assert "The set-up was saved." in page
    _post(staff_client, audit, "member", name="Jana Nová", organisation="Town", kind="town", role="chair")
    assert list(audit.steering_group.values_list("name", "role")) == [("Jana Nová", "chair")]
    audit.refresh_from_db()
    stale = staff_client.post(
        reverse("audits:audit_action", args=[audit.pk, "gather_evidence"]),
        {"version": audit.version + 5},
        follow=True,
    ).content.decode()
    assert "The audit was changed meanwhile." in stale
    staff_client.post(
        reverse("audits:audit_action", args=[audit.pk, "gather_evidence"]), {"version": audit.version}
    )
    audit.refresh_from_db()
    assert audit.phase == AuditPhase.EVIDENCE
    page = _post(
        staff_client, audit, "finding", text="Dark underpass", evidence="walk", evidence_note="walk 12 March"
    ).content.decode()
    assert "Dark underpass" in page
    _to(audit, audit_coordinator(audit), "diagnose")
    finding = audit.findings.get()
    _post(
        staff_client, audit, "priority", title="Lighting", rationale="Fear after dark", findings=[finding.pk]
    )
    _to(audit, audit_coordinator(audit), "plan")
    priority = audit.priorities.get()
    _post(
        staff_client,
        audit,
        "action",
        priority=priority.pk,
        title="Light the underpass",
        owner="Town",
        deadline="2027-06-30",
        cost="450000",
        seeking_grant="on",
    )
    _post(
        staff_client,
        audit,
        "indicator",
        priority=priority.pk,
        name="% safe after dark",
        baseline="48 %",
        target="60 %",
        source="survey 2028",
    )
    action = Action.objects.get()
    assert (action.cost, action.seeking_grant) == (450000, True)
    staff_client.post(reverse("audits:action_status", args=[audit.pk, action.pk]), {"status": "in_progress"})
    action.refresh_from_db()
    assert action.status == "in_progress"
    _to(audit, audit_coordinator(audit), "write_report")
    # publishing without a PDF is refused with a message
    page = staff_client.post(
        reverse("audits:audit_action", args=[audit.pk, "publish"]), {"version": audit.version}, follow=True
    ).content.decode()
    assert "Build the report&#x27;s PDF before publishing it." in page
    # the build runs in the task after commit (eager in tests)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("audits:report_request", args=[audit.pk]), {"language": "en"})
    report = AuditReport.objects.get()
    assert report.status == AuditReport.Status.DONE and report.pages >= 4
    pdf = staff_client.get(reverse("audits:report_download", args=[audit.pk, report.pk]))
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF")
    staff_client.post(reverse("audits:audit_action", args=[audit.pk, "publish"]), {"version": audit.version})
    audit.refresh_from_db()
    assert audit.phase == AuditPhase.PUBLISHED
    # the public sees the summary and the PDF, not the staff page
    public = type(client)(HTTP_ACCEPT_LANGUAGE="en")
    page = public.get(reverse("audits:audit_summary", args=[audit.pk])).content.decode()
    assert "Light the underpass" in page and "48 %" in page and "seeking a grant" in page
    assert public.get(reverse("audits:audit_pdf", args=[audit.pk, report.pk])).status_code == 200
    town = public.get(reverse("audits:town_audits", args=[audit.municipality_id])).content.decode()
    assert "Audit Domažlice 2026" in town and "Lighting" in town
    assert public.get(reverse("audits:audit", args=[audit.pk])).status_code == 302


def audit_coordinator(audit):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(email="staff@example.org")


# --- bad input: every form ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"report_due_on": "2025-01-01"}, "The report cannot be due before the audit starts."),
        ({"reaudit_on": "2026-06-01"}, "The re-audit comes after the report."),
        ({"starts_on": "1999-12-31"}, "Give a date between 2000 and 2100."),
        ({"starts_on": "31. 2. 2026"}, "Enter a valid date."),
        ({"themes": "x" * 2001}, "Ensure this value has at most 2000 characters"),
    ],
)
def test_bad_set_up_is_refused_and_nothing_saved(staff_client, audit, data, message):
    fields = {
        "title": "New title",
        "themes": "t",
        "area": "a",
        "starts_on": "2026-01-01",
        "report_due_on": "2026-12-01",
        "reaudit_on": "",
        **data,
    }
    page = _post(staff_client, audit, "setup", **fields).content.decode()
    assert message in page.replace("&#x27;", "'")
    assert Audit.objects.get(pk=audit.pk).title == "Audit Domažlice 2026"


def test_scripts_are_shown_as_text(staff_client, audit):
    _post(
        staff_client, audit, "member", name="<script>alert(1)</script>", organisation="<b>x</b>", kind="town"
    )
    page = _page(staff_client, audit)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "organisation": "Town", "kind": "town"},
        {"name": "x" * 201, "organisation": "Town", "kind": "town"},
        {"name": "Jana", "organisation": "Town", "kind": "mafia"},
    ],
)
def test_bad_members_are_refused(staff_client, audit, data):
    page = _post(staff_client, audit, "member", **data).content.decode()
    assert "field-error" in page and not SteeringMember.objects.exists()


def test_a_form_of_another_phase_is_refused(staff_client, audit):
    page = _post(
        staff_client, audit, "finding", text="Too early", evidence="walk", evidence_note="x"
    ).content.decode()
    assert "This is not possible in the phase set-up." in page and not Finding.objects.exists()
    page = _post(staff_client, audit, "nonsense", x="y").content.decode()
    assert "This is not possible in the phase" in page


def test_bad_findings_are_refused(staff_client, audit, coordinator):
    _to(audit, coordinator, "gather_evidence")
    for data in (
        {"text": "", "evidence": "walk", "evidence_note": "x"},
        {"text": "x" * 2001, "evidence": "walk", "evidence_note": "x"},
        {"text": "ok", "evidence": "gossip", "evidence_note": "x"},
        {"text": "ok", "evidence": "walk", "evidence_note": ""},
        {"text": "ok", "evidence": "survey", "evidence_note": "x", "wave": "999"},
    ):
        page = _post(staff_client, audit, "finding", **data).content.decode()
        assert "field-error" in page
    assert not Finding.objects.exists()


def test_priorities_need_findings_and_stop_at_seven(staff_client, audit, coordinator, other_municipality):
    _to(audit, coordinator, "gather_evidence")
    finding = services.finding_add(
        actor=coordinator, audit=audit, text="F", evidence="walk", evidence_note="n"
    )
    _to(audit, coordinator, "diagnose")
    page = _post(staff_client, audit, "priority", title="P", rationale="R").content.decode()
    assert "Choose at least one finding." in page
    page = _post(staff_client, audit, "priority", title="P", rationale="R", findings=["999"]).content.decode()
    assert "field-error" in page and not Priority.objects.exists()
    for n in range(7):
        _post(staff_client, audit, "priority", title=f"P{n}", rationale="R", findings=[finding.pk])
    assert audit.priorities.count() == 7
    assert "The audit has its 7 priorities." in _page(staff_client, audit)
    page = _post(
        staff_client, audit, "priority", title="P8", rationale="R", findings=[finding.pk]
    ).content.decode()
    assert "An audit has at most 7 priorities." in page and audit.priorities.count() == 7


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cost": "-5"}, "Ensure this value is greater than or equal to 0."),
        ({"cost": "NaN"}, "Enter a number."),
        ({"cost": "1e30"}, "Ensure that there are no more than 12 digits in total."),
        ({"cost": "9999999999999"}, "Ensure that there are no more than 12 digits in total."),
        ({"deadline": "2300-01-01"}, "Give a date between 2000 and 2100."),
        ({"owner": ""}, "This field is required."),
        ({"priority": "999"}, "Select a valid choice."),
    ],
)
def test_bad_actions_are_refused(staff_client, audit, coordinator, data, message):
    _to(audit, coordinator, "gather_evidence")
    finding = services.finding_add(
        actor=coordinator, audit=audit, text="F", evidence="walk", evidence_note="n"
    )
    _to(audit, coordinator, "diagnose")
    priority = services.priority_add(
        actor=coordinator, audit=audit, title="P", rationale="R", findings=[finding]
    )
    _to(audit, coordinator, "plan")
    fields = {
        "priority": priority.pk,
        "title": "A",
        "owner": "Town",
        "deadline": "2027-01-01",
        "cost": "",
        **data,
    }
    page = _post(staff_client, audit, "action", **fields).content.decode()
    assert message in page.replace("&#x27;", "'") and not Action.objects.exists()
    page = _post(
        staff_client, audit, "indicator", priority=priority.pk, name="", baseline="", target="", source=""
    )
    assert "This field is required." in page.content.decode() and not priority.indicators.exists()
    response = staff_client.post(reverse("audits:action_status", args=[audit.pk, 999]), {"status": "done"})
    assert response.status_code == 404


def test_a_bad_status_or_language_is_refused(staff_client, audit, coordinator):
    _to(audit, coordinator, "gather_evidence")
    finding = services.finding_add(
        actor=coordinator, audit=audit, text="F", evidence="walk", evidence_note="n"
    )
    _to(audit, coordinator, "diagnose")
    priority = services.priority_add(
        actor=coordinator, audit=audit, title="P", rationale="R", findings=[finding]
    )
    _to(audit, coordinator, "plan")
    action = services.action_add(
        actor=coordinator, priority=priority, title="A", owner="T", deadline=date(2027, 1, 1)
    )
    page = staff_client.post(
        reverse("audits:action_status", args=[audit.pk, action.pk]), {"status": "<script>"}, follow=True
    ).content.decode()
    assert "Choose a status from the list." in page
    action.refresh_from_db()
    assert action.status == "planned"
    page = staff_client.post(
        reverse("audits:report_request", args=[audit.pk]), {"language": "xx"}, follow=True
    ).content.decode()
    assert "Choose a language from the list." in page and not AuditReport.objects.exists()
    # too early for a report
    page = staff_client.post(
        reverse("audits:report_request", args=[audit.pk]), {"language": "en"}, follow=True
    ).content.decode()
    assert "This is not possible in the phase action plan." in page and not AuditReport.objects.exists()


def test_a_second_click_builds_the_report_once(audit, coordinator, django_capture_on_commit_callbacks):
    audit.phase = AuditPhase.REPORT
    audit.save()
    from audits.services.audit_reports import audit_report_build, audit_report_request

    with django_capture_on_commit_callbacks() as callbacks:
        first, created = audit_report_request(actor=coordinator, audit=audit, language="cs")
        second, again = audit_report_request(actor=coordinator, audit=audit, language="cs")
    assert created and not again and first.pk == second.pk and len(callbacks) == 1
    assert audit_report_build(report_id=first.pk) is True
    assert audit_report_build(report_id=first.pk) is False  # a duplicate delivery builds nothing
    report = audit_report_build_now(actor=coordinator, audit=audit, language="cs")
    assert report.edition == 2


def test_dates_in_the_timetable_are_bounded(coordinator, municipality):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.audit_create(
            actor=coordinator,
            municipality=municipality,
            title="T",
            starts_on=date(2026, 1, 1),
            report_due_on=date(2026, 1, 1) + timedelta(days=365 * 200),
        )
    assert not Audit.objects.exists()


def test_the_sweep_builds_a_lost_edition_and_fails_a_dead_build(audit, coordinator, time_machine):
    from audits.services.audit_reports import audit_report_request, audit_reports_sweep

    time_machine.move_to("2026-12-08 10:00")
    audit.phase = AuditPhase.REPORT
    audit.save()
    lost, _created = audit_report_request(
        actor=coordinator, audit=audit, language="cs"
    )  # on_commit never ran
    assert audit_reports_sweep() == {"failed": 0, "requeued": 0}  # too early to tell
    time_machine.move_to("2026-12-08 10:02")
    assert audit_reports_sweep() == {"failed": 0, "requeued": 1}  # queued again: built (eager worker)
    lost.refresh_from_db()
    assert lost.status == AuditReport.Status.DONE
    dead = AuditReport.objects.create(
        audit=audit, language="en", edition=1, status=AuditReport.Status.BUILDING, started_at=timezone.now()
    )
    time_machine.move_to("2026-12-08 10:08")
    assert audit_reports_sweep() == {"failed": 1, "requeued": 0}
    assert audit_reports_sweep() == {"failed": 0, "requeued": 0}  # twice: nothing more
    dead.refresh_from_db()
    assert dead.status == AuditReport.Status.FAILED


def test_the_sweep_runs_every_minute(settings):
    from portal.celery import app

    [entry] = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "audits.tasks.audit_reports_sweep"
    ]
    assert entry["schedule"] == 60.0 and "audits.tasks.audit_reports_sweep" in app.tasks
