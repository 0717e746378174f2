"""The shared web and export helpers: safe redirects, service errors on forms, absolute URLs, the one
double-submit guard, and the export framework's cell convention (CSV, streamed CSV, XLSX)."""

import io
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation

from portal.exports import Table, cell, csv_response, csv_string, xlsx_bytes
from portal.services import create_once
from portal.web import absolute_reverse, add_form_errors, safe_next


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/workshops/1/?status=confirmed", True),
        ("//evil.example/", False),
        ("/\\evil.example", False),
        ("https://evil.example/", False),
        ("http://testserver/reports/", True),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_safe_next_stays_on_the_site(target, safe):
    request = RequestFactory().post("/")
    assert safe_next(request, target, "/fallback/") == (target if safe else "/fallback/")


class _Form(forms.Form):
    latitude = forms.CharField(required=False)
    note = forms.CharField(required=False)


def test_service_errors_land_at_their_fields():
    form = _Form({})
    assert form.is_valid()
    add_form_errors(
        form,
        ValidationError({"point": "Outside.", "note": "Too long.", "other": "Odd."}),
        fields={"point": "latitude"},
    )
    assert form.errors["latitude"] == ["Outside."] and form.errors["note"] == ["Too long."]
    assert form.non_field_errors() == ["Odd."]
    plain = _Form({})
    plain.is_valid()
    add_form_errors(plain, ValidationError("Try again."))
    assert plain.non_field_errors() == ["Try again."]


def test_absolute_urls_use_the_site_address(settings):
    settings.SITE_URL = "https://okrsek.example.org"
    assert absolute_reverse("incidents:track", "abc") == "https://okrsek.example.org/reports/track/abc/"


@pytest.mark.django_db
def test_create_once_gives_the_first_object_to_every_resend(monkeypatch):
    from workshops.models import GoodPractice, Initiative, Workshop

    workshop = Workshop.objects.create(
        initiative=Initiative.objects.create(code="bi", name_cs="BI"), number=1, theme_cs="Téma"
    )
    key = uuid.uuid4()

    def create():
        return GoodPractice.objects.create(workshop=workshop, title="Street lights", submission_key=key)

    first, created = create_once(GoodPractice, submission_key=key, create=create)
    again, created_again = create_once(GoodPractice, submission_key=key, create=create)  # a double click
    assert (created, created_again, again) == (True, False, first)
    # Two requests at once: the second passed the first look-up before the first committed; the unique
    # index refuses its row and it is given the first one's
    real_filter = GoodPractice.objects.filter
    calls = []

    def blind_first_lookup(*args, **kwargs):
        calls.append(kwargs)
        return GoodPractice.objects.none() if len(calls) == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(GoodPractice.objects, "filter", blind_first_lookup)
    raced, raced_created = create_once(GoodPractice, submission_key=key, create=create)
    assert (raced, raced_created) == (first, False)
    assert GoodPractice.objects.count() == 1
    assert create_once(GoodPractice, submission_key=None, create=lambda: "made")[1] is True


def test_cells_follow_one_convention():
    with translation.override("en"):
        assert cell(True) == "yes" and cell(False) == "no" and cell(None) == ""
    with translation.override("cs"):
        assert cell(True) == "ano"
    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and cell("-5 °C") == "'-5 °C"
    assert cell("=1", escape=False) == "=1"
    assert cell(Decimal("10.50")) == Decimal("10.50") and cell(3) == 3
    assert cell(date(2026, 1, 2)) == date(2026, 1, 2)
    assert (
        cell(datetime(2026, 7, 1, 10, 0, tzinfo=UTC)).isoformat() == "2026-07-01T12:00:00"
    )  # local, no zone


def test_csv_and_streamed_csv_say_the_same_and_xlsx_keeps_text_as_text():
    table = Table(
        name="t",
        header=["Name", "When", "Paid"],
        rows=[["=cmd", datetime(2026, 7, 1, 10, tzinfo=UTC), Decimal("12.50")]],
    )
    text = csv_string(table)
    assert text.startswith("\ufeffName,When,Paid\r\n") and "'=cmd,2026-07-01 12:00,12.50" in text
    streamed = b"".join(csv_response(Table(table.name, table.header, list(table.rows)), streaming=True))
    assert streamed.decode() == text
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx_bytes(table))).active
    assert sheet["A2"].value == "=cmd" and sheet["A2"].data_type == "s"  # a string, never a formula
