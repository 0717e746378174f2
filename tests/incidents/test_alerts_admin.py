"""Who may do what with alerts and warnings (issue 14): the rules of incidents/rules.py (write a warning, for
which area, the four-eyes review) and the read-mostly admin, which shows subscribers' addresses to superusers
only."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from incidents.models import Alert, AreaWarning
from portal import roles
from portal.models import ActivityLog, Country, Municipality, PoliceUnit
from tests.incidents.citizen_helpers import citizen_fixture  # noqa: F401
from tests.incidents.test_alerts import CENTER, subscribe
from tests.incidents.test_alerts_warnings import _warning

pytestmark = pytest.mark.django_db


def test_the_warning_rules(citizen, make_user):
    coordinator, district, town = citizen["coordinator"], citizen["district"], citizen["town"]
    colleague = make_user(email="coord2@example.org", roles=[roles.COORDINATOR], police_unit=citizen["unit"])
    clerk = make_user(email="clerk@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=town)
    other_unit = PoliceUnit.objects.create(code="oop-x", name="OOP X", country=Country.CZ)
    stranger = make_user(email="x@example.org", roles=[roles.COORDINATOR], police_unit=other_unit)
    elsewhere = Municipality.objects.create(country=Country.CZ, code="559717", name="Rokycany")
    assert coordinator.has_perm("incidents.write_warnings") and clerk.has_perm("incidents.write_warnings")
    assert not citizen["officer"].has_perm("incidents.write_warnings")
    assert coordinator.has_perm("incidents.warn_area", district) and coordinator.has_perm(
        "incidents.warn_area", town
    )
    assert clerk.has_perm("incidents.warn_area", district) and clerk.has_perm("incidents.warn_area", town)
    assert not coordinator.has_perm("incidents.warn_area", elsewhere)
    assert not stranger.has_perm("incidents.warn_area", district)
    warning = _warning(citizen)
    assert colleague.has_perm("incidents.review_warning", warning)
    assert not coordinator.has_perm("incidents.review_warning", warning)  # its author
    assert not stranger.has_perm("incidents.review_warning", warning)
    assert not clerk.has_perm("incidents.review_warning", warning)  # the town's, not the unit's


def test_the_warnings_page_is_for_those_who_may_warn(citizen, client):
    client.force_login(citizen["officer"])
    assert client.get(reverse("incidents:staff_warnings")).status_code == 403
    client.force_login(citizen["coordinator"])
    assert client.get(reverse("incidents:staff_warnings")).status_code == 200


@pytest.fixture
def staff_client(client, make_user):
    """An admin user who may view alerts and warnings, not a superuser."""
    user = make_user(email="support@example.org")
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_alert", "view_areawarning", "delete_alert"])
    )
    client.force_login(user)
    return client


def test_the_admin_shows_subscribers_addresses_to_superusers_only(citizen, staff_client, make_user, client):
    alert = subscribe("private.person@example.org", center=CENTER, radius_m=500)
    warning = _warning(citizen)
    changelist = staff_client.get("/admin/incidents/alert/")
    assert changelist.status_code == 200 and b"private.person" not in changelist.content
    assert b"circle" in changelist.content or b"okol" in changelist.content
    # Nobody probes for an address: the search finds nothing more or less whatever is typed
    for q in ("private.person@example.org", "nobody@example.org"):
        assert staff_client.get("/admin/incidents/alert/", {"q": q}).context["cl"].result_count == 1
    page = staff_client.get(f"/admin/incidents/alert/{alert.pk}/change/")
    assert (
        page.status_code == 200
        and b"private.person" not in page.content
        and alert.token.encode() not in page.content
    )
    assert (
        staff_client.get(f"/admin/incidents/alert/{alert.pk}/delete/").status_code == 403
    )  # superusers only
    assert staff_client.get("/admin/incidents/alert/add/").status_code == 403
    assert staff_client.get(f"/admin/incidents/areawarning/{warning.pk}/change/").status_code == 200
    assert (
        staff_client.post(
            f"/admin/incidents/areawarning/{warning.pk}/change/", {"title": "changed"}
        ).status_code
        == 403
    )
    assert AreaWarning.objects.get().title == warning.title

    root = make_user(email="root@example.org")
    root.is_staff = root.is_superuser = True
    root.save()
    client.force_login(root)
    assert b"private.person@example.org" in client.get("/admin/incidents/alert/", {"q": alert.email}).content
    client.post(
        "/admin/incidents/alert/", {"action": "delete_through_service", "_selected_action": [alert.pk]}
    )
    assert not Alert.objects.exists()
    assert ActivityLog.objects.filter(verb="alert.deleted", target_id=str(alert.pk)).exists()
