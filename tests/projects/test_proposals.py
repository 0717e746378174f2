"""A town drafts, completes and submits a proposal; the content is then locked."""

import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from portal.models import Notification
from projects import services
from projects.models import BudgetLine, Proposal, ProposalAttachment
from projects.workflow import Status

from .factories import complete_fields, complete_lines, make_proposal


def _draft(call, town, staff, **changes):
    proposal = services.proposal_create(call=call, municipality=town, actor=staff, title="Bezpečná škola")
    fields = {**complete_fields(call), **changes}
    services.proposal_update(proposal=proposal, actor=staff, fields=fields, budget_lines=complete_lines(call))
    return proposal


@pytest.mark.django_db
def test_member_town_drafts_and_submits_and_the_manager_is_told(call, town, staff, manager):
    proposal = _draft(call, town, staff)

    services.proposal_submit(proposal=proposal, actor=staff)

    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED and proposal.submitted_at
    mail = Notification.objects.get(kind="projects_proposal_submitted")
    assert mail.to_email == manager.email and mail.language == "en"
    assert "Domažlice" in mail.subject and "90 000" in mail.body_text
    # Locked: no more changes, no attachments
    with pytest.raises(ValidationError):
        services.proposal_update(proposal=proposal, actor=staff, fields={"title": "Jiný"}, budget_lines=[])
    with pytest.raises(ValidationError):
        services.proposal_submit(proposal=proposal, actor=staff)
    assert Proposal.objects.get(pk=proposal.pk).title == "Kamerový bod na náměstí"


@pytest.mark.django_db
def test_only_staff_of_a_member_town_may_propose(call, town, staff, other_municipality, make_user, manager):
    from portal import roles

    outsider = make_user(email="cizi@obec.cz", roles=[roles.MUNICIPAL_STAFF], municipality=other_municipality)
    with pytest.raises(ValidationError, match="member towns"):  # Rokycany has not joined this programme
        services.proposal_create(call=call, municipality=other_municipality, actor=outsider, title="X")
    with pytest.raises(PermissionDenied):  # staff of another town
        services.proposal_create(call=call, municipality=town, actor=outsider, title="X")
    with pytest.raises(PermissionDenied):  # the manager does not write towns' proposals
        services.proposal_create(call=call, municipality=town, actor=manager, title="X")
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_submission_checks_everything_at_once(call, town, staff):
    proposal = services.proposal_create(call=call, municipality=town, actor=staff, title="Neúplný")
    with pytest.raises(ValidationError) as error:
        services.proposal_submit(proposal=proposal, actor=staff)
    problems = " ".join(error.value.messages)
    for expected in ("local need", "goals", "activities", "timetable", "start and the end", "budget line"):
        assert expected in problems
    assert Proposal.objects.get(pk=proposal.pk).status == Status.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("requested", "lines", "message"),
    [
        # The requested amount must be the total minus the town's part
        (Decimal("95000"), None, "must equal"),
        # Above the call's maximum per proposal (300 000)
        (Decimal("310000"), [(Decimal("345000"), Decimal("35000"))], "at most 300 000"),
        # The town pays 5 % instead of the call's 10 %
        (Decimal("95000"), [(Decimal("100000"), Decimal("5000"))], "at least 10"),
    ],
)
def test_submission_checks_sums_and_limits(call, town, staff, requested, lines, message):
    cost = call.eligible_costs.first()
    budget = complete_lines(call)
    if lines:
        budget = [{"eligible_cost": cost, "item": "X", "amount": a, "cofinancing": c} for a, c in lines]
    proposal = services.proposal_create(call=call, municipality=town, actor=staff, title="X")
    services.proposal_update(
        proposal=proposal,
        actor=staff,
        fields={**complete_fields(call), "requested_amount": requested},
        budget_lines=budget,
    )
    if lines is None:
        # The service derives the amount from the lines now: a mismatch is only a stale stored amount (a
        # draft saved before that), which submission still refuses
        Proposal.objects.filter(pk=proposal.pk).update(requested_amount=requested)
    with pytest.raises(ValidationError, match=message):
        services.proposal_submit(proposal=proposal, actor=staff)
    assert Proposal.objects.get(pk=proposal.pk).status == Status.DRAFT


