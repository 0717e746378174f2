"""The organiser's numbers equal the rows behind them: a workshop with several presentation offers and
registrations of every kind shows its own counts, not counts multiplied by the offers (issue 11, item 2)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from workshops.models import PresentationOffer, Registration, Workshop
from workshops.selectors import TAKEN
from workshops.workflow import OfferStatus


def _offer(workshop, n, status):
    return PresentationOffer.objects.create(
        workshop=workshop,
        speaker_name=f"Speaker {n}",
        speaker_organisation="Město Plzeň",
        speaker_email=f"s{n}@example.org",
        title=f"Talk {n}",
        abstract="…",
        status=status,
    )


@pytest.fixture
def busy(workshop, register):
    """Workshop 1: 3 general + 1 partner seats taken (one checked in), 2 on the waitlist, 1 cancelled, and
    four offers (three to decide); workshop 2: two registrations and one offer."""
    for i in range(3):
        register(workshop, f"p{i}@example.org")
    register(workshop, "ola@example.no", kind="partner_country")
    register(workshop, "w1@example.org")
    register(workshop, "w2@example.org")
    cancelled = register(workshop, "c@example.org")
    Registration.objects.filter(pk=cancelled.pk).update(status=Registration.Status.CANCELLED)
    Registration.objects.filter(workshop=workshop, email="p0@example.org").update(
        status=Registration.Status.ATTENDED
    )
    for n, status in enumerate([OfferStatus.SUBMITTED] * 3 + [OfferStatus.ACCEPTED]):
        _offer(workshop, n, status)
    second = Workshop.objects.create(
        initiative=workshop.initiative,
        number=2,
        theme_cs="Sdílení informací",
        held_on=workshop.held_on + timedelta(days=30),
        capacity=35,
        partner_seats=2,
    )
    register(second, "a@example.org")
    register(second, "b@example.org")
    _offer(second, 9, OfferStatus.SUBMITTED)
    return [workshop, second]


def _cells(html: str, workshop) -> list[str]:
    link = reverse("workshops:manage_registrations", args=[workshop.pk])
    row = re.search(rf'<tr>\s*<td[^>]*><a href="{re.escape(link)}">.*?</tr>', html, re.S).group(0)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_overview_counts_equal_the_registrations_behind_them(client, organiser, busy):
    client.force_login(organiser)
    html = client.get(reverse("workshops:manage_initiative", args=[busy[0].initiative.code])).content.decode()
    for workshop in busy:
        rows = Registration.objects.filter(workshop=workshop)
        confirmed, waitlisted, attended, offers = _cells(html, workshop)[2:]
        assert confirmed == f"{rows.filter(status__in=TAKEN).count()} / {workshop.capacity}"
        assert waitlisted == str(rows.filter(status=Registration.Status.WAITLISTED).count())
        assert attended == str(rows.filter(status=Registration.Status.ATTENDED).count())
        assert offers == str(workshop.offers.filter(status=OfferStatus.SUBMITTED).count())
    assert _cells(html, busy[0])[2:] == ["4 / 4", "2", "1", "3"]  # the rows the fixture made


def test_registrations_page_and_public_pages_show_the_same_counts(client, organiser, busy):
    workshop = busy[0]
    taken = Registration.objects.filter(workshop=workshop, status__in=TAKEN)
    client.force_login(organiser)
    html = client.get(reverse("workshops:manage_registrations", args=[workshop.pk])).content.decode()
    assert f"{taken.count()} of {workshop.capacity} seats taken, 2 on the waitlist." in html
    assert f"Partner country: {taken.filter(partner_seat=True).count()} of 1." in html
    public = client.get(reverse("workshops:workshop", args=[workshop.pk])).content.decode()
    assert "2 on the waitlist" in public
