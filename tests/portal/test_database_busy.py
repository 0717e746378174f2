"""If a save still finds the database locked, the person gets a translated "try again" page that keeps what
they typed (portal/middleware.py), never a traceback; trying again saves it."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.utils import OperationalError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from portal import roles
from portal.middleware import DatabaseBusyMiddleware
from workshops import services as workshop_services
from workshops.models import Initiative, Nomination

TYPED = {
    "representative_name": "Marie Úřednice",
    "position": "tajemnice",
    "email": "marie@example.org",
    "phone": "+420 379 000 000",
    "note": "Přijede vlakem\nv 8:10",
    "action": "save",
}


class _Forms(HTMLParser):
    """The page's POST forms: their action and the fields they would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post":
            self.forms.append({"action": attrs.get("action"), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")


def _retry_form(html: str) -> dict:
    parser = _Forms()
    parser.feed(html)
    (form,) = [f for f in parser.forms if "representative_name" in f["fields"]]
    return form


@pytest.fixture
def nomination_page(db, client, make_user, municipality):
    Initiative.objects.create(
        code="bi-norway",
        name_cs="Sdílení dobré praxe",
        organiser="MV ČR",
        nomination_deadline=timezone.localdate() + timedelta(days=7),
    )
    staff = make_user(email="staff@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=municipality)
    client.force_login(staff)
    return reverse("workshops:nomination", args=["bi-norway"])


def test_a_locked_database_answers_a_czech_try_again_page_and_trying_again_saves(
    client, nomination_page, monkeypatch
):
    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(workshop_services, "nomination_save", locked)
    client.cookies["django_language"] = "cs"
    page = client.post(nomination_page, TYPED)

    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    html = page.content.decode()
    assert "Chvilku strpení" in html  # the heading, in the Czech the person uses
    assert "nic nebylo uloženo" in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert "Marie Úřednice" in html and "Přijede vlakem<br>v 8:10" in html  # what they typed, visible
    assert "<li>save</li>" not in html  # (the button they pressed is not something they typed)
    assert Nomination.objects.count() == 0  # nothing half-written

    monkeypatch.undo()  # the lock is gone: "Try again" sends the kept input to the same form
    form = _retry_form(html)
    assert form["action"] == nomination_page
    assert {k: v for k, v in form["fields"].items() if k != "csrfmiddlewaretoken"} == TYPED
    assert client.post(form["action"], form["fields"]).status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.representative_name, nomination.note) == ("Marie Úřednice", "Přijede vlakem\nv 8:10")


def test_the_try_again_page_keeps_no_password_and_says_so():
    request = RequestFactory().post(
        "/accounts/login/", {"login": "marie@example.org", "password": "Tajne-heslo-123"}
    )
    request.user = AnonymousUser()
    with translation.override("en"):
        response = DatabaseBusyMiddleware(lambda r: None).process_exception(
            request, OperationalError("database is locked")
        )
    html = response.content.decode()
    assert response.status_code == 503
    assert 'value="marie@example.org"' in html
    assert "Tajne-heslo-123" not in html
    assert "Passwords are not kept" in html


def test_other_database_errors_are_not_dressed_up_as_busy(client, nomination_page, monkeypatch):
    def broken(**kwargs):
        raise OperationalError("no such table: workshops_nomination")

    monkeypatch.setattr(workshop_services, "nomination_save", broken)
    with pytest.raises(OperationalError, match="no such table"):
        client.post(nomination_page, TYPED)
