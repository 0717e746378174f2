"""Staff log in with a second factor (allauth.mfa, TOTP and recovery codes): roles in MFA_REQUIRED_ROLES
cannot open any page but the account pages until they have set it up; /admin/ logs in through allauth; the
User admin deactivates people and edits their roles."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp
from django.contrib.auth import get_user_model
from django.urls import reverse

from portal import roles
from portal.models import ActivityLog
from tests.conftest import PASSWORD

STAFF_ROLES = [
    roles.OFFICER,
    roles.COORDINATOR,
    roles.PARTNER_BODY,
    roles.PROGRAMME_MANAGER,
    roles.COMMISSION_MEMBER,
]
SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture
def mfa_on(settings):
    settings.MFA_REQUIRED_ROLES = STAFF_ROLES
    settings.MFA_REQUIRED_SUPERUSER = True
    return settings


def _code(secret: str) -> str:
    return totp.format_hotp_value(totp.hotp_value(secret, next(totp.yield_hotp_counters_from_time())))


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEBUG": "0", "SECRET_KEY": "x" * 50}, (sorted(STAFF_ROLES), True)),
        ({"DEBUG": "1"}, ([], False)),  # make run's demos: the seed_demo users log in with a password
        ({"DEBUG": "1", "MFA_REQUIRED_ROLES": "officer", "MFA_REQUIRED_SUPERUSER": "1"}, (["officer"], True)),
        (
            {"DEBUG": "0", "SECRET_KEY": "x" * 50, "MFA_REQUIRED_ROLES": "", "MFA_REQUIRED_SUPERUSER": "0"},
            ([], False),
        ),
    ],
)
def test_the_settings_require_it_outside_debug(env, expected):
    from tests.portal.test_settings import PRINT, _run

    result = _run(PRINT.format("(sorted(s.MFA_REQUIRED_ROLES), s.MFA_REQUIRED_SUPERUSER)"), **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(expected)


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_each_staff_role_is_sent_to_the_setup_first(client, make_user, mfa_on, role):
    make_user(email="staff@example.org", roles=[role])
    response = client.post(reverse("account_login"), {"login": "staff@example.org", "password": PASSWORD})
    assert response.status_code == 302
    work_page = response["Location"]
    blocked = client.get(work_page)
    assert blocked.status_code == 302 and blocked["Location"] == SETUP
    assert client.get("/").status_code == 302  # no page of the site before the second factor
    setup = client.get(SETUP)
    html = setup.content.decode()
    assert setup.status_code == 200
    assert 'class="site-header"' in html and 'name="code"' in html  # allauth's page in the site's layout
    assert "Vaše role vyžaduje druhý faktor" in html  # why, in the user's language


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.MUNICIPAL_STAFF, roles.WORKSHOP_ORGANISER])
def test_other_roles_need_no_second_factor(client, make_user, mfa_on, role):
    make_user(email="town@example.org", roles=[role])
    client.login(email="town@example.org", password=PASSWORD)
    assert client.get("/my/").status_code == 200


@pytest.mark.django_db
def test_relaxed_setting_lets_demo_staff_in(client, make_user, settings):
    settings.MFA_REQUIRED_ROLES = []
    settings.MFA_REQUIRED_SUPERUSER = False
    make_user(email="officer@example.org", roles=[roles.OFFICER])
    client.login(email="officer@example.org", password=PASSWORD)
    assert client.get(reverse("incidents:staff_queue")).status_code == 200


@pytest.mark.django_db
def test_setup_then_login_asks_for_the_code_and_lands_on_the_queue(client, make_user, mfa_on):
    user = make_user(email="officer@example.org", roles=[roles.OFFICER])
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.get(SETUP)
    secret = client.session[totp.SECRET_SESSION_KEY]
    response = client.post(SETUP, {"code": _code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("incidents:staff_queue")).status_code == 200  # set up: the role's pages open

    client.logout()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get(reverse("incidents:staff_queue")).status_code == 302  # not logged in yet
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    # A code is accepted only once, so the login is completed with a fresh authenticator's code.
    Authenticator.objects.filter(user=user).delete()
    fresh = totp.generate_totp_secret()
    totp.TOTP.activate(user, fresh)
    response = client.post("/accounts/2fa/authenticate/", {"code": _code(fresh)})
    assert response.status_code == 302 and response["Location"] == reverse("incidents:staff_queue")


@pytest.mark.django_db
def test_superuser_needs_it_for_the_admin(client, mfa_on):
    get_user_model().objects.create_superuser(email="root@example.org", password=PASSWORD)
    client.login(email="root@example.org", password=PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == SETUP


@pytest.mark.django_db
def test_admin_login_goes_through_allauth(client):
    get_user_model().objects.create_superuser(email="root@example.org", password=PASSWORD)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") and "next=%2Fadmin%2F" in response["Location"]
    # The admin's own form no longer logs anybody in: no way around allauth's rate limits and second factor.
    response = client.post("/admin/login/", {"username": "root@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_login_refuses_logged_in_non_staff(client, make_user):
    make_user(email="plain@example.org")
    client.login(email="plain@example.org", password=PASSWORD)
    assert client.get("/admin/login/").status_code == 403


@pytest.mark.django_db
def test_user_admin_edits_roles_and_deactivates(client, make_user, settings):
    settings.MFA_REQUIRED_SUPERUSER = False
    admin = get_user_model().objects.create_superuser(email="root@example.org", password=PASSWORD)
    person = make_user(email="leaver@example.org", roles=[roles.OFFICER])
    client.force_login(admin)
    listing = client.get("/admin/portal/user/").content.decode()
    assert "leaver@example.org" in listing
    page = client.get(f"/admin/portal/user/{person.pk}/change/").content.decode()
    assert re.search(r'<input[^>]*name="roles" value="officer"[^>]*checked', page), "the roles are shown"
    data = {
        "email": person.email,
        "is_active": "on",
        "roles": [roles.COORDINATOR],
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-id": str(person.profile.pk),
        "profile-0-user": str(person.pk),
        "profile-0-full_name": "Jana Odchodová",
        "profile-0-language": "cs",
    }
    response = client.post(f"/admin/portal/user/{person.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert set(person.groups.values_list("name", flat=True)) == {roles.COORDINATOR}
    assert person.profile.full_name == "Jana Odchodová"
    assert ActivityLog.objects.filter(verb="user.roles_set", actor=admin).exists()

    response = client.post(
        "/admin/portal/user/", {"action": "deactivate", "_selected_action": [str(person.pk)]}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    assert ActivityLog.objects.filter(verb="user.deactivated", actor=admin).exists()
    client.logout()
    assert not client.login(email="leaver@example.org", password=PASSWORD)
