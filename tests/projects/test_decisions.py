"""The council's decisions: the approved total never exceeds the call's budget or the programme's total,
also when two decisions are recorded at the same moment."""

import threading
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from portal.models import ActivityLog, Notification
from projects import selectors, services
from projects.models import Decision, Proposal
from projects.workflow import Status

from .factories import approve, make_call, make_proposal

TODAY = date.today()


def _awaiting(call, town, requested, title="Návrh"):
    return make_proposal(call, town, status=Status.RECOMMENDED, requested=requested, title=title)


def _decide(proposal, manager, amount, number="1/26", outcome="approved"):
    return services.decision_record(
        proposal=proposal,
        actor=manager,
        outcome=outcome,
        approved_amount=amount,
        resolution_number=number,
        resolved_on=TODAY,
    )


@pytest.mark.django_db
def test_approval_is_recorded_logged_and_told_to_the_town(call, town, staff, manager):
    proposal = _awaiting(call, town, Decimal("250000"))

    decision = _decide(proposal, manager, Decimal("200000"), "RPK 1234/26")

    proposal.refresh_from_db()
    assert proposal.status == Status.APPROVED and proposal.decided_at
    assert decision.approved_amount == Decimal("200000") and decision.resolution_number == "RPK 1234/26"
    assert ActivityLog.objects.filter(verb="proposal.decision_recorded", target_id=str(proposal.pk)).exists()
    assert ActivityLog.objects.filter(verb="proposal.approve", target_id=str(proposal.pk)).exists()
    mail = Notification.objects.get(to_email=staff.email, kind="projects_proposal_status")
    assert "RPK 1234/26" in mail.body_text
    assert selectors.approved_total(call=call) == Decimal("200000")


@pytest.mark.django_db
def test_rejection_approves_nothing(call, town, manager):
    proposal = make_proposal(call, town, status=Status.NOT_RECOMMENDED)
    decision = _decide(proposal, manager, Decimal("5000"), outcome="rejected")
    assert decision.approved_amount == 0
    assert Proposal.objects.get(pk=proposal.pk).status == Status.REJECTED


@pytest.mark.django_db
def test_the_calls_budget_cannot_be_exceeded(call, town, other_town, manager):
    _decide(_awaiting(call, town, Decimal("300000")), manager, Decimal("300000"))
    second = _awaiting(call, other_town, Decimal("250000"))

    with pytest.raises(ValidationError, match="200 000 is left of 500 000"):
        _decide(second, manager, Decimal("250000"), "2/26")

    assert Proposal.objects.get(pk=second.pk).status == Status.RECOMMENDED
    assert not Decision.objects.filter(proposal=second).exists()
    _decide(second, manager, Decimal("200000"), "2/26")  # exactly what is left
    assert selectors.approved_total(call=call) == call.budget


@pytest.mark.django_db
def test_the_programmes_total_cannot_be_exceeded(programme, call, town, manager):
    programme.total_budget = Decimal("600000")
    programme.save()
    approve(make_proposal(call, town, requested=Decimal("290000")), Decimal("290000"))
    approve(make_proposal(call, town, requested=Decimal("110000")), Decimal("110000"))
    other_call = make_call(programme, year=2031)
    proposal = _awaiting(other_call, town, Decimal("250000"))

    with pytest.raises(ValidationError, match="programme's total"):
        _decide(proposal, manager, Decimal("250000"))
    _decide(proposal, manager, Decimal("200000"))
    assert selectors.approved_total(programme=programme) == programme.total_budget


@pytest.mark.django_db
def test_decision_checks(call, town, staff, manager):
    proposal = _awaiting(call, town, Decimal("100000"))
    with pytest.raises(ValidationError, match="exceeds the amount requested"):
        _decide(proposal, manager, Decimal("100001"))
    with pytest.raises(ValidationError, match="future"):
        services.decision_record(
            proposal=proposal,
            actor=manager,
            outcome="approved",
            approved_amount=Decimal(1),
            resolution_number="1",
            resolved_on=TODAY + timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        _decide(proposal, staff, Decimal("1000"))
    in_review = make_proposal(call, town, status=Status.IN_REVIEW)
    with pytest.raises(ValidationError, match="already been recorded"):  # not waiting for the council
        _decide(in_review, manager, Decimal("1000"))
    _decide(proposal, manager, Decimal("1000"))
    with pytest.raises(ValidationError, match="already been recorded"):  # a double click
        _decide(proposal, manager, Decimal("1000"))
    assert Decision.objects.count() == 1


@pytest.mark.django_db
def test_decision_page_keeps_input_on_error(client, call, town, manager):
    proposal = _awaiting(call, town, Decimal("100000"))
    client.force_login(manager)
    url = f"/grants/proposals/{proposal.pk}/decision/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "outcome": "approved",
            "approved_amount": "600000",
            "resolution_number": "R 77/26",
            "resolved_on": TODAY,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="R 77/26"' in html and "exceeds the amount requested" in html
    response = client.post(
        url,
        {
            "outcome": "approved",
            "approved_amount": "90000",
            "resolution_number": "R 77/26",
            "resolved_on": TODAY,
        },
    )
    assert response.status_code == 302
    assert Decision.objects.get(proposal=proposal).approved_amount == Decimal("90000")
    assert client.get(url).status_code == 302  # decided: back to the proposal


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("limit", ["call", "programme"])
def test_two_decisions_at_once_never_exceed_the_budget(
    limit, programme, town, other_town, manager, monkeypatch
):
    """Two managers record approvals at the same moment; together they would overspend. The Programme and
    Call rows are locked before the totals are read, so the second waits and is refused."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs row locks (SELECT … FOR UPDATE): run on PostgreSQL; SQLite serialises whole writes"
        )
    if limit == "call":
        first_call = second_call = make_call(programme, budget=Decimal("500000"))
    else:  # each call has room, the programme does not
        programme.total_budget = Decimal("500000")
        programme.save()
        first_call = make_call(programme, year=2031, budget=Decimal("400000"))
        second_call = make_call(programme, year=2032, budget=Decimal("400000"))
    proposals = [
        _awaiting(first_call, town, Decimal("300000"), "První"),
        _awaiting(second_call, other_town, Decimal("300000"), "Druhý"),
    ]
    # Widen the race window: both threads would have read the totals before either writes, without locks.
    read_total = selectors.approved_total

    def slow_total(**kwargs):
        total = read_total(**kwargs)
        time.sleep(0.15)
        return total

    monkeypatch.setattr(selectors, "approved_total", slow_total)
    barrier = threading.Barrier(2)
    outcomes = []

    def record(proposal, number):
        try:
            barrier.wait(timeout=10)
            _decide(Proposal.objects.get(pk=proposal.pk), manager, Decimal("300000"), number)
            outcomes.append("approved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(p, f"{i}/26")) for i, p in enumerate(proposals)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["approved", "refused"]
    assert selectors.approved_total(programme=programme) == Decimal("300000")
    assert Decision.objects.count() == 1
