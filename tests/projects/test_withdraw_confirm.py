"""A town withdraws its proposal in two steps, without any script: the first POST of "Withdraw the proposal"
only asks (keeping the note typed), the confirmed POST withdraws."""

import pytest
from django.urls import reverse

from portal.selectors import activity_for
from projects.models import Proposal
from projects.workflow import Status

from .factories import make_proposal


@pytest.mark.django_db
def test_withdrawing_a_proposal_asks_first_then_withdraws(client, call, town, staff):
    proposal = make_proposal(call, town)
    client.force_login(staff)
    url = reverse("projects:proposal_act", args=[proposal.pk])
    detail = reverse("projects:proposal", args=[proposal.pk])

    first = client.post(url, {"action": "withdraw", "note": "Rozpočet obce to letos nedovolí."})
    assert first.status_code == 200
    html = first.content.decode()
    assert f"Withdraw the proposal “{proposal.title}”?" in html
    assert "Yes, withdraw the proposal" in html and f'href="{detail}" data-confirm="no"' in html
    assert 'name="confirm" value="1"' in html and 'name="action" value="withdraw"' in html
    assert 'name="note" value="Rozpočet obce to letos nedovolí."' in html  # the note survives the question
    assert Proposal.objects.get(pk=proposal.pk).status == Status.SUBMITTED  # unchanged

    second = client.post(
        url, {"action": "withdraw", "note": "Rozpočet obce to letos nedovolí.", "confirm": "1"}
    )
    assert second["Location"] == detail
    assert Proposal.objects.get(pk=proposal.pk).status == Status.WITHDRAWN
    entry = activity_for(target=proposal).get(verb="proposal.withdraw")
    assert entry.data["note"] == "Rozpočet obce to letos nedovolí."
