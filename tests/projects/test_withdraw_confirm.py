"""A town withdraws its proposal, or removes an attached file, in two steps without any script: the first
POST only asks (keeping the note typed), the confirmed POST acts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.selectors import activity_for
from projects import services
from projects.models import Proposal, ProposalAttachment
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


@pytest.mark.django_db
def test_removing_an_attached_file_asks_first(client, call, town, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    proposal = services.proposal_create(call=call, municipality=town, actor=staff, title="Bezpečná škola")
    attachment = services.attachment_add(
        proposal=proposal, actor=staff, upload=SimpleUploadedFile("plán.pdf", b"%PDF-1.4 plan")
    )
    client.force_login(staff)
    url = reverse("projects:attachment_delete", args=[proposal.pk, attachment.pk])
    back = reverse("projects:proposal_edit", args=[proposal.pk]) + "#attachments"

    html = client.post(url).content.decode()
    assert "Remove the file “plán.pdf”?" in html and f'href="{back}" data-confirm="no"' in html
    assert ProposalAttachment.objects.filter(pk=attachment.pk).exists()

    assert client.post(url, {"confirm": "1"})["Location"] == back
    assert not ProposalAttachment.objects.filter(pk=attachment.pk).exists()
