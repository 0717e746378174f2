"""The reporter's private tracking page: status, deadlines and whether they were met, the public answers and
the public timeline; never internal notes, never who in the police did what, never for a wrong token."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from incidents import services
from incidents.models import Report
from portal.models import PartnerBody
from tests.incidents.citizen_helpers import IN_DISTRICT, citizen_fixture, point  # noqa: F401

pytestmark = pytest.mark.django_db
PRAGUE = ZoneInfo("Europe/Prague")
START = datetime(2026, 3, 2, 10, 0, tzinfo=PRAGUE)


def submit(citizen, **kwargs) -> tuple[Report, str]:
    return services.report_submit(
        category=kwargs.pop("category", citizen["dumping"]),
        point=point(IN_DISTRICT),
        description=kwargs.pop("description", "PRIVATE-DESCRIPTION rubbish behind the garages"),
        reporter_email="reporter@example.org",
        language="en",
        ip="198.51.100.20",
        **kwargs,
    )


def act(report, action, actor, **kwargs) -> Report:
    report.refresh_from_db()
    return services.report_transition(report=report, action=action, actor=actor, **kwargs)


def page(client, token) -> str:
    response = client.get(f"/reports/track/{token}/")
    assert response.status_code == 200
    return response.content.decode()


def state(html: str, deadline: str) -> str:
    return re.search(rf'data-deadline="{deadline}" data-state="(\w+)"', html).group(1)


def test_new_report_shows_status_deadlines_and_the_place(client, citizen, django_assert_max_num_queries):
    with time_machine.travel(START, tick=False):
        report, token = submit(citizen)
        with django_assert_max_num_queries(6):
            response = client.get(f"/reports/track/{token}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="new"' in html and ">new</strong>" in html
    assert report.reference in html and "Illegal rubbish dump" in html
    assert "Domažlice West" in html and "Domažlice" in html
    assert state(html, "take_up") == "pending" and state(html, "verify") == "none"
    assert 'datetime="2026-03-04T10:00:00+01:00"' in html  # take up within 48 h
    assert "within 5 days after it is taken up" in html
    assert 'data-lat="49.450000" data-lon="12.950000"' in html
    assert "The report was submitted." in html
    # Private: not indexed, not cached, and what only the police see is not here.
    assert '<meta name="robots" content="noindex">' in html and response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]
    assert "PRIVATE-DESCRIPTION" not in html and "reporter@example.org" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and " style=" not in html


def test_timeline_shows_public_answers_never_notes_or_names(client, citizen):
    officer = citizen["officer"]
    with time_machine.travel(START, tick=False) as traveller:
        report, token = submit(citizen)
        traveller.shift(timedelta(hours=20))
        act(report, "take_up", officer, internal_note="INTERNAL-NOTE-1 neighbour is a suspect")
        traveller.shift(timedelta(days=2))
        act(
            report,
            "confirm",
            officer,
            public_answer="Confirmed, the town will clear it.",
            internal_note="INTERNAL-2",
        )
        services.report_support(report=report, ip="203.0.113.1")
        html = page(client, token)
    assert 'data-status="confirmed"' in html
    assert "The report was taken up by the police." in html and "The threat was confirmed." in html
    assert "Confirmed, the town will clear it." in html
    assert state(html, "take_up") == "met" and state(html, "verify") == "met"
    assert html.count("· police") == 2 and "· you" in html
    assert "1 more person reported the same problem" in html
    for secret in ("INTERNAL-NOTE-1", "INTERNAL-2", "Jan Novák", "okrskar@example.org", "coord@example.org"):
        assert secret not in html
    assert "supported" not in html.lower().split("what happened")[1]  # supports are not timeline entries


def test_missed_deadlines_are_shown_as_missed(client, citizen):
    with time_machine.travel(START, tick=False) as traveller:
        report, token = submit(citizen)
        traveller.shift(timedelta(hours=49))
        services.deadlines_sweep()
        html = page(client, token)
        assert state(html, "take_up") == "overdue"
        assert "The deadline for taking the report up has passed." in html
        traveller.shift(timedelta(hours=1))
        act(report, "take_up", citizen["officer"])
        traveller.shift(timedelta(days=6))
        html = page(client, token)
    assert state(html, "take_up") == "late" and state(html, "verify") == "overdue"


def test_partner_body_answer_is_signed_by_the_body_not_a_person(client, citizen, make_user):
    from portal import roles

    body = PartnerBody.objects.create(
        code="mp", name="MP Domažlice", kind="municipal_police", municipality=citizen["town"]
    )
    partner = make_user(
        email="strażnik@example.org", roles=[roles.PARTNER_BODY], partner_body=body, full_name="Eva Malá"
    )
    officer = citizen["officer"]
    report, token = submit(citizen)
    act(report, "take_up", officer)
    act(report, "confirm", officer)
    act(report, "hand_over", officer, partner_body=body, public_answer="Handed to the municipal police.")
    act(report, "partner_answer", partner, public_answer='Cleared. <script>alert("x")</script>')
    html = page(client, token)
    assert 'data-status="handed_over"' in html and "· partner body" in html
    assert "Eva Malá" not in html and "strażnik@example.org" not in html
    assert '<script>alert("x")</script>' not in html
    assert "Cleared. &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_unknown_or_malformed_token_is_404(client, citizen):
    report, token = submit(citizen)
    other = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/reports/track/{other}/").status_code == 404
    assert client.get("/reports/track/short/").status_code == 404
    assert client.get("/reports/track/" + "a" * 500 + "/").status_code == 404
    assert client.get(f"/reports/track/{report.reference}/").status_code == 404


def test_submitted_page_without_a_report_in_the_session_explains(client, citizen):
    html = client.get("/reports/submitted/").content.decode()
    assert "Nothing to show here" in html and "/reports/track/" not in html


def test_landing_page_links_the_form_the_map_and_the_statistics(
    client, citizen, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        response = client.get("/reports/")
    html = response.content.decode()
    for href in ("/reports/new/", "/reports/map/", "/reports/stats/"):
        assert f'href="{href}"' in html
    assert "Within 2 days" in html and "Within 5 days" in html
    assert "Illegal rubbish dump" in html
