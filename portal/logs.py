"""Secrets stay out of the logs: the private links (a report's tracking page by its token or by a signed
link, a supporter's unsubscribe link, a workshop registration's self-service page) carry their secret
token in the path (an Open311 client may put its api key in the query string), and an access log line or a
"Not Found" warning would keep it for as long as the logs are kept. ``redact`` replaces those tokens with
``[redacted]``; ``RedactSecrets`` applies it to every record of the handlers and loggers ``LOGGING`` gives
it to (Django's request and development-server logs, the console); ``GunicornLogger`` applies it to
gunicorn's access log (set in ``gunicorn.conf.py``, which gunicorn reads from the working folder).

Imported by the logging configuration, before the apps are loaded: nothing here may import models."""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"

# The secret part of each private URL (a language prefix or an absolute address before it does not matter),
# and an Open311 api key given in a query string
SECRETS = re.compile(
    r"(?P<prefix>/(?:reports/(?:track|follow|unsubscribe|alerts/(?:confirm|unsubscribe|mine|stop))|workshops/registration)/|(?:^|[?&])api_key=)(?P<secret>[^/\s?&#\"'.]+)"
)


def redact(text: str) -> str:
    """``text`` with the tokens of private links (and query-string api keys) replaced by ``[redacted]``."""
    if "/" not in text and "api_key" not in text:
        return text
    return SECRETS.sub(lambda m: m.group("prefix") + REDACTED, text)


class RedactSecrets(logging.Filter):
    """Rewrites a record whose message holds a private link: the message is rendered once and kept
    redacted (the arguments are dropped), so every handler after this one sees only the redacted text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is the handler's business, not ours
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is only needed where it serves the site
    _GunicornLogger = object  # type: ignore[assignment,misc]


class GunicornLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """gunicorn's logger whose access log never holds a private link's token: in the request line, the
    path, the query, the referrer or any other header."""

    def atoms(self, resp, req, environ, request_time) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
