"""Sign-up with email verification, login and password reset (django-allauth through the outbox)."""

import re

import pytest
from django.core import mail

from portal.models import Notification, Profile
from tests.conftest import PASSWORD

CONFIRM_URL = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)")
RESET_URL = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)")


@pytest.mark.django_db(transaction=True)
def test_signup_verify_login_in_polish(client):
    client.cookies["django_language"] = "pl"
    response = client.post(
        "/accounts/signup/", {"email": "Nowak@Example.org", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nowak@example.org"] or message.to == ["Nowak@Example.org"]
    assert "Okrsek" in message.body and "Witamy" in message.body  # allauth's Polish text, our site name
    notification = Notification.objects.get()
    assert notification.language == "pl"
    assert Profile.objects.get(user__email__iexact="nowak@example.org").language == "pl"

    # Not verified yet: login is refused until the email is confirmed.
    client.post("/accounts/login/", {"login": "nowak@example.org", "password": PASSWORD})
    assert not client.session.get("_auth_user_id")

    confirm_path = CONFIRM_URL.search(message.body).group(1)
    assert client.post(confirm_path).status_code == 302
    response = client.post("/accounts/login/", {"login": "nowak@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")
    assert "nowak@example.org" in client.get("/").content.decode().lower()


@pytest.mark.django_db(transaction=True)
def test_password_reset(client, make_user):
    make_user(email="reset@example.org", language="cs")
    client.post("/accounts/password/reset/", {"email": "reset@example.org"})
    assert len(mail.outbox) == 1
    key_path = RESET_URL.search(mail.outbox[0].body).group(1)
    form_url = client.get(key_path, follow=True).redirect_chain[-1][0]
    new = "Another-Strong-Pass-77"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    assert client.post("/accounts/login/", {"login": "reset@example.org", "password": new}).status_code == 302
    assert client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_wrong_password_is_refused_with_message(client, make_user):
    make_user(email="who@example.org")
    response = client.post("/accounts/login/", {"login": "who@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert not client.session.get("_auth_user_id")
    assert 'value="who@example.org"' in response.content.decode()  # what was typed is kept
