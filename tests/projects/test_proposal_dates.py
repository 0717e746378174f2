"""A proposal's project dates are bounded (issue 12, item 1): a year-1 start or a year-9999 end is refused at
the draft form and by the service, with a message at the field; before, a 9999 end made the project's start
fail (its final report's deadline, 60 days later, overflowed)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects.models import Proposal
from projects.workflow import Status

from .factories import approve, complete_fields, complete_lines

pytestmark = pytest.mark.django_db


def _new(call, town, staff):
    return services.proposal_create(call=call, municipality=town, actor=staff, title="Bezpečná škola")


@pytest.mark.parametrize("field, value", [("starts_on", date(1, 1, 1)), ("ends_on", date(9999, 12, 31))])
def test_the_service_refuses_dates_far_from_the_call_year(call, town, staff, field, value):
    proposal = _new(call, town, staff)
    fields = {**complete_fields(call), field: value}
    with pytest.raises(ValidationError) as refused:
        services.proposal_update(proposal=proposal, actor=staff, fields=fields, budget_lines=[])
    first, last = call.year - 5, call.year + 10
    assert refused.value.message_dict == {field: [f"Enter a date in the years {first} to {last}."]}
    assert Proposal.objects.get(pk=proposal.pk).starts_on is None


def test_the_edit_form_refuses_them_and_keeps_what_was_typed(client, call, town, staff):
    proposal = _new(call, town, staff)
    client.force_login(staff)
    data = {
        "version": Proposal.objects.get(pk=proposal.pk).version,
        **{k: str(v) for k, v in complete_fields(call).items()},
        "ends_on": "9999-12-31",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
    }
    response = client.post(f"/grants/proposals/{proposal.pk}/edit/", data)
    assert response.status_code == 400
    assert response.context["form"].errors["ends_on"] == [
        f"Enter a date in the years {call.year - 5} to {call.year + 10}."
    ]
    assert 'value="9999-12-31"' in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).ends_on is None


def test_a_project_ending_at_the_window_s_last_day_can_start(call, town, staff, manager):
    proposal = _new(call, town, staff)
    last_day = date(call.year + 10, 12, 31)
    fields = {**complete_fields(call), "ends_on": last_day}
    services.proposal_update(proposal=proposal, actor=staff, fields=fields, budget_lines=complete_lines(call))
    Proposal.objects.filter(pk=proposal.pk).update(status=Status.SUBMITTED)
    approve(Proposal.objects.get(pk=proposal.pk), Decimal("80000"))
    services.proposal_transition(proposal=Proposal.objects.get(pk=proposal.pk), action="start", actor=manager)
    assert Proposal.objects.get(pk=proposal.pk).final_report_due_on == last_day + timedelta(days=60)


def test_the_closed_call_message_gives_the_portal_s_date_in_the_user_s_format(call, town, staff):
    """A call closing at 00:30 on 1 January in Prague closed at 23:30 on 31 December UTC: the message gives
    the Prague date (the UTC one was a day early), written as the language writes dates."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.utils import translation

    from projects import selectors

    proposal = _new(call, town, staff)
    call.closes_at = datetime(call.year + 1, 1, 1, 0, 30, tzinfo=ZoneInfo("Europe/Prague"))
    call.save(update_fields=["closes_at"])
    call.refresh_from_db()  # as read from the database: in UTC
    proposal.call = call
    after = call.closes_at + timedelta(hours=1)
    with translation.override("cs"):
        problems = selectors.proposal_problems(proposal=proposal, now=after)
    assert f"Příjem žádostí ve výzvě skončil 1. ledna {call.year + 1}." in problems, problems
    with translation.override("en"):
        problems = selectors.proposal_problems(proposal=proposal, now=after)
    assert f"The call closed for submissions on 1 January {call.year + 1}." in problems, problems
