"""Error pages (403, 404, 500) in the site's layout and the visitor's language, each with the way on; the
500 page renders without the database; after login each role lands on its work page."""

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.urls import reverse

from portal import roles
from portal.errors import error_500
from tests.conftest import PASSWORD

ERROR_URLS = override_settings(ROOT_URLCONF="tests.portal.error_urls", DEBUG=False)
TEXTS = {
    "cs": {403: "Tuto stránku nemůžete otevřít", 404: "Stránka nenalezena", 500: "Něco se pokazilo"},
    "en": {403: "You cannot open this page", 404: "Page not found", 500: "Something went wrong"},
}


def _layout(html, language):
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert 'href="/"' in html  # the way home


@pytest.fixture
def error_client(client):
    client.raise_request_exception = False
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["cs", "en"])
@ERROR_URLS
def test_404_in_layout_and_language(error_client, language):
    error_client.cookies["django_language"] = language
    response = error_client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    _layout(html, language)
    assert TEXTS[language][404] in html
    assert 'data-error="404"' in html
    assert "/accounts/login/?next=/no-such-page/" in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["cs", "en"])
@ERROR_URLS
def test_500_in_layout_and_language(error_client, language):
    error_client.cookies["django_language"] = language
    response = error_client.get("/test-errors/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    _layout(html, language)
    assert TEXTS[language][500] in html
    assert "RuntimeError" not in html and "Traceback" not in html


@pytest.mark.django_db
@ERROR_URLS
def test_500_for_a_database_failure_makes_no_query(
    error_client, django_assert_num_queries, make_user, settings
):
    settings.MFA_REQUIRED_ROLES = []  # else the second-factor check reads the user before the view
    settings.MFA_REQUIRED_SUPERUSER = False
    make_user(email="officer@example.org", roles=[roles.OFFICER])
    error_client.login(email="officer@example.org", password=PASSWORD)
    with django_assert_num_queries(0):  # neither the session nor the user is read for the 500 page
        response = error_client.get("/test-errors/database/")
    assert response.status_code == 500
    assert TEXTS["cs"][500] in response.content.decode()


def test_500_renders_while_every_query_fails(rf):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("no database")

    request = rf.get("/anything/")
    with connection.execute_wrapper(refuse):
        response = error_500(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert 'class="site-header"' in html and "Něco se pokazilo" in html
    assert 'name="language"' not in html  # no form that would need a session's CSRF token


def test_500_falls_back_to_plain_html_when_the_template_fails(rf, monkeypatch):
    from portal import errors

    def broken(name):
        raise RuntimeError("template storage gone")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    response = error_500(rf.get("/"))
    assert response.status_code == 500 and b"<h1>500</h1>" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["cs", "en"])
@ERROR_URLS
def test_403_for_anonymous_offers_login_back_here(error_client, language):
    error_client.cookies["django_language"] = language
    response = error_client.get("/test-errors/forbidden/")
    html = response.content.decode()
    assert response.status_code == 403
    _layout(html, language)
    assert TEXTS[language][403] in html
    assert 'href="/accounts/login/?next=/test-errors/forbidden/"' in html


@pytest.mark.django_db
@ERROR_URLS
def test_403_for_wrong_role_offers_my_work_and_another_login(error_client, make_user):
    make_user(email="officer@example.org", roles=[roles.OFFICER])
    error_client.login(email="officer@example.org", password=PASSWORD)
    response = error_client.get("/test-errors/forbidden/")
    html = response.content.decode()
    assert response.status_code == 403
    assert f'href="{reverse("incidents:staff_queue")}"' in html  # back to my work
    assert 'action="/accounts/logout/"' in html and "csrfmiddlewaretoken" in html
    assert 'value="/accounts/login/?next=/test-errors/forbidden/"' in html


@pytest.mark.django_db
def test_real_403_uses_the_page_with_debug(client, make_user):
    make_user(email="plain@example.org")
    client.login(email="plain@example.org", password=PASSWORD)
    response = client.get("/my/")
    assert response.status_code == 403
    assert 'data-error="403"' in response.content.decode()
    assert "Back to my work" not in response.content.decode()


@pytest.mark.django_db
def test_my_work_title_has_no_html(client, make_user):
    make_user(email="officer@example.org", roles=[roles.OFFICER])
    client.login(email="officer@example.org", password=PASSWORD)
    html = client.get("/my/").content.decode()
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "Start here" not in title and "Začněte" not in title
    assert title.startswith("Moje práce")


# --- Where each role lands after login

LANDING = [
    ([roles.OFFICER], "incidents:staff_queue"),
    ([roles.PARTNER_BODY], "incidents:staff_queue"),
    ([roles.COORDINATOR], "incidents:staff_queue"),
    ([roles.OFFICER, roles.COORDINATOR], "incidents:staff_queue"),
    ([roles.MUNICIPAL_STAFF], "workshops:my"),
    ([roles.WORKSHOP_ORGANISER], "workshops:index"),
    ([roles.COMMISSION_MEMBER], "projects:commission"),
    ([roles.PROGRAMME_MANAGER], "projects:manage"),
    ([roles.WORKSHOP_ORGANISER, roles.PROGRAMME_MANAGER], "portal:dashboard"),
    ([], "portal:home"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role_list", "url_name"), LANDING)
def test_login_lands_on_the_roles_work_page(client, make_user, settings, role_list, url_name):
    settings.MFA_REQUIRED_ROLES = []  # the second factor is tested in test_mfa.py
    make_user(email="staff@example.org", roles=role_list)
    response = client.post(reverse("account_login"), {"login": "staff@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse(url_name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("next_url", "expected"), [("/grants/", "/grants/"), ("https://evil.example/", "/reports/staff/")]
)
def test_login_respects_a_safe_next_only(client, make_user, settings, next_url, expected):
    settings.MFA_REQUIRED_ROLES = []
    make_user(email="officer@example.org", roles=[roles.OFFICER])
    response = client.post(
        reverse("account_login"), {"login": "officer@example.org", "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == (reverse("incidents:staff_queue") if "evil" in next_url else expected)


@pytest.mark.django_db
def test_log_in_as_another_user_from_the_403_page(client, make_user):
    make_user(email="plain@example.org")
    client.login(email="plain@example.org", password=PASSWORD)
    response = client.post("/accounts/logout/", {"next": "/accounts/login/?next=/my/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/my/"
    assert "_auth_user_id" not in client.session
