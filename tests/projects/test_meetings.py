"""A commission meeting ranks the reviewed proposals and recommends amounts; PDF and CSV for the council."""

import csv
import io
import re
import zlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from portal.exports import cell
from projects import services
from projects.models import Meeting, Proposal
from projects.workflow import Status

from .factories import approve, make_proposal


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated, to look for the embedded font names."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(parts)


def _in_review(call, town, title, score, requested=Decimal("90000")):
    proposal = make_proposal(call, town, status=Status.IN_REVIEW, title=title, requested=requested)
    Proposal.objects.filter(pk=proposal.pk).update(score=score, review_count=2)
    return proposal


@pytest.fixture
def meeting(call, town, other_town, manager):
    _in_review(call, town, "Střední", Decimal("3.10"))
    _in_review(call, other_town, "Nejlepší", Decimal("4.75"))
    _in_review(call, town, "Bez hodnocení", None)
    make_proposal(call, town, title="Ještě nepřidělený")  # submitted, not in review: not on the list
    return services.meeting_create(call=call, actor=manager, held_on=call.opens_at.date(), place="Plzeň")


@pytest.mark.django_db
def test_meeting_list_is_ranked_by_score(meeting):
    items = list(meeting.items.select_related("proposal"))
    assert [(i.rank, i.proposal.title) for i in items] == [
        (1, "Nejlepší"),
        (2, "Střední"),
        (3, "Bez hodnocení"),
    ]
    assert items[0].score == Decimal("4.75")


@pytest.mark.django_db
def test_closing_the_meeting_recommends_and_fixes_the_list(meeting, manager, staff):
    best, middle, unscored = meeting.items.order_by("rank")
    with pytest.raises(ValidationError, match="amount proposed"):
        services.meeting_save_items(meeting=meeting, actor=manager, items={best.pk: {"recommend": True}})
    with pytest.raises(ValidationError, match="exceeds the amount requested"):
        services.meeting_save_items(
            meeting=meeting,
            actor=manager,
            items={best.pk: {"recommend": True, "proposed_amount": Decimal(10**6)}},
        )
    services.meeting_save_items(
        meeting=meeting,
        actor=manager,
        items={
            best.pk: {"recommend": True, "proposed_amount": Decimal("80000")},
            middle.pk: {"recommend": False},
        },
    )
    with pytest.raises(ValidationError, match="Bez hodnocení"):  # one proposal still undecided
        services.meeting_close(meeting=meeting, actor=manager)

    services.meeting_save_items(meeting=meeting, actor=manager, items={unscored.pk: {"recommend": False}})
    services.meeting_close(meeting=meeting, actor=manager)

    statuses = dict(Proposal.objects.values_list("title", "status"))
    assert statuses["Nejlepší"] == Status.RECOMMENDED
    assert statuses["Střední"] == statuses["Bez hodnocení"] == Status.NOT_RECOMMENDED
    assert statuses["Ještě nepřidělený"] == Status.SUBMITTED
    with pytest.raises(ValidationError):
        services.meeting_save_items(meeting=meeting, actor=manager, items={best.pk: {"recommend": False}})
    with pytest.raises(ValidationError):
        services.meeting_close(meeting=meeting, actor=manager)


@pytest.mark.django_db
def test_recommended_amounts_must_fit_what_the_call_has_left(call, town, meeting, manager):
    approve(make_proposal(call, town, title="Dřívější", requested=Decimal("300000")), Decimal("300000"))
    items = {
        item.pk: {"recommend": True, "proposed_amount": Decimal("90000")} for item in meeting.items.all()
    }  # 270 000 > 500 000 - 300 000
    services.meeting_save_items(meeting=meeting, actor=manager, items=items)
    with pytest.raises(ValidationError, match="exceed what the call has left"):
        services.meeting_close(meeting=meeting, actor=manager)
    assert not Meeting.objects.get(pk=meeting.pk).is_closed
    assert not Proposal.objects.filter(status=Status.RECOMMENDED).exists()


@pytest.mark.django_db
def test_meeting_page_saves_recommendations_and_closes(client, meeting, manager):
    client.force_login(manager)
    url = f"/grants/manage/meetings/{meeting.pk}/"
    page = client.get(url).content.decode()
    assert page.index("Nejlepší") < page.index("Střední") < page.index("Bez hodnocení")
    items = list(meeting.items.order_by("rank"))
    data = {"items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "3", "action": "close"}
    for index, item in enumerate(items):
        data[f"items-{index}-item"] = str(item.pk)
        data[f"items-{index}-recommend"] = "yes" if index == 0 else "no"
        data[f"items-{index}-proposed_amount"] = "abc" if index == 0 else ""
    response = client.post(url, data)
    assert response.status_code == 400 and 'value="abc"' in response.content.decode()  # kept, nothing saved
    data["items-0-proposed_amount"] = "85000"
    assert client.post(url, data).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).is_closed
    assert Proposal.objects.get(title="Nejlepší").status == Status.RECOMMENDED


@pytest.mark.django_db
def test_recommendation_list_as_pdf_and_csv(client, meeting, manager, staff):
    best = meeting.items.order_by("rank").first()
    Proposal.objects.filter(pk=best.proposal_id).update(title='=HYPERLINK("http://evil")')
    services.meeting_save_items(
        meeting=meeting,
        actor=manager,
        items={best.pk: {"recommend": True, "proposed_amount": Decimal("85000")}},
    )
    client.force_login(staff)
    assert client.get(f"/grants/manage/meetings/{meeting.pk}/recommendations.pdf").status_code == 403
    client.force_login(manager)

    pdf = client.get(f"/grants/manage/meetings/{meeting.pk}/recommendations.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert b"/FontFamily (DejaVu Sans)" in _inflated(
        pdf.content
    )  # the font with every Czech and Polish letter is embedded

    response = client.get(f"/grants/manage/meetings/{meeting.pk}/recommendations.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "1" and rows[1][3] == '\'=HYPERLINK("http://evil")'
    assert rows[1][8] == "85000.00"
    assert [row[2] for row in rows[1:]] == ["Rokycany", "Domažlice", "Domažlice"]


def test_csv_cells_are_safe_for_spreadsheets():
    assert cell("=1+1") == "'=1+1"
    assert cell("+420 123") == "'+420 123"
    assert cell("-2") == "'-2"
    assert cell("@SUM(A1)") == "'@SUM(A1)"
    assert cell("Příliš žluťoučký kůň") == "Příliš žluťoučký kůň"
    assert cell(Decimal("-5.00")) == Decimal("-5.00")  # a number stays a number
