"""Nominations: a town's staff name its representative before the deadline; one active nomination per town,
editable until the deadline; afterwards the form explains that it is closed."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from portal import roles
from portal.models import Notification
from workshops import services
from workshops.models import Nomination

DATA = {
    "representative_name": "Marie Úřednice",
    "position": "tajemnice",
    "email": "marie@example.org",
    "phone": "+420 379 000 000",
    "note": "",
}


def test_staff_nominate_edit_and_withdraw_before_the_deadline(client, initiative, staff, municipality):
    client.force_login(staff)
    url = reverse("workshops:nomination", args=[initiative.code])
    assert client.get(url).status_code == 200
    assert client.post(url, {**DATA, "action": "save"}).status_code == 302
    client.post(url, {**DATA, "representative_name": "Jan Nový", "action": "save"})
    nomination = Nomination.objects.get()
    assert nomination.representative_name == "Jan Nový" and nomination.municipality == municipality
    assert Notification.objects.filter(kind="workshop_nominated", to_email="marie@example.org").exists()
    assert Notification.objects.filter(kind="workshop_nomination_saved", to_email=staff.email).count() == 2

    client.post(url, {"action": "withdraw", "confirm": "1"})
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.WITHDRAWN
    client.post(url, {**DATA, "action": "save"})  # a new active one is possible again
    assert Nomination.objects.filter(status="active").count() == 1


def test_after_the_deadline_the_form_is_closed_and_explains_it(client, initiative, staff, municipality):
    services.nomination_save(initiative=initiative, municipality=municipality, actor=staff, **DATA)
    client.force_login(staff)
    url = reverse("workshops:nomination", args=[initiative.code])
    day_after = timezone.localdate() + timedelta(days=8)
    with time_machine.travel(
        timezone.make_aware(timezone.datetime.combine(day_after, timezone.datetime.min.time()))
    ):
        page = client.get(url)
        html = page.content.decode()
        assert "Nominations closed on" in html
        assert "disabled" in html
        client.post(url, {**DATA, "representative_name": "Too Late", "action": "save"})
        with pytest.raises(ValidationError):
            services.nomination_save(initiative=initiative, municipality=municipality, actor=staff, **DATA)
    assert Nomination.objects.get().representative_name == "Marie Úřednice"


def test_deadline_day_itself_is_still_open(initiative):
    last_minute = timezone.make_aware(
        timezone.datetime.combine(initiative.nomination_deadline, timezone.datetime.max.time())
    )
    assert initiative.nominations_open(last_minute)
    assert not initiative.nominations_open(last_minute + timedelta(seconds=1))


def test_one_active_nomination_per_town_in_the_database(initiative, staff, municipality):
    services.nomination_save(initiative=initiative, municipality=municipality, actor=staff, **DATA)
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.create(
            initiative=initiative, municipality=municipality, representative_name="X", email="x@example.org"
        )


def test_only_staff_of_a_town_may_nominate(client, initiative, make_user, other_municipality):
    url = reverse("workshops:nomination", args=[initiative.code])
    client.force_login(make_user(email="officer@example.org", roles=[roles.OFFICER]))
    assert client.get(url).status_code == 403
    client.force_login(make_user(email="s2@example.org", roles=[roles.MUNICIPAL_STAFF]))  # no town
    assert client.get(url).status_code == 403


def test_organiser_list_filters_and_exports(
    client, initiative, staff, municipality, organiser, django_assert_max_num_queries
):
    services.nomination_save(
        initiative=initiative,
        municipality=municipality,
        actor=staff,
        **{**DATA, "note": '=HYPERLINK("http://evil")'},
    )
    client.force_login(organiser)
    url = reverse("workshops:manage_nominations", args=[initiative.code])
    with django_assert_max_num_queries(8):
        html = client.get(url, {"district": "", "q": "Marie"}).content.decode()
    assert "Marie Úřednice" in html
    assert "Marie Úřednice" not in client.get(url, {"q": "nobody"}).content.decode()
    csv = client.get(url, {"format": "csv"}).content.decode()
    assert "'=HYPERLINK" in csv
    assert client.get(url, {"format": "xlsx"})["Content-Type"].startswith("application/vnd.openxmlformats")
