"""The staff report page (/reports/staff/<pk>/): who may see it, what each role sees, and every workflow
action through its form, including refusals and two officers acting at once."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.models import Report, ReportEvent
from incidents.workflow import Status

from .staff_helpers import act, login, staff_fixture, submit  # noqa: F401


def page(pk: int) -> str:
    return f"/reports/staff/{pk}/"


def act_url(pk: int) -> str:
    return f"/reports/staff/{pk}/act/"


def action_forms(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="action" value="([a-z_]+)">', html)


def post(client, report, action: str, **fields):
    report.refresh_from_db()
    data = {"action": action, f"{action}-version": str(report.version)}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return client.post(act_url(report.pk), data)


@pytest.fixture
def report(staff):
    return submit(
        staff,
        description="Rubbish <script>alert(1)</script> behind the school",
        reporter_email="citizen@example.org",
    )


# --- who may see the page -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_those_who_may_not_see_a_report_get_404_as_if_it_did_not_exist(client, staff, report):
    for user in (staff["officer2"], staff["other_coordinator"], staff["partner"], staff["nobody"]):
        login(client, user)
        assert client.get(page(report.pk)).status_code == 404, user
        assert client.get(page(999999)).status_code == 404
        assert post(client, report, "take_up").status_code == 404
    report.refresh_from_db()
    assert report.status == Status.NEW and report.version == 0


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(client, report):
    response = client.get(page(report.pk))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(act_url(report.pk), {"action": "take_up"}).status_code == 302
    assert Report.objects.get(pk=report.pk).status == Status.NEW


@pytest.mark.django_db
def test_police_see_everything_about_the_report(client, staff, report):
    login(client, staff["officer"])
    response = client.get(page(report.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rubbish &lt;script&gt;alert(1)&lt;/script&gt; behind the school" in html  # escaped
    assert "<script>alert(1)" not in html
    assert "citizen@example.org" in html
    assert 'id="report-map"' in html and 'data-lat="49.450000"' in html and 'data-lon="12.950000"' in html
    assert "West" in html and "Take up by" in html
    assert "Submitted by the citizen" in html
    assert action_forms(html) == ["take_up"]  # an officer: no reassign, no reopen
    assert f'name="take_up-version" value="{report.version}"' in html


@pytest.mark.django_db
def test_coordinator_may_also_reassign_and_reopen(client, staff, report):
    login(client, staff["coordinator"])
    assert action_forms(client.get(page(report.pk)).content.decode()) == ["take_up", "reassign"]
    act(report, "take_up", staff["officer"])
    act(report, "joke", staff["officer"])
    assert action_forms(client.get(page(report.pk)).content.decode()) == ["reopen"]
    login(client, staff["officer"])
    html = client.get(page(report.pk)).content.decode()
    assert action_forms(html) == [] and "nothing you can do" in html


@pytest.mark.django_db
def test_partner_body_sees_handed_over_report_without_police_only_details(client, staff, report):
    officer, partner = staff["officer"], staff["partner"]
    act(report, "take_up", officer, internal_note="SECRET-TAKE-UP-NOTE")
    act(
        report,
        "confirm",
        officer,
        public_answer="Confirmed, the town will clean it.",
        internal_note="SECRET-2",
    )
    act(report, "hand_over", officer, partner_body=staff["body"], internal_note="Please clear it by Friday.")
    act(report, "partner_answer", partner, public_answer="Cleared on Friday.", internal_note="Crew 4 went.")
    login(client, partner)
    html = client.get(page(report.pk)).content.decode()
    assert "Confirmed, the town will clean it." in html and "Cleared on Friday." in html
    assert "Please clear it by Friday." in html  # the note the report was handed over with
    assert "Crew 4 went." in html  # their own answer's note
    assert "SECRET" not in html  # police internal notes
    assert "citizen@example.org" not in html  # the reporter's contact is for the police only
    assert action_forms(html) == ["partner_answer", "partner_resolve"]  # issue 11: the body resolves it
    login(client, officer)
    html = client.get(page(report.pk)).content.decode()
    assert "SECRET-TAKE-UP-NOTE" in html and "Crew 4 went." in html


@pytest.mark.django_db
def test_timeline_says_who_did_what_and_when(client, staff, report):
    act(report, "take_up", staff["officer"], public_answer="We are on it.")
    login(client, staff["coordinator"])
    html = client.get(page(report.pk)).content.decode()
    timeline = html[html.index('id="timeline"') :]
    assert timeline.index("Submitted by the citizen") < timeline.index("Take up")
    assert "officer@example.org" in timeline and "We are on it." in timeline
    assert "new → being verified" in timeline


# --- every action through the page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_every_transition_through_the_page(client, staff):
    officer, coordinator, partner = staff["officer"], staff["coordinator"], staff["partner"]
    first = submit(staff, reporter_email="citizen@example.org")
    login(client, officer)

    def step(report, action, expected_status, **fields):
        response = post(client, report, action, **fields)
        assert response.status_code == 302, response.content.decode()[:3000]
        assert response["Location"] == page(report.pk)
        report.refresh_from_db()
        assert report.status == expected_status
        assert report.events.filter(action=action).exists()
        return client.get(response["Location"]).content.decode()

    html = step(first, "take_up", Status.VERIFYING, internal_note="Will go tonight.")
    assert "Done: Take up" in html
    step(first, "confirm", Status.CONFIRMED, public_answer="Yes, there is a dump.")
    step(first, "hand_over", Status.HANDED_OVER, partner_body=str(staff["body"].pk), internal_note="For MP")
    assert first.partner_body == staff["body"]
    login(client, partner)
    step(first, "partner_answer", Status.HANDED_OVER, public_answer="Cleaned.")
    assert first.public_answer == "Cleaned."
    login(client, coordinator)
    step(first, "reopen", Status.VERIFYING, public_answer="Reopened: it is back.")
    login(client, officer)
    step(first, "not_confirm", Status.NOT_CONFIRMED, public_answer="Nothing found this time.")

    second = submit(staff)
    step(second, "take_up", Status.VERIFYING)
    step(second, "joke", Status.JOKE_OR_MISTAKE)

    third = submit(staff)
    step(third, "take_up", Status.VERIFYING)
    step(third, "confirm", Status.CONFIRMED)
    step(third, "eliminate", Status.ELIMINATED, public_answer="Removed.")

    fourth = submit(staff)
    login(client, coordinator)
    step(fourth, "reassign", Status.NEW, assignee=str(staff["officer2"].pk))
    assert fourth.assignee == staff["officer2"]
    step(fourth, "reassign", Status.NEW, district=str(staff["north"].pk))
    assert fourth.district == staff["north"]


# --- refusals -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_missing_public_answer_is_refused_and_the_note_kept(client, staff, report):
    act(report, "take_up", staff["officer"])
    login(client, staff["officer"])
    response = post(client, report, "not_confirm", internal_note="Checked twice <b>nothing</b>")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please write a public answer for the reporter." in html
    assert "Checked twice &lt;b&gt;nothing&lt;/b&gt;</textarea>" in html  # typed text kept, escaped
    assert 'id="action-not_confirm" open' in html
    report.refresh_from_db()
    assert report.status == Status.VERIFYING


@pytest.mark.django_db
def test_hand_over_needs_a_body_and_reassign_an_officer_or_district(client, staff, report):
    act(report, "take_up", staff["officer"])
    act(report, "confirm", staff["officer"])
    login(client, staff["coordinator"])
    html = post(client, report, "hand_over", internal_note="note").content.decode()
    assert "Choose the body the report is handed over to." in html
    html = post(client, report, "reassign", public_answer="kept answer").content.decode()
    assert "Choose the officer or the district." in html and "kept answer</textarea>" in html
    report.refresh_from_db()
    assert report.status == Status.CONFIRMED and report.version == 2


@pytest.mark.django_db
def test_action_the_role_may_not_take_is_refused(client, staff, report):
    act(report, "take_up", staff["officer"])
    act(report, "joke", staff["officer"])
    login(client, staff["officer"])
    response = post(client, report, "reopen", public_answer="Let me reopen")
    assert response.status_code == 403
    assert "You may not do this with this report." in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == Status.JOKE_OR_MISTAKE


@pytest.mark.django_db
def test_action_not_possible_in_this_status_is_refused_with_a_message(client, staff, report):
    login(client, staff["officer"])
    response = post(client, report, "eliminate", public_answer="Gone")
    html = response.content.decode()
    assert "“Threat eliminated” is not possible for a report that is new." in html
    assert "Gone" in html  # what was typed is shown, since that form is not on the page
    assert Report.objects.get(pk=report.pk).status == Status.NEW
    response = client.post(act_url(report.pk), {"action": "delete_everything"}, follow=True)
    assert b"Unknown action." in response.content


@pytest.mark.django_db
def test_two_officers_acting_at_once_the_second_is_told(client, staff, report):
    """Both loaded the page at version 0; the first takes it up, the second's click is refused."""
    coordinator = staff["coordinator"]
    login(client, staff["officer"])
    html_first = client.get(page(report.pk)).content.decode()
    assert 'name="take_up-version" value="0"' in html_first

    from django.test import Client

    other = login(Client(), coordinator)
    assert 'name="take_up-version" value="0"' in other.get(page(report.pk)).content.decode()

    data = {"action": "take_up", "take_up-version": "0", "take_up-public_answer": ""}
    assert client.post(act_url(report.pk), data).status_code == 302
    data["take_up-internal_note"] = "My note from the second click"
    response = other.post(act_url(report.pk), data)
    html = response.content.decode()
    assert "Someone else has just changed this report. Reload the page to see its current state." in html
    assert "My note from the second click" in html  # nothing typed is lost: take up is no longer possible
    assert 'class="lost-text"' in html
    report.refresh_from_db()
    assert report.status == Status.VERIFYING and report.version == 1
    assert ReportEvent.objects.filter(report=report, action="take_up").count() == 1
    assert report.events.get(action="take_up").actor == staff["officer"]


