"""The grants form without friction: the amount requested is derived from the budget by the service, the
service's reasons show at their fields, budget rows are added and removed freely, the manager reads the next
step, and a meeting never forces a recommendation on a proposal nobody reviewed."""

import re
from decimal import Decimal

import pytest

from projects import services
from projects.models import Assignment, BudgetLine, Proposal
from projects.workflow import Status

from .factories import complete_fields, make_proposal


def _start(call, town, staff):
    return services.proposal_create(call=call, municipality=town, actor=staff, title="Bezpečná škola")


def _post_data(proposal, rows, **extra):
    """The edit form as a browser sends it: the texts, and ``rows`` of (item, total, town's part)."""
    cost = proposal.call.eligible_costs.first()
    data = {
        "version": str(Proposal.objects.get(pk=proposal.pk).version),
        **{k: str(v) for k, v in complete_fields(proposal.call).items() if k != "requested_amount"},
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": "0",
    }
    for i, row in enumerate(rows):
        if row is None:  # an empty row
            continue
        item, amount, cofinancing = row
        data |= {
            f"lines-{i}-eligible_cost": str(cost.pk),
            f"lines-{i}-item": item,
            f"lines-{i}-amount": str(amount),
            f"lines-{i}-cofinancing": str(cofinancing),
        }
    return data | extra


def _rows_on_page(html: str) -> int:
    return int(re.search(r'name="lines-TOTAL_FORMS" value="(\d+)"', html).group(1))


# --- 1. the amount requested ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_service_computes_the_amount_requested_and_ignores_the_clients(call, town, staff):
    proposal = _start(call, town, staff)
    cost = call.eligible_costs.first()
    services.proposal_update(
        proposal=proposal,
        actor=staff,
        fields={**complete_fields(call), "requested_amount": Decimal("1")},  # a forged value
        budget_lines=[
            {
                "eligible_cost": cost,
                "item": "Kamery",
                "amount": Decimal("100000"),
                "cofinancing": Decimal("10000"),
            },
            {
                "eligible_cost": cost,
                "item": "Školení",
                "amount": Decimal("20000.50"),
                "cofinancing": Decimal("2000"),
            },
        ],
    )
    assert Proposal.objects.get(pk=proposal.pk).requested_amount == Decimal("108000.50")
    services.proposal_update(proposal=proposal, actor=staff, fields={}, budget_lines=[])
    assert Proposal.objects.get(pk=proposal.pk).requested_amount is None  # no budget, nothing requested


@pytest.mark.django_db
def test_the_form_shows_the_amount_read_only_and_a_typed_one_is_ignored(client, call, town, staff):
    proposal = _start(call, town, staff)
    client.force_login(staff)
    page = client.get(f"/grants/proposals/{proposal.pk}/edit/").content.decode()
    assert 'name="requested_amount"' not in page and 'id="budget-requested"' in page
    data = _post_data(proposal, [("Kamery", 50000, 5000)], requested_amount="999999")
    assert client.post(f"/grants/proposals/{proposal.pk}/edit/", data).status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).requested_amount == Decimal("45000")
    page = client.get(f"/grants/proposals/{proposal.pk}/edit/").content.decode()
    assert re.search(r'id="budget-requested"[^>]*>45[\s,]?000', page.replace("\xa0", " "))


# --- 2. the service's reasons at their fields ----------------------------------------------------------


@pytest.mark.django_db
def test_submitting_shows_each_reason_at_its_field_and_keeps_what_was_typed(client, call, town, staff):
    proposal = _start(call, town, staff)
    client.force_login(staff)
    data = _post_data(proposal, [None], local_need="", goals="Typed goals that must stay", submit="1")
    response = client.post(f"/grants/proposals/{proposal.pk}/edit/", data)

    assert response.status_code == 400  # the form again, not the proposal's page
    form = response.context["form"]
    assert form.errors["local_need"] == ["Describe the local need."]
    assert "Add at least one budget line." in response.context["budget_errors"]
    html = response.content.decode()
    assert "Typed goals that must stay" in html
    # the message sits in the local need's field group, before the next field
    local_need = html[html.index('name="local_need"') - 1500 : html.index('name="goals"')]
    assert "Describe the local need." in local_need
    saved = Proposal.objects.get(pk=proposal.pk)
    assert saved.status == Status.DRAFT and saved.goals == "Typed goals that must stay"
    # the page carries the saved version: saving again is not taken for someone else's change
    assert f'name="version" value="{saved.version}"' in html
    again = _post_data(proposal, [("Kamery", 100000, 10000)], submit="1")
    assert client.post(f"/grants/proposals/{proposal.pk}/edit/", again).status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).status == Status.SUBMITTED


