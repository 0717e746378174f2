"""HTTP side of the hostile run: sessions per role over plain http, forms read from pages, the counters.

Only 127.0.0.1 / localhost addresses are ever requested (``Client`` refuses anything else)."""

import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = time.monotonic() + 10 * 60  # the whole run, whatever happens


def left() -> float:
    """Seconds left of the whole run."""
    return DEADLINE - time.monotonic()


PASSWORD = "okrsek-demo"  # noqa: S105 - the demo users' documented password
ROLES = [
    "officer",
    "coordinator",
    "partner",
    "staff",
    "organiser",
    "commission",
    "manager",
    "methodologist",
    "interviewer",
    "admin",
]
XSS_MARK = "<script>alert('hostile-xss')</script>"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Tally:
    tried: int = 0
    failed: int = 0
    details: list = field(default_factory=list)

    def add(self, ok: bool, detail: str = "") -> None:
        self.tried += 1
        if not ok:
            self.failed += 1
            if len(self.details) < 60:
                self.details.append(detail)


class Client:
    def __init__(self, base: str, role: str = "anon", timeout: float = 30):
        host = urlsplit(base).hostname
        if host not in ("127.0.0.1", "localhost"):
            raise SystemExit(f"refusing a non-local target: {base}")
        self.base = base.rstrip("/")
        self.role = role
        self.timeout = timeout
        self.session = requests.Session()
        self.csrf = ""
        self.html_seen: list[tuple[str, str]] = []  # (url, body) of HTML answers, for the escaping check

    def url(self, path: str) -> str:
        return self.base + path

    def request(self, method: str, path: str, **kwargs) -> tuple[requests.Response | None, float]:
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", self.timeout)
        started = time.monotonic()
        try:
            response = self.session.request(method, self.url(path), **kwargs)
        except requests.RequestException as error:
            print(f"  ! {self.role} {method} {path}: {type(error).__name__}: {str(error)[:120]}")
            return None, time.monotonic() - started
        elapsed = time.monotonic() - started
        for cookie in self.session.cookies:
            cookie.secure = False  # the production settings' Secure cookies, sent back over the run's http
        if "text/html" in response.headers.get("Content-Type", "") and XSS_MARK in response.text:
            self.html_seen.append((f"{method} {path}", response.text))
        match = (
            CSRF.search(response.text) if "text/html" in response.headers.get("Content-Type", "") else None
        )
        if match:
            self.csrf = match.group(1)
        return response, elapsed

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data=None, files=None, **kwargs):
        if not self.csrf:
            self.get("/accounts/login/")
        headers = {"X-CSRFToken": self.csrf, "Referer": self.url(path), **kwargs.pop("headers", {})}
        data = dict(data or {})
        data.setdefault("csrfmiddlewaretoken", self.csrf)
        return self.request("POST", path, data=data, files=files, headers=headers, **kwargs)

    def login(self) -> bool:
        if self.role == "anon":
            self.get("/accounts/login/")
            return True
        self.get("/accounts/login/")
        response, _ = self.post(
            "/accounts/login/", {"login": f"{self.role}@demo.okrsek.cz", "password": PASSWORD}
        )
        ok = response is not None and response.status_code == 302
        self.get("/my/")  # a fresh CSRF token after the login rotated it
        if not self.csrf:
            self.get("/accounts/login/")
        return ok


class FormParser(HTMLParser):
    """The fields of the first <form method=post> of a page (after the language switcher and logout forms)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.current: dict | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {
                "action": a.get("action"),
                "method": (a.get("method") or "get").lower(),
                "fields": {},
            }
            self.forms.append(self.current)
        if self.current is None:
            return
        fields = self.current["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind in ("radio",) and name in fields:
                return
            fields[name] = {"type": kind, "value": a.get("value", "")}
        elif tag == "select" and name:
            self.select = name
            fields[name] = {"type": "select", "value": ""}
        elif tag == "option" and self.select:
            entry = self.current["fields"][self.select]
            if not entry["value"] and a.get("value"):
                entry["value"] = a["value"]
        elif tag == "textarea" and name:
            fields[name] = {"type": "textarea", "value": ""}

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        if tag == "form":
            self.current = None


def post_form(html: str) -> dict | None:
    parser = FormParser()
    parser.feed(html)
    skip = ("/i18n/setlang/", "/accounts/logout/")
    for form in parser.forms:
        if form["method"] == "post" and not any(s in (form["action"] or "") for s in skip):
            return form
    return None


def form_defaults(fields: dict) -> dict:
    """Plausible values for every field of a form, as a careful user would send them."""
    data = {}
    for name, spec in fields.items():
        kind, value = spec["type"], spec["value"]
        if name == "csrfmiddlewaretoken":
            continue
        if kind == "file":
            continue
        if kind == "checkbox":
            data[name] = value or "on"
        elif value:
            data[name] = value
        elif kind == "email" or "email" in name:
            data[name] = "hostile.user@example.org"
        elif kind == "number":
            data[name] = "1"
        elif kind == "date":
            data[name] = "2026-12-20"
        elif kind == "datetime-local":
            data[name] = "2026-12-01T10:00"
        else:
            data[name] = "hostile test"
    return data