@pytest.mark.django_db
def test_stale_version_is_refused_even_when_the_action_is_still_possible(client, staff, report):
    """A coordinator reassigned the report meanwhile (status unchanged): the officer's form is stale."""
    login(client, staff["officer"])
    act(report, "reassign", staff["coordinator"], assignee=staff["officer"], internal_note="keep it")
    data = {"action": "take_up", "take_up-version": "0", "take_up-internal_note": "stale click"}
    html = client.post(act_url(report.pk), data).content.decode()
    assert "Someone else has just changed this report. Reload the page to see its current state." in html
    assert "stale click</textarea>" in html
    assert 'name="take_up-version" value="1"' in html  # the page now shows the current state
    assert Report.objects.get(pk=report.pk).status == Status.NEW


@pytest.mark.django_db
def test_report_page_runs_a_constant_number_of_queries(client, staff, report):
    login(client, staff["coordinator"])
    with CaptureQueriesContext(connection) as few:
        client.get(page(report.pk))
    act(report, "take_up", staff["officer"], public_answer="a")
    act(report, "confirm", staff["officer"], public_answer="b")
    for index in range(10):
        act(report, "reassign", staff["coordinator"], assignee=staff["officer"], internal_note=str(index))
    with CaptureQueriesContext(connection) as many:
        response = client.get(page(report.pk))
    assert response.content.decode().count('class="event event-') == 13
    # the forms differ (take up + reassign vs. hand over, eliminate, reassign), the timeline does not count
    assert len(many) <= len(few) + 3
    assert len(many) <= 20