@pytest.mark.django_db
def test_submission_window(call, town, staff):
    proposal = _draft(call, town, staff)
    with (
        time_machine.travel(call.closes_at + timedelta(seconds=1)),
        pytest.raises(ValidationError, match="closed"),
    ):
        services.proposal_submit(proposal=proposal, actor=staff)
    with (
        time_machine.travel(call.opens_at - timedelta(days=1)),
        pytest.raises(ValidationError, match="opens"),
    ):
        services.proposal_submit(proposal=proposal, actor=staff)
    with time_machine.travel(call.closes_at - timedelta(minutes=1)):
        services.proposal_submit(proposal=proposal, actor=staff)
    assert Proposal.objects.get(pk=proposal.pk).status == Status.SUBMITTED


@pytest.mark.django_db
def test_budget_lines_are_replaced_and_checked(call, town, staff, programme):
    from .factories import make_call

    foreign_cost = make_call(programme, year=2030).eligible_costs.first()
    proposal = _draft(call, town, staff)
    with pytest.raises(ValidationError, match="does not pay for"):
        services.proposal_update(
            proposal=proposal,
            actor=staff,
            fields={},
            budget_lines=[
                {"eligible_cost": foreign_cost, "item": "X", "amount": Decimal(1), "cofinancing": 0}
            ],
        )
    with pytest.raises(ValidationError):  # the town's part above the cost
        services.proposal_update(
            proposal=proposal,
            actor=staff,
            fields={},
            budget_lines=[
                {"eligible_cost": None, "item": "X", "amount": Decimal(100), "cofinancing": Decimal(200)}
            ],
        )
    # Nothing half-saved: the old line is still there
    assert list(BudgetLine.objects.filter(proposal=proposal).values_list("item", flat=True)) == ["Cameras"]


@pytest.mark.django_db
def test_two_people_saving_one_draft(call, town, staff):
    proposal = _draft(call, town, staff)
    version = Proposal.objects.get(pk=proposal.pk).version
    services.proposal_update(
        proposal=proposal, actor=staff, fields={"title": "První"}, budget_lines=[], expected_version=version
    )
    with pytest.raises(ValidationError, match="Someone else"):
        services.proposal_update(
            proposal=proposal,
            actor=staff,
            fields={"title": "Druhý"},
            budget_lines=[],
            expected_version=version,
        )
    assert Proposal.objects.get(pk=proposal.pk).title == "První"


@pytest.mark.django_db
def test_town_report_figures_are_cited_as_a_snapshot(call, town, staff, police_unit):
    from django.contrib.gis.geos import Point

    from incidents.models import Category, Report

    public = Category.objects.create(
        code="vandalism",
        group="public_order",
        name_cs="vandalismus",
        name_pl="wandalizm",
        name_en="vandalism",
    )
    hidden = Category.objects.create(
        code="minors", group="social", name_cs="nezletilí", name_pl="nieletni", name_en="minors", public=False
    )
    common = {"point": Point(12.93, 49.44, srid=4326), "take_up_due_at": timezone.now(), "municipality": town}
    Report.objects.create(token_hash="1", category=public, status="confirmed", **common)
    Report.objects.create(token_hash="2", category=public, status="new", **common)
    Report.objects.create(token_hash="3", category=hidden, **common)
    Report.objects.create(
        token_hash="4", category=public, created_at=timezone.now() - timedelta(days=400), **common
    )

    proposal = _draft(call, town, staff, cite_reports=True)

    evidence = Proposal.objects.get(pk=proposal.pk).evidence
    assert evidence["total"] == 2  # the person-related category and the old report are left out
    assert evidence["rows"][0]["names"]["cs"] == "vandalismus"
    assert evidence["rows"][0]["by_status"] == {"confirmed": 1, "new": 1}


