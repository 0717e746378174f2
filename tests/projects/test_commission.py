"""The Security Commission: assignments, conflicts of interest, reviews and their weighted scores."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.models import Notification
from projects import services
from projects.models import Assignment, Proposal, Review
from projects.services.reviews import weighted_average
from projects.workflow import Status

from .factories import make_proposal


def _scores(call, *values):
    return dict(zip(call.criteria.values_list("pk", flat=True), values, strict=True))


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([(3, 5), (2, 4), (1, 0)], Decimal("3.83")),  # (15 + 8 + 0) / 6
        ([(3, 5), (2, None), (1, 2)], Decimal("4.25")),  # n/a left out: (15 + 2) / 4
        ([(1, None), (2, None)], None),
        ([(Decimal("0.5"), 1), (Decimal("1.5"), 3)], Decimal("2.50")),
    ],
)
def test_weighted_average_ignores_na(pairs, expected):
    assert weighted_average(pairs) == expected


@pytest.mark.django_db
def test_manager_assigns_members_which_starts_the_review_and_tells_them(call, town, manager, member, member2):
    proposal = make_proposal(call, town)

    services.assignments_set(proposal=proposal, members=[member, member2], actor=manager)

    proposal.refresh_from_db()
    assert proposal.status == Status.IN_REVIEW
    assert set(proposal.assignments.values_list("member__email", flat=True)) == {member.email, member2.email}
    mails = Notification.objects.filter(kind="projects_review_assigned")
    assert sorted(mails.values_list("to_email", flat=True)) == sorted([member.email, member2.email])
    # Setting the same members again changes nothing and emails nobody again
    services.assignments_set(proposal=proposal, members=[member, member2], actor=manager)
    assert mails.count() == 2


@pytest.mark.django_db
def test_member_from_the_applicant_town_cannot_be_assigned_nor_review(
    call, town, manager, member_from_town, staff
):
    proposal = make_proposal(call, town)
    with pytest.raises(ValidationError, match="applicant town"):
        services.assignments_set(proposal=proposal, members=[member_from_town], actor=manager)
    with pytest.raises(ValidationError, match="not a Security Commission member"):
        services.assignments_set(proposal=proposal, members=[staff], actor=manager)
    # Even when assigned behind the service's back, the rules refuse the review.
    Proposal.objects.filter(pk=proposal.pk).update(status=Status.IN_REVIEW)
    assignment = Assignment.objects.create(proposal=proposal, member=member_from_town, conflict="none")
    with pytest.raises(PermissionDenied):
        services.review_save(
            assignment=assignment, actor=member_from_town, scores=_scores(call, 5, 5, 5), recommendation="yes"
        )
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_review_needs_a_declaration_and_a_conflict_stops_it(call, town, manager, member, member2):
    proposal = make_proposal(call, town)
    services.assignments_set(proposal=proposal, members=[member, member2], actor=manager)
    first, second = Assignment.objects.filter(proposal=proposal).order_by("member__email")

    with pytest.raises(ValidationError, match="conflict of interest"):
        services.review_save(
            assignment=first, actor=first.member, scores=_scores(call, 4, 4, 4), recommendation="yes"
        )
    with pytest.raises(ValidationError, match="Describe"):
        services.conflict_declare(assignment=second, actor=second.member, conflict=True)
    services.conflict_declare(
        assignment=second, actor=second.member, conflict=True, note="Můj bratr je starosta."
    )
    with pytest.raises(ValidationError, match="conflict of interest"):
        services.review_save(
            assignment=second, actor=second.member, scores=_scores(call, 4, 4, 4), recommendation="yes"
        )
    with pytest.raises(PermissionDenied):  # nobody declares for somebody else
        services.conflict_declare(assignment=first, actor=second.member, conflict=False)
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_reviews_give_the_proposal_the_mean_of_their_weighted_averages(call, town, manager, member, member2):
    proposal = make_proposal(call, town)
    services.assignments_set(proposal=proposal, members=[member, member2], actor=manager)
    first, second = Assignment.objects.filter(proposal=proposal).order_by("member__email")
    for assignment in (first, second):
        services.conflict_declare(assignment=assignment, actor=assignment.member, conflict=False)

    # weights 3, 2, 1
    services.review_save(
        assignment=first, actor=first.member, scores=_scores(call, 5, 4, None), recommendation="yes"
    )
    services.review_save(
        assignment=second,
        actor=second.member,
        scores=_scores(call, 2, 2, 5),
        recommendation="maybe",
        comment="OK",
    )

    proposal.refresh_from_db()
    assert Review.objects.get(assignment=first).score == Decimal("4.60")  # (15 + 8) / 5, n/a left out
    assert Review.objects.get(assignment=second).score == Decimal("2.50")  # (6 + 4 + 5) / 6
    assert proposal.score == Decimal("3.55") and proposal.review_count == 2

    # A member changes their mind while the proposal is in review
    services.review_save(
        assignment=second, actor=second.member, scores=_scores(call, 5, 5, 5), recommendation="yes"
    )
    proposal.refresh_from_db()
    assert proposal.score == Decimal("4.80") and proposal.review_count == 2

    with pytest.raises(ValidationError, match="not everything can be n/a"):
        services.review_save(
            assignment=first, actor=first.member, scores=_scores(call, None, None, None), recommendation="no"
        )
    with pytest.raises(ValidationError, match="0 to 5"):
        services.review_save(
            assignment=first, actor=first.member, scores=_scores(call, 6, 1, 1), recommendation="no"
        )
    with pytest.raises(ValidationError, match="Score every criterion"):
        services.review_save(assignment=first, actor=first.member, scores={}, recommendation="no")


@pytest.mark.django_db
def test_review_page_declaration_then_scores(client, call, town, manager, member, member2):
    proposal = make_proposal(call, town)
    services.assignments_set(proposal=proposal, members=[member, member2], actor=manager)
    url = f"/grants/proposals/{proposal.pk}/review/"
    client.force_login(member)

    page = client.get(url).content.decode()
    assert 'name="conflict"' in page and 'name="score_' not in page
    assert client.post(url, {"conflict": "no"}).status_code == 302

    page = client.get(url).content.decode()
    assert 'name="score_' in page and "n/a" in page
    criteria = list(call.criteria.all())
    response = client.post(url, {f"score_{criteria[0].pk}": "4", "recommendation": "yes"})
    assert response.status_code == 400  # two criteria not scored; what was typed stays
    assert 'value="4" selected' in response.content.decode()
    data = {f"score_{c.pk}": value for c, value in zip(criteria, ["4", "na", "2"], strict=True)}
    assert client.post(url, {**data, "recommendation": "yes", "comment": "Dobrý"}).status_code == 302
    review = Review.objects.get(assignment__member=member)
    assert [s.value for s in review.scores.order_by("criterion__order")] == [4, None, 2]

    client.force_login(manager)  # the manager reads reviews, does not write them
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_commission_page_lists_the_members_assignments(client, call, town, manager, member):
    proposal = make_proposal(call, town)
    services.assignments_set(proposal=proposal, members=[member], actor=manager)
    client.force_login(member)
    page = client.get("/grants/commission/").content.decode()
    assert f'data-proposal="{proposal.pk}"' in page
    client.force_login(manager)
    assert client.get("/grants/commission/").status_code == 403