@pytest.mark.django_db
def test_partner_staff_answer_only_reports_handed_to_their_body(client, staff, report, make_user):
    from portal.models import PartnerBody

    other_body = PartnerBody.objects.create(code="ts", name="Technical services", kind="town_department")
    stranger = make_user(email="ts@example.org", roles=["partner_body"], partner_body=other_body)
    for action, kwargs in (("take_up", {}), ("confirm", {}), ("hand_over", {"partner_body": staff["body"]})):
        act(report, action, staff["officer"], **kwargs)
    login(client, stranger)
    assert client.get(page(report.pk)).status_code == 404
    assert post(client, report, "partner_answer", public_answer="Not ours").status_code == 404

    login(client, staff["partner"])
    response = post(client, report, "reopen", public_answer="We would like it back")  # the coordinator's
    assert response.status_code == 403
    assert "You may not do this with this report." in response.content.decode()
    assert post(client, report, "partner_answer", public_answer="Cleaned up.").status_code == 302
    report.refresh_from_db()
    assert report.status == Status.HANDED_OVER and report.public_answer == "Cleaned up."
    assert report.events.get(action="partner_answer").actor == staff["partner"]


@pytest.mark.django_db
def test_huge_input_is_refused_and_kept(client, staff, report):
    login(client, staff["officer"])
    huge = "x" * 2001
    response = post(client, report, "take_up", public_answer=huge)
    html = response.content.decode()
    assert "at most 2000 characters" in html and huge in html
    assert Report.objects.get(pk=report.pk).status == Status.NEW