def _png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, "red")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    image.save(out, format="PNG", exif=exif)
    return out.getvalue()


@pytest.mark.django_db
def test_attachments_pdf_and_photo_accepted_others_refused(call, town, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    proposal = _draft(call, town, staff)

    pdf = services.attachment_add(
        proposal=proposal, actor=staff, upload=SimpleUploadedFile("rozpočet.pdf", b"%PDF-1.4 test")
    )
    photo = services.attachment_add(
        proposal=proposal, actor=staff, upload=SimpleUploadedFile("náměstí.png", _png())
    )
    assert pdf.content_type == "application/pdf" and pdf.original_name == "rozpočet.pdf"
    assert photo.content_type == "image/jpeg" and photo.original_name == "náměstí.jpg"
    with Image.open(photo.file.path) as reencoded:
        assert reencoded.format == "JPEG" and not reencoded.getexif()

    with pytest.raises(ValidationError, match="not a PDF"):
        services.attachment_add(
            proposal=proposal,
            actor=staff,
            upload=SimpleUploadedFile("evil.html", b"<script>alert(1)</script>"),
        )
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024))
    with pytest.raises(ValidationError, match="5 MB"):
        services.attachment_add(proposal=proposal, actor=staff, upload=big)
    assert ProposalAttachment.objects.filter(proposal=proposal).count() == 2


