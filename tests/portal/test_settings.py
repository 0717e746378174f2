"""The settings module is driven by the environment; production settings pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# What the test process itself sets (the browser tests allow async-unsafe calls) must not leak into the
# production-like subprocesses.
_NOT_INHERITED = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}


def _run(code: str, **env) -> subprocess.CompletedProcess:
    base = _clean_env()
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "portal.settings", "OKRSEK_IGNORE_DOTENV": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRINT = "import django; django.setup(); from django.conf import settings as s; print({})"


def test_secret_key_file_variant(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file-" + "x" * 50 + "\n")
    result = _run(
        PRINT.format("s.SECRET_KEY"), DEBUG="0", SECRET_KEY_FILE=str(secret), ALLOWED_HOSTS="a.example"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from-a-file-" + "x" * 50


def test_production_refuses_to_start_without_secret_key():
    result = _run(PRINT.format("s.DEBUG"), DEBUG="0")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_embedded_defaults_and_service_urls():
    embedded = _run(
        PRINT.format("(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.TIME_ZONE)"), DEBUG="1"
    )
    assert embedded.returncode == 0, embedded.stderr
    assert "spatialite" in embedded.stdout and "filesystem://" in embedded.stdout
    assert "Europe/Prague" in embedded.stdout
    services = _run(
        PRINT.format("(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.EMAIL_BACKEND)"),
        DEBUG="1",
        DATABASE_URL="postgis://u:p@db.example:5432/okrsek",
        REDIS_URL="redis://cache.example:6379/2",
        EMAIL_URL="smtp+tls://mailer:pw@smtp.example:587",
    )
    assert services.returncode == 0, services.stderr
    assert "postgis" in services.stdout
    assert "redis://cache.example:6379/2" in services.stdout
    assert "smtp.EmailBackend" in services.stdout


def test_check_deploy_is_clean():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **_clean_env(),
            "DEBUG": "0",
            "SECRET_KEY": "k" * 20 + "production-like-secret-key-with-enough-entropy-1234567890",
            "ALLOWED_HOSTS": "okrsek.example.org",
            "OKRSEK_IGNORE_DOTENV": "1",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_security_headers_in_production_settings():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'])"
    )
    result = _run(code, DEBUG="0", SECRET_KEY="s" * 60, ALLOWED_HOSTS="a.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:4] == ["31536000", "True", "True", "True"]
    assert "'self'" in result.stdout and "unsafe-inline" not in result.stdout
