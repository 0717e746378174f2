"""Private links' tokens stay out of places that last: the access logs (gunicorn's and the development
server's), Django's "Not Found" warnings and the outbox as the admin shows it."""

import io
import logging
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from gunicorn.config import Config

from portal.logs import GunicornLogger, RedactSecrets, redact
from portal.models import Notification

TOKEN = "Xy7_secretTOKENvalue-0123456789abc"
TRACK = f"/reports/track/{TOKEN}/"


def test_redact_hides_the_tokens_of_private_links_and_nothing_else():
    assert redact(f'"GET {TRACK} HTTP/1.1" 200 5120') == '"GET /reports/track/[redacted]/ HTTP/1.1" 200 5120'
    assert redact(f"https://okrsek.example.org/cs{TRACK}?x=1") == (
        "https://okrsek.example.org/cs/reports/track/[redacted]/?x=1"
    )
    assert redact(f"/workshops/registration/{TOKEN}/calendar.ics") == (
        "/workshops/registration/[redacted]/calendar.ics"
    )
    assert redact("/open311/v2/requests.json?api_key=ok_abcdef123&status=open") == (
        "/open311/v2/requests.json?api_key=[redacted]&status=open"
    )
    assert redact("api_key=ok_abcdef123") == "api_key=[redacted]"  # gunicorn's %(q)s has no "?"
    for harmless in ("GET /reports/map/ HTTP/1.1", "/reports/new/", "/surveys/1/", "plain text"):
        assert redact(harmless) == harmless


@pytest.mark.django_db
def test_a_wrong_tracking_link_is_logged_without_its_token(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(TRACK).status_code == 404
    assert "Not Found: /reports/track/[redacted]/" in caplog.text
    assert TOKEN not in caplog.text


def test_the_development_servers_request_lines_are_redacted():
    logger = logging.getLogger("django.server")
    # the handler LOGGING gives it (the test run may add its own)
    handler = next(h for h in logger.handlers if any(isinstance(f, RedactSecrets) for f in h.filters))
    record = logger.makeRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s', (f"GET {TRACK} HTTP/1.1", "200", "51"), None
    )
    record.status_code = 200
    assert handler.filter(record)
    assert handler.format(record).endswith('"GET /reports/track/[redacted]/ HTTP/1.1" 200 51')


class _Response:
    status = "200 OK"
    sent = 5120
    headers = [("Content-Type", "text/html")]


def test_gunicorns_access_log_leaves_the_token_out():
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %({x-original-url}i)s')
    logger = GunicornLogger(cfg)
    out = io.StringIO()
    logger.access_log.handlers = [logging.StreamHandler(out)]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": TRACK,
        "PATH_INFO": TRACK,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "198.51.100.7",
        "HTTP_REFERER": f"https://okrsek.example.org{TRACK}",
    }
    logger.access(_Response(), [("X-Original-URL", TRACK)], environ, timedelta(milliseconds=12))
    line = out.getvalue()
    assert '"GET /reports/track/[redacted]/ HTTP/1.1" 200' in line
    assert TOKEN not in line and line.count("[redacted]") == 4


def test_gunicorn_reads_the_logger_from_the_project_folder():
    from gunicorn.app.base import Application

    class App(Application):
        def init(self, parser, opts, args):
            return {}

        def load(self):
            return None

    app = App.__new__(App)
    app.cfg = Config()
    app.load_config_from_file("gunicorn.conf.py")
    assert app.cfg.logger_class is GunicornLogger


@pytest.mark.django_db
def test_the_admin_masks_the_links_in_the_outbox(client, settings):
    settings.MFA_REQUIRED_SUPERUSER = False
    admin = get_user_model().objects.create_superuser(email="root@example.org", password="x-Pass-1234")
    mail = Notification.objects.create(
        to_email="reporter@example.org",
        language="en",
        kind="incident_received",
        subject="Your report ABCD-EFGH",
        body_text=f"Follow it at https://okrsek.example.org{TRACK}\nThank you.",
        body_html=f'<a href="https://okrsek.example.org{TRACK}">Follow it</a>',
        attachments=[{"filename": "invite.ics", "content_type": "text/calendar", "content_b64": "U0VDUkVU"}],
    )
    client.force_login(admin)
    page = client.get(f"/admin/portal/notification/{mail.pk}/change/").content.decode()
    assert "Follow it at https://okrsek.example.org/reports/track/[redacted]/" in page
    assert "reporter@example.org" in page and "invite.ics" in page
    assert TOKEN not in page and "U0VDUkVU" not in page
