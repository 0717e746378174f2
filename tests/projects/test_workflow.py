"""The proposal workflow as data, and the one service that applies it."""

from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.models import ActivityLog, Notification
from portal.selectors import activity_for
from projects import services, workflow
from projects.models import Proposal
from projects.workflow import STATUSES, TRANSITIONS, Status

from .factories import make_proposal


def test_every_status_has_a_staff_and_a_public_label_and_is_reachable():
    assert set(STATUSES) == set(Status.values)
    for labels in STATUSES.values():
        assert str(labels.label) and str(labels.public)
    reached, frontier = {Status.DRAFT}, [Status.DRAFT]
    while frontier:
        status = frontier.pop()
        for transition in workflow.transitions_from(status):
            if transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    assert reached == set(Status.values)


def test_transitions_name_real_statuses_and_permissions():
    import rules

    registered = list(rules.permissions.permissions.values())
    for name, transition in TRANSITIONS.items():
        assert transition.name == name
        assert transition.sources <= set(Status.values) and transition.target in Status.values
        # who may: the predicate of a registered permission (projects/rules.py)
        assert any(transition.allowed is perm for perm in registered), name
    # The council's and the commission's steps need their own pages (amounts, resolution, meeting).
    assert {t.name for t in TRANSITIONS.values() if not t.direct} == {
        "submit",
        "recommend",
        "not_recommend",
        "approve",
        "reject",
        "submit_final_report",
    }


def test_public_labels_do_not_reveal_the_commissions_recommendation():
    assert STATUSES[Status.RECOMMENDED].public == STATUSES[Status.NOT_RECOMMENDED].public
    assert STATUSES[Status.RECOMMENDED].label != STATUSES[Status.NOT_RECOMMENDED].label


@pytest.mark.django_db
def test_manager_returns_a_proposal_with_a_note_logged_and_sent_to_the_town(call, town, staff, manager):
    proposal = make_proposal(call, town)

    with pytest.raises(ValidationError) as no_note:
        services.proposal_transition(proposal=proposal, action="return_for_changes", actor=manager)
    assert "note" in no_note.value.message_dict

    services.proposal_transition(
        proposal=proposal, action="return_for_changes", actor=manager, note="Doplňte rozpočet."
    )

    proposal.refresh_from_db()
    assert proposal.status == Status.DRAFT and proposal.submitted_at is None
    entry = activity_for(target=proposal).get(verb="proposal.return_for_changes")
    assert entry.actor == manager
    assert entry.data["from_status"] == "submitted" and entry.data["to_status"] == "draft"
    assert entry.data["note"] == "Doplňte rozpočet."
    mail = Notification.objects.get(to_email=staff.email, kind="projects_proposal_status")
    assert "Doplňte rozpočet." in mail.body_text
    assert mail.language == "cs"


@pytest.mark.django_db
def test_the_service_refuses_what_the_workflow_does_not_allow(call, town, staff, other_staff, manager):
    proposal = make_proposal(call, town)
    with pytest.raises(ValidationError):
        services.proposal_transition(proposal=proposal, action="fly_to_the_moon", actor=manager)
    with pytest.raises(ValidationError):  # wrong source status
        services.proposal_transition(proposal=proposal, action="complete", actor=manager)
    with pytest.raises(ValidationError):  # only the decision service approves
        services.proposal_transition(proposal=proposal, action="approve", actor=manager)
    with pytest.raises(PermissionDenied):  # another town's staff
        services.proposal_transition(proposal=proposal, action="withdraw", actor=other_staff)
    with pytest.raises(PermissionDenied):  # the town may not send itself to review
        services.proposal_transition(proposal=proposal, action="start_review", actor=staff)
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
    assert not ActivityLog.objects.filter(verb__startswith="proposal.").exists()


