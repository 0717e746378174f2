"""API keys in the admin: the secret is generated and shown once, only its hash is stored, rotation works."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from incidents.models import ApiKey
from incidents.open311.selectors import api_key_hash
from portal.models import ActivityLog


@pytest.fixture
def client():
    """Clients that ask for English (the portal's default language is Czech)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


SERVICES = "/open311/v2/services.json"


@pytest.fixture
def admin_client(client, make_user):
    user = make_user(email="root@example.org")
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


def shown_secret(response) -> str:
    (message,) = [str(m) for m in get_messages(response.wsgi_request) if "copy it now" in str(m)]
    return message.split(" is ", 1)[1].split(" ", 1)[0]


@pytest.mark.django_db
def test_creating_a_key_shows_its_secret_once_and_stores_only_its_hash(admin_client, area):
    response = admin_client.post(
        "/admin/incidents/apikey/add/",
        {
            "name": "FixMyStreet Domažlice",
            "contact_email": "dev@example.org",
            "active": "on",
            "rate_limit_per_hour": "100",
            "police_unit": area["unit"].pk,
        },
    )
    assert response.status_code == 302
    secret = shown_secret(response)
    key = ApiKey.objects.get()
    assert secret.startswith(key.prefix + "_") and len(secret) > 40
    assert key.key_hash == api_key_hash(secret)
    assert secret not in str(list(ApiKey.objects.values()))
    assert admin_client.get(SERVICES, HTTP_X_API_KEY=secret).status_code == 200
    first = admin_client.get("/admin/incidents/apikey/").content.decode()
    assert secret in first  # the message, once
    changelist = admin_client.get("/admin/incidents/apikey/").content.decode()
    assert key.prefix in changelist and secret not in changelist
    page = admin_client.get(f"/admin/incidents/apikey/{key.pk}/change/").content.decode()
    assert secret not in page and key.prefix in page
    assert ActivityLog.objects.filter(verb="open311.api_key_created", target_id=str(key.pk)).exists()


@pytest.mark.django_db
def test_new_secret_action_replaces_the_old_one_and_changes_are_logged(admin_client, area):
    from incidents.open311.services import api_key_create

    key, old = api_key_create(name="App")
    response = admin_client.post(
        "/admin/incidents/apikey/", {"action": "issue_new_secret", "_selected_action": [key.pk]}
    )
    new = shown_secret(response)
    assert admin_client.get(SERVICES, HTTP_X_API_KEY=old).status_code == 403
    assert admin_client.get(SERVICES, HTTP_X_API_KEY=new).status_code == 200
    response = admin_client.post(
        f"/admin/incidents/apikey/{key.pk}/change/",
        {"name": "App", "rate_limit_per_hour": "5", "staff": "on"},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.staff and not key.active and key.rate_limit_per_hour == 5
    assert admin_client.get(SERVICES, HTTP_X_API_KEY=new).status_code == 403  # deactivated
    entry = ActivityLog.objects.get(verb="open311.api_key_changed")
    assert set(entry.data["fields"]) == {"rate_limit_per_hour", "staff", "active"}
    assert ActivityLog.objects.filter(verb="open311.api_key_rotated").count() == 1
