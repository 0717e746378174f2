"""The demo programme is believable: the seed's towns, calls and supported projects, every state, within
budget."""

import io

import pytest
from django.core.management import call_command
from django.db.models import F, Sum

from portal.models import ActivityLog, Notification
from projects import selectors
from projects.models import Call, Decision, Meeting, Programme, Proposal, Review
from projects.workflow import STATUSES, TRANSITIONS, Status


@pytest.mark.django_db
def test_demo_programme(client, django_assert_max_num_queries):
    call_command("seed_demo", stdout=io.StringIO())
    programme = Programme.objects.get(slug="plzensky-kraj-bezpecny-kraj")

    # The seed's counts of supported projects, with the four named 2010 ones completed
    by_year = {row["year"]: row["count"] for row in selectors.supported_by_year(programme=programme)}
    assert by_year == {2010: 4, 2011: 11, 2012: 21, 2026: 4}
    assert set(
        Proposal.objects.filter(call__year=2010, status=Status.COMPLETED).values_list("title", flat=True)
    ) == {
        "Sprayerem legálně",
        "Na kole občanům blíže",
        "Bezpečná Železná Ruda",
        "Stříbro – vybudování městského kamerového dohledového systému",
    }
    # About 20.5 million approved in 2010–2012, every budget kept
    historic = Decision.objects.filter(outcome="approved", proposal__call__year__lte=2012)
    assert 20_000_000 <= historic.aggregate(s=Sum("approved_amount"))["s"] <= 20_600_000
    for call in Call.objects.all():
        assert selectors.approved_total(call=call) <= call.budget
        assert call.proposals.filter(budget_lines__isnull=True).count() == 0
    assert selectors.approved_total(programme=programme) <= programme.total_budget
    assert Call.objects.aggregate(s=Sum("budget"))["s"] <= programme.total_budget
    # A proposal in every state, an open call for the current year
    assert set(Proposal.objects.values_list("status", flat=True)) == set(STATUSES)
    assert Call.objects.get(year=2026).is_open()
    # Supported projects passed the commission: reviewed, ranked at a closed meeting, decided
    for proposal in Proposal.objects.filter(status__in=[Status.COMPLETED, Status.IN_PROGRESS]):
        assert proposal.review_count == 2 and proposal.score is not None
        assert proposal.meeting_items.filter(meeting__closed_at__isnull=False, recommend=True).exists()
    # No review by a member from the applicant town
    assert not Review.objects.filter(
        assignment__member__profile__municipality_id=F("assignment__proposal__municipality_id")
    ).exists()
    # Each proposal's history is a legal path through the workflow, dated
    completed = Proposal.objects.filter(status=Status.COMPLETED).first()
    steps = list(
        ActivityLog.objects.filter(
            target_id=str(completed.pk), verb__in=[f"proposal.{name}" for name in TRANSITIONS]
        )
        .order_by("at", "id")
        .values_list("verb", "at")
    )
    status = Status.DRAFT
    for verb, _at in steps:
        transition = TRANSITIONS[verb.removeprefix("proposal.")]
        assert status in transition.sources
        status = transition.target
    assert status == Status.COMPLETED and [at for _v, at in steps] == sorted(at for _v, at in steps)
    assert Meeting.objects.filter(closed_at__isnull=True).count() == 0
    assert not Notification.objects.filter(kind__startswith="projects_").exists()  # the history emails nobody

    # The pages show it with a constant number of queries
    with django_assert_max_num_queries(12):
        html = client.get(f"/grants/programme/{programme.slug}/").content.decode()
    assert "eBezpečnost" in html and "Klidné příhraničí" in html and "Železná Ruda" in html
    with django_assert_max_num_queries(6):
        html = client.get(f"/grants/programme/{programme.slug}/supported/").content.decode()
    assert html.count("data-proposal=") == 40

    # Idempotent
    counts = (Proposal.objects.count(), Review.objects.count(), ActivityLog.objects.count())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "nothing new" in out.getvalue()
    assert counts == (Proposal.objects.count(), Review.objects.count(), ActivityLog.objects.count())

    # Results (issue 17): one project with an effect, one without, one with too few reports; the demo's
    # synthetic reports say so; the programme results page shows all 40 projects in constant queries
    from incidents.models import Report
    from projects.results.selectors import effect_panel, result_for_proposal

    def panel(title):
        proposal = Proposal.objects.get(title=title)
        return effect_panel(result_for_proposal(proposal_id=proposal.pk)).effect

    effect = panel("Stříbro – vybudování městského kamerového dohledového systému")
    assert effect.res.verdict == "decrease" and effect.maryland_level == 3
    assert [w.code for w in effect.warnings] == ["reporting_caveat"]
    assert panel("Osvětlení rizikových míst").res.verdict == "unclear"
    assert "small_counts" in [w.code for w in panel("Sprayerem legálně").warnings]
    assert Report.objects.filter(description__startswith="DEMO – synthetic").count() == 453
    with django_assert_max_num_queries(8):
        html = client.get(f"/grants/programme/{programme.slug}/results/").content.decode()
    assert html.count("data-proposal=") == 40
