"""Conflicts of interest hide, and nobody on the commission sees the others' scores before reviewing: checked
through the pages, against the rows that exist."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from portal import roles
from projects import services
from projects.models import Assignment, ProposalAttachment, Review

from .factories import make_proposal

CONFLICT = (
    "You declared a conflict of interest on this proposal: you cannot open it, its attachments or its scores."
)


def _scores(call, *values):
    return dict(zip(call.criteria.values_list("pk", flat=True), values, strict=True))


def _review(call, proposal, member, *values):
    assignment = Assignment.objects.get(proposal=proposal, member=member)
    services.conflict_declare(assignment=assignment, actor=member, conflict=False)
    services.review_save(
        assignment=assignment, actor=member, scores=_scores(call, *values), recommendation="yes"
    )


@pytest.fixture
def member3(make_user):
    return make_user(email="komisar3@kraj.cz", roles=[roles.COMMISSION_MEMBER])


@pytest.fixture
def in_review(call, town, manager, member, member2, member3, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    proposal = make_proposal(call, town)
    services.assignments_set(proposal=proposal, members=[member, member2, member3], actor=manager)
    attachment = ProposalAttachment(
        proposal=proposal, content_type="application/pdf", size=9, original_name="rozpocet.pdf"
    )
    attachment.file.save("rozpocet.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return {"proposal": proposal, "attachment": attachment}


def _urls(in_review):
    proposal, attachment = in_review["proposal"], in_review["attachment"]
    return {
        "page": f"/grants/proposals/{proposal.pk}/",
        "attachment": f"/grants/proposals/{proposal.pk}/attachments/{attachment.pk}/",
        "review": f"/grants/proposals/{proposal.pk}/review/",
    }


@pytest.mark.django_db
def test_a_declared_conflict_closes_the_proposal_its_attachments_and_scores(
    client, call, manager, member, member3, in_review
):
    urls = _urls(in_review)
    client.force_login(member)
    assert client.get(urls["page"]).status_code == 200  # assigned, not declared yet: may read it
    assert client.get(urls["attachment"]).status_code == 200
    response = client.post(urls["review"], {"conflict": "yes", "conflict_note": "Můj bratr je starosta."})
    assert response.status_code == 302 and response["Location"] == "/grants/commission/"
    _review(call, in_review["proposal"], member3, 5, 4, None)  # a score exists: 4.60

    for name in ("page", "attachment", "review"):
        response = client.get(urls[name])
        assert response.status_code == 403, name
        html = response.content.decode()
        assert CONFLICT in html, name
        assert "4.60" not in html and "Kamerový bod" not in html.split("<main", 1)[-1], name
    commission = client.get("/grants/commission/").content.decode()
    assert "conflict of interest declared" in commission and urls["review"] not in commission

    client.force_login(manager)  # the manager still sees everything, the declaration included
    html = client.get(urls["page"]).content.decode()
    assert "4.60" in html and "Můj bratr je starosta." in html


@pytest.mark.django_db
def test_nobody_sees_the_running_score_before_their_own_review(
    client, call, manager, member, member2, member3, in_review
):
    proposal, urls = in_review["proposal"], _urls(in_review)
    _review(call, proposal, member3, 5, 4, None)  # 4.60
    assert Review.objects.get(assignment__member=member3).score == Decimal("4.60")

    # member (undeclared) and member2 (no conflict, not reviewed yet) read the proposal, not its score
    services.conflict_declare(
        assignment=Assignment.objects.get(proposal=proposal, member=member2), actor=member2, conflict=False
    )
    for somebody in (member, member2):
        client.force_login(somebody)
        html = client.get(urls["page"]).content.decode()
        assert "Kamerový bod na náměstí" in html  # the proposal itself
        assert "<dt>Score</dt>" not in html and "4.60" not in html, somebody

    _review(call, proposal, member2, 2, 2, 5)  # 2.50; the proposal's mean: 3.55
    client.force_login(member2)
    html = client.get(urls["page"]).content.decode()
    assert "<dt>Score</dt>" in html and "3.55" in html
    client.force_login(member)  # still nothing for the one who has not reviewed
    assert "3.55" not in client.get(urls["page"]).content.decode()

    client.force_login(manager)  # every member's score, as before
    html = client.get(urls["page"]).content.decode()
    assert "3.55" in html and "4.60" in html and "2.50" in html