# --- 3. budget rows --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_add_a_row_without_javascript_saves_and_returns_one_more_empty_row(client, call, town, staff):
    proposal = _start(call, town, staff)
    client.force_login(staff)
    data = _post_data(proposal, [("Kamery", 100000, 10000), None], add_row="1")
    response = client.post(f"/grants/proposals/{proposal.pk}/edit/", data, follow=True)
    assert response.redirect_chain[-1][0].startswith(f"/grants/proposals/{proposal.pk}/edit/")
    html = response.content.decode()
    assert _rows_on_page(html) == 3  # the saved line, the empty row sent, and one more
    assert 'name="lines-2-item"' in html and 'name="lines-3-item"' not in html
    assert list(BudgetLine.objects.filter(proposal=proposal).values_list("item", flat=True)) == ["Kamery"]


@pytest.mark.django_db
def test_any_number_of_rows_over_several_saves(client, call, town, staff):
    proposal = _start(call, town, staff)
    client.force_login(staff)
    rows = []
    for n in range(1, 6):  # five saves, one line more each time
        html = client.get(f"/grants/proposals/{proposal.pk}/edit/?rows=1").content.decode()
        assert _rows_on_page(html) == len(rows) + 1  # the saved lines and an empty row
        rows.append((f"Položka {n}", 10000 * n, 1000 * n))
        data = _post_data(proposal, rows, add_row="1")
        assert client.post(f"/grants/proposals/{proposal.pk}/edit/", data).status_code == 302
    lines = list(BudgetLine.objects.filter(proposal=proposal))
    assert [line.item for line in lines] == [f"Položka {n}" for n in range(1, 6)]
    assert Proposal.objects.get(pk=proposal.pk).requested_amount == Decimal(9000 * 15)


@pytest.mark.django_db
def test_a_row_marked_remove_is_dropped(client, call, town, staff):
    proposal = _start(call, town, staff)
    client.force_login(staff)
    data = _post_data(
        proposal, [("Kamery", 100000, 10000), ("Zbytečné", 5000, 0)], **{"lines-1-DELETE": "on"}
    )
    assert client.post(f"/grants/proposals/{proposal.pk}/edit/", data).status_code == 302
    assert list(BudgetLine.objects.filter(proposal=proposal).values_list("item", flat=True)) == ["Kamery"]
    assert Proposal.objects.get(pk=proposal.pk).requested_amount == Decimal("90000")


@pytest.mark.django_db
def test_more_than_forty_rows_are_refused_and_nothing_is_saved(client, call, town, staff):
    proposal = _start(call, town, staff)
    client.force_login(staff)
    data = _post_data(proposal, [(f"Položka {n}", 100, 10) for n in range(41)])
    response = client.post(f"/grants/proposals/{proposal.pk}/edit/", data)
    assert response.status_code == 400
    assert response.context["lines"].non_form_errors()
    assert not BudgetLine.objects.filter(proposal=proposal).exists()


# --- 4. the manager's next step --------------------------------------------------------------------------


def _next_step(client, proposal) -> str:
    html = client.get(f"/grants/proposals/{proposal.pk}/").content.decode()
    match = re.search(r'<section class="panel next-step".*?<p>(.*?)</p>', html, re.S)
    return match.group(1).replace("&#x27;", "'") if match else ""


def _review(assignment, member, call):
    services.conflict_declare(assignment=assignment, actor=member, conflict=False)
    services.review_save(
        assignment=assignment,
        actor=member,
        scores={c.pk: 4 for c in call.criteria.all()},
        recommendation="yes",
    )


