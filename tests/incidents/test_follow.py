"""Citizens follow their reports (issue 11): every status email carries a working link to the tracking page
(signed, made again for each email, still valid after a key rotation), a lost link can be asked for by
reference and email (it is emailed, never shown), a citizen with an account sees "My reports" (their own and
the ones they claim from a verified address), and supporters who leave an email get the status emails too,
with an unsubscribe link."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.test import override_settings

from incidents import selectors, services
from incidents.models import Report, Support
from portal import retention
from portal.logs import redact
from portal.models import Notification
from tests.incidents.citizen_helpers import IN_DISTRICT, citizen_fixture, point  # noqa: F401

pytestmark = pytest.mark.django_db
PRAGUE = ZoneInfo("Europe/Prague")
START = datetime(2026, 3, 2, 10, 0, tzinfo=PRAGUE)
LINK = re.compile(r"https?://[^/\s]+(/reports/follow/[^\s]+/)")
UNSUBSCRIBE = re.compile(r"https?://[^/\s]+(/reports/unsubscribe/[^\s]+/)")


def submit(citizen, *, email="reporter@example.org", ip="198.51.100.20", **kwargs) -> Report:
    report, _token = services.report_submit(
        category=citizen["dumping"],
        point=point(IN_DISTRICT),
        description="rubbish behind the garages",
        reporter_email=email,
        language="en",
        ip=ip,
        **kwargs,
    )
    return report


def act(report: Report, action: str, actor, **kwargs) -> Report:
    report.refresh_from_db()
    return services.report_transition(report=report, action=action, actor=actor, **kwargs)


def mail_to(address: str, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(to_email=address, kind=kind).order_by("pk"))


def link_in(notification: Notification, pattern=LINK) -> str:
    found = pattern.search(notification.body_text)
    assert found, notification.body_text
    return found.group(1)


# --- the signed link in every status email ---------------------------------------------------------------


def test_a_status_email_links_to_the_tracking_page_with_the_new_status(client, citizen):
    report = submit(citizen)
    act(report, "take_up", citizen["officer"], public_answer="We are on our way.")
    (email,) = mail_to("reporter@example.org", "incident_status")
    path = link_in(email)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert report.reference in html and "being verified" in html and "We are on our way." in html
    assert page["X-Robots-Tag"] == "noindex"

    # every email gets a working link, the later ones too
    act(report, "confirm", citizen["officer"], public_answer="Confirmed on site.")
    latest = mail_to("reporter@example.org", "incident_status")[-1]
    assert "confirmed" in client.get(link_in(latest)).content.decode()


def test_a_signed_link_opens_only_its_own_report(client, citizen):
    report = submit(citizen)
    other = submit(citizen, email="other@example.org", ip="198.51.100.21")
    signed = selectors.tracking_link_path_arg(report)
    assert client.get(f"/reports/follow/{signed}/").status_code == 200
    signature = signed.partition(":")[2]
    # another report's reference with this signature, a changed signature, no signature: nothing
    assert client.get(f"/reports/follow/{other.reference}:{signature}/").status_code == 404
    assert client.get(f"/reports/follow/{report.reference}:{signature[:-2]}xx/").status_code == 404
    assert client.get(f"/reports/follow/{report.reference}/").status_code == 404


def test_a_link_signed_before_a_key_rotation_still_opens_with_the_old_key_as_fallback(client, citizen):
    report = submit(citizen)
    with override_settings(SECRET_KEY="the-old-key-" + "x" * 40, SECRET_KEY_FALLBACKS=[]):
        old_link = selectors.tracking_link_path_arg(report)
    # rotated: the new key signs, the old one is a fallback
    with override_settings(
        SECRET_KEY="the-new-key-" + "y" * 40, SECRET_KEY_FALLBACKS=["the-old-key-" + "x" * 40]
    ):
        assert client.get(f"/reports/follow/{old_link}/").status_code == 200
        new_link = selectors.tracking_link_path_arg(report)
        assert new_link != old_link and client.get(f"/reports/follow/{new_link}/").status_code == 200
    # once the old key is dropped from the fallbacks, its links no longer open
    with override_settings(SECRET_KEY="the-new-key-" + "y" * 40, SECRET_KEY_FALLBACKS=[]):
        assert client.get(f"/reports/follow/{old_link}/").status_code == 404


def test_settings_read_the_fallback_keys_from_the_environment():
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)"
    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECRET_KEY": "k" * 50,
        "SECRET_KEY_FALLBACKS": "old-one,older-one",
        "OKRSEK_IGNORE_DOTENV": "1",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "['old-one', 'older-one']"


def test_the_reporter_withdraws_by_the_signed_link(client, citizen):
    report = submit(citizen)
    signed = selectors.tracking_link_path_arg(report)
    page = client.get(f"/reports/follow/{signed}/").content.decode()
    assert f'href="/reports/follow/{signed}/withdraw/"' in page
    response = client.post(f"/reports/follow/{signed}/withdraw/")
    assert response.status_code == 302 and response["Location"] == f"/reports/follow/{signed}/"
    report.refresh_from_db()
    assert report.status == "withdrawn"


def test_signed_links_and_unsubscribe_links_stay_out_of_the_logs(citizen):
    report = submit(citizen)
    signed = selectors.tracking_link_path_arg(report)
    line = f'"GET /cs/reports/follow/{signed}/withdraw/ HTTP/1.1" 200'
    assert signed.partition(":")[2] not in redact(line)
    assert "/cs/reports/follow/[redacted]/withdraw/" in redact(line)
    assert (
        redact("Not Found: /reports/unsubscribe/12:abcdefSIG/")
        == "Not Found: /reports/unsubscribe/[redacted]/"
    )


# --- look-up by reference and email ----------------------------------------------------------------------


def test_look_up_emails_the_link_only_when_reference_and_email_match(client, citizen):
    report = submit(citizen)
    page = client.get("/reports/find/")
    assert page.status_code == 200

    wrong = client.post("/reports/find/", {"reference": report.reference, "email": "someone@example.org"})
    unknown = client.post("/reports/find/", {"reference": "ZZZZ-ZZZZ", "email": "reporter@example.org"})
    assert not mail_to("someone@example.org", "incident_link")
    assert not mail_to("reporter@example.org", "incident_link")

    right = client.post(
        "/reports/find/", {"reference": report.reference.lower(), "email": "Reporter@Example.org"}
    )
    (email,) = mail_to("reporter@example.org", "incident_link")
    assert report.reference in email.subject

    # the same answer in all three cases, and the link is never on the page
    def answer(response):
        html = response.content.decode()
        assert response.status_code == 200 and "/reports/follow/" not in html
        return re.search(r'id="lookup-sent">([^<]+)<', html).group(1)

    assert answer(wrong) == answer(unknown) == answer(right)
    # the emailed link opens the tracking page
    assert client.get(link_in(email)).status_code == 200


def test_look_up_is_rate_limited_per_client(client, citizen):
    report = submit(citizen)
    with time_machine.travel(START, tick=False):
        for _ in range(10):
            client.post("/reports/find/", {"reference": "ZZZZ-ZZZZ", "email": "x@example.org"})
        refused = client.post(
            "/reports/find/", {"reference": report.reference, "email": "reporter@example.org"}
        )
        assert refused.status_code == 429 and "Too many look-ups" in refused.content.decode()
        assert not mail_to("reporter@example.org", "incident_link")
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        client.post("/reports/find/", {"reference": report.reference, "email": "reporter@example.org"})
    assert len(mail_to("reporter@example.org", "incident_link")) == 1


def test_look_up_refuses_a_bad_email_with_a_message(client, citizen):
    response = client.post("/reports/find/", {"reference": "ABCD-EFGH", "email": "not an email"})
    assert response.status_code == 200 and "Enter a valid email address." in response.content.decode()


# --- supporters ------------------------------------------------------------------------------------------


def support(client, report, **data):
    return client.post(f"/reports/support/{report.reference}/", data, REMOTE_ADDR="203.0.113.5")


def test_a_supporter_with_an_email_gets_the_status_emails_and_can_stop_them(client, citizen):
    report = submit(citizen)
    response = support(client, report, supporter_email="neighbour@example.org")
    assert response.status_code == 302
    assert Support.objects.get(report=report).email == "neighbour@example.org"

    act(report, "take_up", citizen["officer"], public_answer="We are on our way.")
    (email,) = mail_to("neighbour@example.org", "incident_supported_status")
    assert report.reference in email.subject
    assert "being verified" in email.body_text and "We are on our way." in email.body_text
    assert "/reports/follow/" not in email.body_text  # never the reporter's private page
    path = link_in(email, UNSUBSCRIBE)

    confirm = client.get(path)  # a mail scanner opening the link changes nothing
    assert confirm.status_code == 200 and Support.objects.get(report=report).email == "neighbour@example.org"
    done = client.post(path)
    assert done.status_code == 200 and "no more emails" in done.content.decode()
    assert Support.objects.get(report=report).email == ""
    act(report, "confirm", citizen["officer"], public_answer="Confirmed.")
    assert len(mail_to("neighbour@example.org", "incident_supported_status")) == 1
    assert report.supports.count() == 1  # the support itself stays


def test_the_report_forms_email_subscribes_a_supporter_and_an_anonymous_one_gets_nothing(client, citizen):
    report = submit(citizen)
    support(client, report, reporter_email="from-form@example.org")
    client.post(f"/reports/support/{report.reference}/", {}, REMOTE_ADDR="203.0.113.6")
    act(report, "take_up", citizen["officer"])
    assert len(mail_to("from-form@example.org", "incident_supported_status")) == 1
    assert Notification.objects.filter(kind="incident_supported_status").count() == 1


def test_a_bad_supporter_email_is_refused_with_a_message_and_nothing_saved(client, citizen):
    report = submit(citizen)
    response = support(client, report, supporter_email="nope")
    assert response.status_code == 302
    assert not Support.objects.filter(report=report).exists()
    follow = client.get(response["Location"])
    assert "Enter a valid email address." in follow.content.decode()


def test_supporters_emails_go_with_the_supports_retention(citizen):
    with time_machine.travel(START, tick=False):
        report = submit(citizen)
        services.report_support(report=report, ip="203.0.113.9", email="neighbour@example.org", language="en")
        for action in ("take_up", "joke"):
            act(report, action, citizen["officer"], public_answer="Checked.")
    with time_machine.travel(START + timedelta(days=181), tick=False):
        done = retention.purge()
    assert done["incidents.supports"] == 1
    assert not Support.objects.filter(email="neighbour@example.org").exists()


# --- My reports ------------------------------------------------------------------------------------------


def test_my_reports_lists_own_and_claimed_reports_not_others(client, citizen, make_user):
    me = make_user(email="me@example.org")
    EmailAddress.objects.create(user=me, email="old-me@example.org", verified=True)
    EmailAddress.objects.create(user=me, email="not-proven@example.org", verified=False)
    mine = submit(citizen, email="me@example.org", reporter=me)
    anonymous_mine = submit(citizen, email="OLD-me@example.org", ip="198.51.100.30")
    unverified = submit(citizen, email="not-proven@example.org", ip="198.51.100.31")
    others = submit(citizen, email="someone@example.org", ip="198.51.100.32")
    client.force_login(me)

    page = client.get("/reports/mine/").content.decode()
    assert mine.reference in page
    assert anonymous_mine.reference in page and 'id="claim-reports"' in page  # offered to claim
    assert unverified.reference not in page and others.reference not in page
    # the own report links to its tracking page
    assert f'href="/reports/follow/{selectors.tracking_link_path_arg(mine)}/"' in page

    client.post("/reports/mine/claim/")
    assert Report.objects.get(pk=anonymous_mine.pk).reporter == me
    assert Report.objects.get(pk=unverified.pk).reporter is None
    page = client.get("/reports/mine/").content.decode()
    assert f'href="/reports/follow/{selectors.tracking_link_path_arg(anonymous_mine)}/"' in page
    assert 'id="claim-reports"' not in page and others.reference not in page

    # somebody else sees none of them
    client.force_login(make_user(email="stranger@example.org"))
    page = client.get("/reports/mine/").content.decode()
    assert mine.reference not in page and anonymous_mine.reference not in page


def test_a_report_sent_while_logged_in_is_the_users(client, citizen, make_user):
    from tests.incidents.citizen_helpers import form_data, post

    me = make_user(email="me@example.org")
    client.force_login(me)
    post(client, form_data(client, reporter_email="me@example.org"))
    report = Report.objects.get()
    assert report.reporter == me
    assert report.reference in client.get("/reports/mine/").content.decode()


def test_my_reports_needs_a_login(client, citizen):
    response = client.get("/reports/mine/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_reports_reads_a_constant_number_of_queries(client, citizen, make_user, django_assert_num_queries):
    me = make_user(email="me@example.org")
    client.force_login(me)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/reports/mine/").status_code == 200
        return len(queries)

    submit(citizen, email="me@example.org", reporter=me)
    submit(citizen, email="me@example.org", ip="198.51.100.40")
    few = count()
    for number in range(8):
        submit(citizen, email="me@example.org", reporter=me, ip=f"198.51.100.{50 + number}")
        submit(citizen, email="me@example.org", ip=f"198.51.101.{50 + number}")
    assert count() == few


def test_citizens_without_a_role_find_my_reports_in_the_header(client, citizen, make_user):
    client.force_login(make_user(email="me@example.org"))
    assert 'href="/reports/mine/" id="my-reports-link"' in client.get("/reports/").content.decode()
    client.force_login(citizen["officer"])
    assert 'id="my-reports-link"' not in client.get("/reports/").content.decode()


def test_the_nearby_list_offers_the_supporter_an_email_field(client, citizen):
    report = submit(citizen)
    nearby = client.get(
        f"/reports/new/nearby.json?lat={IN_DISTRICT[0]}&lon={IN_DISTRICT[1]}&category=illegal-dumping"
    )
    html = nearby.json()["html"]
    assert 'name="supporter_email"' in html and f"/reports/support/{report.reference}/" in html