@pytest.mark.django_db
def test_two_managers_acting_at_once_move_the_proposal_once(call, town, manager, make_user):
    from portal import roles

    other_manager = make_user(email="druhy@kraj.cz", roles=[roles.PROGRAMME_MANAGER])
    proposal = make_proposal(call, town)
    stale = Proposal.objects.get(pk=proposal.pk)
    services.proposal_transition(proposal=proposal, action="start_review", actor=manager)
    with pytest.raises(ValidationError):
        services.proposal_transition(proposal=stale, action="start_review", actor=other_manager)
    assert ActivityLog.objects.filter(verb="proposal.start_review").count() == 1


@pytest.mark.django_db
def test_action_view_applies_direct_transitions_only(client, call, town, staff):
    proposal = make_proposal(call, town)
    client.force_login(staff)

    response = client.post(f"/grants/proposals/{proposal.pk}/act/", {"action": "submit_final_report"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED

    client.post(f"/grants/proposals/{proposal.pk}/act/", {"action": "withdraw", "confirm": "1"})
    proposal.refresh_from_db()
    assert proposal.status == Status.WITHDRAWN
    assert client.get(f"/grants/proposals/{proposal.pk}/act/").status_code == 405


@pytest.mark.django_db
def test_the_towns_history_leaves_the_commissions_notes_out(call, town, staff, manager):
    from datetime import date

    from projects import selectors

    proposal = make_proposal(call, town, status=Status.IN_REVIEW)
    Proposal.objects.filter(pk=proposal.pk).update(review_count=1)  # reviewed: the meeting recommends it
    meeting = services.meeting_create(call=call, actor=manager, held_on=call.opens_at.date())
    item = meeting.items.get()
    services.meeting_save_items(
        meeting=meeting, actor=manager, items={item.pk: {"recommend": False, "note": "Slabé zdůvodnění."}}
    )
    services.meeting_close(meeting=meeting, actor=manager)
    services.decision_record(
        proposal=proposal,
        actor=manager,
        outcome="rejected",
        resolution_number="R 5/26",
        resolved_on=date.today(),
    )
    staff_view = selectors.proposal_history(proposal=proposal, staff=True)
    town_view = selectors.proposal_history(proposal=proposal, staff=False)
    assert [(e["label"], e["note"], e["actor"]) for e in staff_view] == [
        (TRANSITIONS["not_recommend"].label, "Slabé zdůvodnění.", manager),
        (TRANSITIONS["reject"].label, f"Resolution R 5/26 of {date.today()}", manager),
    ]
    assert [(e["label"], e["note"], e["actor"]) for e in town_view] == [
        (TRANSITIONS["not_recommend"].public_label, "", None),  # the commission's note stays with the staff
        (TRANSITIONS["reject"].public_label, f"Resolution R 5/26 of {date.today()}", None),
    ]


@pytest.mark.django_db
def test_a_decision_dated_today_is_accepted_just_after_midnight_in_the_portals_time_zone(call, town, manager):
    """00:30 in Prague is still yesterday in UTC: the council's resolution dated today is not "in the future"
    (the service compared with the UTC date and refused it for an hour every night)."""
    import datetime as dt

    import time_machine

    proposal = make_proposal(call, town, status=Status.IN_REVIEW)
    Proposal.objects.filter(pk=proposal.pk).update(review_count=1)
    meeting = services.meeting_create(call=call, actor=manager, held_on=call.opens_at.date())
    services.meeting_save_items(
        meeting=meeting, actor=manager, items={meeting.items.get().pk: {"recommend": False, "note": ""}}
    )
    services.meeting_close(meeting=meeting, actor=manager)
    just_after_midnight = dt.datetime(2026, 12, 8, 0, 30, tzinfo=ZoneInfo("Europe/Prague"))
    with time_machine.travel(just_after_midnight, tick=False):
        services.decision_record(
            proposal=proposal,
            actor=manager,
            outcome="rejected",
            resolution_number="R 6/26",
            resolved_on=dt.date(2026, 12, 8),
        )
        with pytest.raises(ValidationError):  # tomorrow still is in the future
            services.decision_record(
                proposal=proposal,
                actor=manager,
                outcome="rejected",
                resolution_number="R 7/26",
                resolved_on=dt.date(2026, 12, 9),
            )
    proposal.refresh_from_db()
    assert proposal.status == Status.REJECTED