@pytest.mark.django_db
def test_the_manager_reads_the_next_step_as_the_proposal_moves_on(
    client, call, town, staff, manager, member, member2, make_user
):
    proposal = make_proposal(call, town)
    client.force_login(manager)
    assert "assign commission members and send it to the commission" in _next_step(client, proposal)

    Proposal.objects.filter(pk=proposal.pk).update(status=Status.IN_REVIEW)
    assert _next_step(client, proposal) == "Nobody reviews it yet – assign commission members."

    first, second = services.assignments_set(proposal=proposal, members=[member, member2], actor=manager)
    assert _next_step(client, proposal) == (
        "Waiting for 2 reviews (komisar@kraj.cz, komisarka@kraj.cz); 0 of 2 in."
    )
    _review(first, member, call)
    assert _next_step(client, proposal) == "Waiting for 1 review (komisarka@kraj.cz); 1 of 2 in."
    _review(second, member2, call)
    assert _next_step(client, proposal) == "2 of 2 reviews in – put it on a commission meeting's agenda."

    Proposal.objects.filter(pk=proposal.pk).update(status=Status.RECOMMENDED)
    assert _next_step(client, proposal) == "Recommended by the commission – record the council's decision."
    Proposal.objects.filter(pk=proposal.pk).update(status=Status.REJECTED)
    assert _next_step(client, proposal) == ""  # closed: nothing to do

    client.force_login(staff)  # the town does not get the manager's panel
    Proposal.objects.filter(pk=proposal.pk).update(status=Status.SUBMITTED)
    assert _next_step(client, proposal) == ""


@pytest.mark.django_db
def test_a_member_with_a_conflict_is_not_waited_for(client, call, town, manager, member, member2):
    proposal = make_proposal(call, town)
    first, second = services.assignments_set(proposal=proposal, members=[member, member2], actor=manager)
    services.conflict_declare(assignment=second, actor=member2, conflict=True, note="Bydlím tam.")
    _review(first, member, call)
    client.force_login(manager)
    assert _next_step(client, proposal) == "1 of 1 reviews in – put it on a commission meeting's agenda."
    assert Assignment.objects.filter(proposal=proposal).count() == 2


# --- 5. meetings -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_closing_a_meeting_leaves_an_unreviewed_proposal_in_review(call, town, other_town, manager):
    reviewed = make_proposal(call, town, status=Status.IN_REVIEW, title="Posouzený")
    Proposal.objects.filter(pk=reviewed.pk).update(score=Decimal("4.00"), review_count=2)
    unreviewed = make_proposal(call, other_town, status=Status.IN_REVIEW, title="Neposouzený")
    meeting = services.meeting_create(call=call, actor=manager, held_on=call.opens_at.date())
    item = meeting.items.get(proposal=reviewed)
    services.meeting_save_items(
        meeting=meeting,
        actor=manager,
        items={item.pk: {"recommend": True, "proposed_amount": Decimal("90000")}},
    )

    services.meeting_close(meeting=meeting, actor=manager)  # no recommendation asked for the unreviewed one

    assert Proposal.objects.get(pk=reviewed.pk).status == Status.RECOMMENDED
    assert Proposal.objects.get(pk=unreviewed.pk).status == Status.IN_REVIEW
    meeting.refresh_from_db()
    assert [(i.rank, i.proposal.title) for i in meeting.items.select_related("proposal")] == [
        (1, "Posouzený")
    ]
    assert "Not reviewed, so left in review for a later meeting: Neposouzený." in meeting.notes
    # a later meeting lists it again
    later = services.meeting_create(call=call, actor=manager, held_on=call.opens_at.date())
    assert list(later.items.values_list("proposal_id", flat=True)) == [unreviewed.pk]


@pytest.mark.django_db
def test_the_meeting_page_says_which_proposals_stay_in_review(client, call, town, manager):
    make_proposal(call, town, status=Status.IN_REVIEW, title="Neposouzený")
    meeting = services.meeting_create(call=call, actor=manager, held_on=call.opens_at.date())
    client.force_login(manager)
    html = client.get(f"/grants/manage/meetings/{meeting.pk}/").content.decode()
    assert "No review yet: it stays in review when the meeting closes." in html
