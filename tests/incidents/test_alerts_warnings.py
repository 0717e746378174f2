"""Warnings from the police and towns (issue 14): written by a coordinator (or a town's staff) for their
area, reviewed by a second person of the same unit or town, then sent at once to the area's subscribers who
did not opt out (also digest subscribers), shown on the area's map page and feed until they expire."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from incidents.alerts import warnings
from incidents.models import AreaWarning
from portal import roles
from portal.models import Country, Municipality, Notification, PoliceUnit
from tests.incidents.citizen_helpers import citizen_fixture  # noqa: F401
from tests.incidents.test_alerts import subscribe

pytestmark = pytest.mark.django_db


def _warning(citizen, **kwargs):
    fields = {
        "title": "Fake police officers call seniors",
        "text": "Never give money to callers.",
        "valid_until": timezone.now() + timedelta(days=7),
        "district": citizen["district"],
        **kwargs,
    }
    return warnings.warning_create(actor=citizen["coordinator"], **fields)


def test_a_second_coordinator_publishes_and_subscribers_hear_at_once(citizen, make_user):
    second = make_user(email="coord2@example.org", roles=[roles.COORDINATOR], police_unit=citizen["unit"])
    district = subscribe(
        "district@example.org", kind="district", district=citizen["district"], frequency="weekly"
    )
    subscribe("town@example.org", kind="municipality", municipality=citizen["town"])
    subscribe("near@example.org", center=Point(12.95, 49.45, srid=4326), radius_m=500)
    subscribe("quiet@example.org", kind="district", district=citizen["district"], warnings=False)
    subscribe("far@example.org", center=Point(13.08, 49.58, srid=4326), radius_m=500)  # east: no district
    warning = _warning(citizen)
    with pytest.raises(PermissionDenied):  # not by its author
        warnings.warning_review(actor=citizen["coordinator"], warning=warning, approve=True)
    with pytest.raises(PermissionDenied):  # not by an officer of another unit
        other_unit = PoliceUnit.objects.create(code="oop-x", name="OOP X", country=Country.CZ)
        outsider = make_user(email="x@example.org", roles=[roles.COORDINATOR], police_unit=other_unit)
        warnings.warning_review(actor=outsider, warning=warning, approve=True)
    assert warnings.warning_review(actor=second, warning=warning, approve=True) == 3
    got = sorted(Notification.objects.filter(kind="alert_warning").values_list("to_email", flat=True))
    assert got == ["district@example.org", "near@example.org", "town@example.org"]
    email = Notification.objects.get(kind="alert_warning", to_email=district.email)
    assert "Never give money" in email.body_text and email.headers["List-Unsubscribe-Post"]
    assert AreaWarning.objects.get().state == "published"


def test_a_warning_about_some_groups_skips_subscribers_of_other_groups_only(citizen, make_user):
    second = make_user(email="coord2@example.org", roles=[roles.COORDINATOR], police_unit=citizen["unit"])
    district = citizen["district"]
    subscribe("all@example.org", kind="district", district=district)  # every group
    subscribe(
        "order@example.org", kind="district", district=district, category_groups=["public_order", "road"]
    )
    subscribe("water@example.org", kind="district", district=district, category_groups=["water"])
    warning = _warning(citizen, category_groups=["public_order"])
    assert warnings.warning_review(actor=second, warning=warning, approve=True) == 2
    got = sorted(Notification.objects.filter(kind="alert_warning").values_list("to_email", flat=True))
    assert got == ["all@example.org", "order@example.org"]


def test_only_the_own_area_and_a_bounded_validity(citizen, make_user):
    elsewhere = Municipality.objects.create(country=Country.CZ, code="559717", name="Rokycany")
    with pytest.raises(PermissionDenied):
        _warning(citizen, district=None, municipality=elsewhere)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        _warning(citizen, valid_until=timezone.now() + timedelta(days=90))
    officer_only = make_user(email="o2@example.org", roles=[roles.OFFICER], police_unit=citizen["unit"])
    with pytest.raises(PermissionDenied):
        warnings.warning_create(
            actor=officer_only,
            title="t",
            text="t",
            valid_until=timezone.now() + timedelta(days=1),
            district=citizen["district"],
        )


def test_shown_on_the_area_page_and_feed_until_it_expires(citizen, make_user, client):
    second = make_user(email="coord2@example.org", roles=[roles.COORDINATOR], police_unit=citizen["unit"])
    warning = _warning(citizen)
    page = client.get(reverse("incidents:map"), {"district": citizen["district"].pk})
    assert b"Fake police officers" not in page.content  # not before review
    warnings.warning_review(actor=second, warning=warning, approve=True)
    page = client.get(reverse("incidents:map"), {"district": citizen["district"].pk})
    assert b"Fake police officers" in page.content
    for feed in ("feed_district", "feed_municipality"):
        pk = citizen["district"].pk if feed == "feed_district" else citizen["town"].pk
        assert b"Fake police officers" in client.get(reverse(f"incidents:{feed}", args=[pk])).content
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        page = client.get(reverse("incidents:map"), {"district": citizen["district"].pk})
        assert b"Fake police officers" not in page.content


def test_the_staff_page_creates_and_reviews(citizen, make_user, client):
    second = make_user(email="coord2@example.org", roles=[roles.COORDINATOR], police_unit=citizen["unit"])
    client.force_login(citizen["coordinator"])
    url = reverse("incidents:staff_warnings")
    until = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url,
        {
            "action": "create",
            "title": "Scam",
            "text": "Beware",
            "district": citizen["district"].pk,
            "valid_until": until,
        },
    )
    assert response.status_code == 302
    warning = AreaWarning.objects.get()
    assert b"warning-approve" not in client.get(url).content  # the author does not review
    client.force_login(second)
    assert f"warning-approve-{warning.pk}".encode() in client.get(url).content
    client.post(url, {"action": "approve", "warning": warning.pk})
    warning.refresh_from_db()
    assert warning.state == "published" and warning.reviewer == second