@pytest.mark.django_db
def test_attachment_is_served_only_to_those_who_may_read_the_proposal(
    client, call, town, staff, other_staff, manager, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    proposal = _draft(call, town, staff)
    attachment = services.attachment_add(
        proposal=proposal, actor=staff, upload=SimpleUploadedFile("plán.pdf", b"%PDF-1.4 plan")
    )
    url = f"/grants/proposals/{proposal.pk}/attachments/{attachment.pk}/"

    assert client.get(url).status_code == 302  # anonymous: to the login
    client.force_login(other_staff)
    assert client.get(url).status_code == 403
    client.force_login(manager)
    assert client.get(url).status_code == 403  # a draft is the town's own business
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 plan"
    assert (
        response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    )
    services.proposal_submit(proposal=proposal, actor=staff)
    client.force_login(manager)
    assert client.get(url).status_code == 200
    other = make_proposal(call, town, title="Jiný")
    assert client.get(f"/grants/proposals/{other.pk}/attachments/{attachment.pk}/").status_code == 404


@pytest.mark.django_db
def test_questions_thread_between_manager_and_town(call, town, staff, manager):
    proposal = make_proposal(call, town)

    services.message_post(proposal=proposal, actor=manager, body="Kdo bude kamery obsluhovat?")
    services.message_post(proposal=proposal, actor=staff, body="Městská policie.")

    question = Notification.objects.get(kind="projects_question")
    answer = Notification.objects.get(kind="projects_answer")
    assert question.to_email == staff.email and "Kdo bude kamery obsluhovat?" in question.body_text
    assert answer.to_email == manager.email and "Městská policie." in answer.body_text
    assert [m.from_manager for m in proposal.messages.all()] == [True, False]
    draft = make_proposal(call, town, status=Status.DRAFT)
    with pytest.raises(ValidationError):
        services.message_post(proposal=draft, actor=manager, body="?")


@pytest.mark.django_db
def test_edit_page_keeps_what_was_typed_on_error_and_saves_nothing(client, call, town, staff):
    proposal = _draft(call, town, staff)
    client.force_login(staff)
    page = client.get(f"/grants/proposals/{proposal.pk}/edit/")
    assert page.status_code == 200 and 'name="lines-0-amount"' in page.content.decode()

    response = client.post(
        f"/grants/proposals/{proposal.pk}/edit/",
        {
            "version": Proposal.objects.get(pk=proposal.pk).version,
            "title": "Nový <script>alert(1)</script> název",
            "local_need": "Typed text that must not be lost",
            "requested_amount": "abc",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-item": "Kamery",
            "lines-0-amount": "100",
            "lines-0-cofinancing": "500",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Typed text that must not be lost" in html
    assert "Nový &lt;script&gt;alert(1)&lt;/script&gt; název" in html and "<script>alert(1)" not in html
    assert Proposal.objects.get(pk=proposal.pk).title == "Kamerový bod na náměstí"


@pytest.mark.django_db
def test_edit_page_saves_and_submits(client, call, town, staff, manager):
    proposal = services.proposal_create(call=call, municipality=town, actor=staff, title="Nový")
    client.force_login(staff)
    data = {
        "version": Proposal.objects.get(pk=proposal.pk).version,
        **{k: str(v) for k, v in complete_fields(call).items()},
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-eligible_cost": str(call.eligible_costs.first().pk),
        "lines-0-item": "Kamery",
        "lines-0-amount": "100000",
        "lines-0-cofinancing": "10000",
        "submit": "1",
    }
    response = client.post(f"/grants/proposals/{proposal.pk}/edit/", data)
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
    assert [(line.item, line.amount) for line in proposal.budget_lines.all()] == [
        ("Kamery", Decimal("100000"))
    ]


@pytest.mark.django_db
def test_proposal_page_queries_do_not_grow_with_its_content(
    client, call, town, staff, manager, member, django_assert_max_num_queries
):
    from projects.models import Assignment, BudgetLine, Message

    proposal = make_proposal(call, town, status=Status.IN_REVIEW)
    Assignment.objects.create(proposal=proposal, member=member)
    client.force_login(manager)
    client.get(f"/grants/proposals/{proposal.pk}/")
    for index in range(10):
        BudgetLine.objects.create(proposal=proposal, item=f"L{index}", amount=1)
        Message.objects.create(proposal=proposal, author=staff, body=f"M{index}")
    with django_assert_max_num_queries(24):
        response = client.get(f"/grants/proposals/{proposal.pk}/")
    assert response.status_code == 200 and "M9" in response.content.decode()


@pytest.mark.django_db
def test_who_sees_a_proposal(client, call, town, staff, other_staff, manager, member):
    proposal = make_proposal(call, town)
    url = f"/grants/proposals/{proposal.pk}/"
    client.force_login(other_staff)
    assert client.get(url).status_code == 403
    client.force_login(member)  # not assigned
    assert client.get(url).status_code == 403
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert "Submitted" in page or "Podáno" in page or 'data-status="submitted"' in page
    assert client.get("/grants/proposals/999999/").status_code == 404


@pytest.mark.django_db
def test_double_clicks_create_one_draft_and_send_one_message(call, town, staff, manager):
    start_key, message_key = uuid.uuid4(), uuid.uuid4()  # the keys the forms carried
    first = services.proposal_create(
        call=call, municipality=town, actor=staff, title="Dvojklik", submission_key=start_key
    )
    second = services.proposal_create(
        call=call, municipality=town, actor=staff, title="Dvojklik", submission_key=start_key
    )
    assert first.pk == second.pk and Proposal.objects.count() == 1

    proposal = make_proposal(call, town)
    for _ in range(2):
        services.message_post(
            proposal=proposal, actor=manager, body="Kdy začnete?", submission_key=message_key
        )
    assert proposal.messages.count() == 1
    assert Notification.objects.filter(kind="projects_question").count() == 1


@pytest.mark.django_db
def test_the_start_form_sent_twice_makes_one_draft(client, call, town, staff):
    client.force_login(staff)
    key = client.get(f"/grants/calls/{call.pk}/").context["start_form"].initial["submission_key"]
    for _ in range(2):  # a double click, or the form sent again after a reload
        response = client.post(
            f"/grants/calls/{call.pk}/propose/", {"title": "Dvojklik", "submission_key": key}
        )
        assert response.status_code == 302
    assert Proposal.objects.filter(title="Dvojklik").count() == 1
    client.post(f"/grants/calls/{call.pk}/propose/", {"title": "Dvojklik", "submission_key": uuid.uuid4()})
    assert Proposal.objects.filter(title="Dvojklik").count() == 2  # a new form: a new draft
