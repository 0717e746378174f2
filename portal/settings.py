"""The one settings module of Okrsek, driven by environment variables.

Every variable may also be given as ``NAME_FILE`` pointing at a file that holds the value (Docker/Kubernetes
secrets). Without any variable set, the portal runs on the embedded defaults: a SpatiaLite file and a
``filesystem://`` Celery broker under ``var/``.
"""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OKRSEK_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
# *_FILE variants: read the value from the named file (secrets mounted as files).
for _name in (
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_URL",
    "EMAIL_URL",
    "IP_HASH_SALT",
):
    _file = os.environ.get(f"{_name}_FILE")
    if _file and _name not in os.environ:
        os.environ[_name] = Path(_file).read_text(encoding="utf-8").strip()
if Path(BASE_DIR / ".env").is_file() and not os.environ.get("OKRSEK_IGNORE_DOTENV"):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
_DEV_KEY = "django-insecure-okrsek-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_KEY if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE), or DEBUG=1 for local development.")
# Key rotation: put the old key here (comma-separated, newest first) when SECRET_KEY changes. Signatures made
# with it stay valid (the signed tracking links in old status emails, sessions, password-reset links) while
# everything new is signed with SECRET_KEY; drop the old key once its links may expire.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.humanize",
    "rules",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "leaflet",
    "csp",
    "portal",
    "incidents",
    "audits",
    "workshops",
    "projects",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.mfa.MfaRequiredMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads request.POST (CSRF does it in process_view, after every middleware's __call__);
    # here, after the locale, the user and CSP, so that its 413 page is the site's, in the person's language.
    "portal.middleware.RequestBodyLimitMiddleware",
    # Last, so it sees a view's exception first: a locked SQLite file answers "try again", keeping the input.
    "portal.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# --- Database: SpatiaLite file under var/ by default, PostGIS with DATABASE_URL=postgis://…
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"spatialite:///{VAR_DIR / 'okrsek.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("spatialite"):
    # web, worker and beat write to one file at once (tests/portal/test_sqlite_concurrency.py):
    # - WAL: readers never wait for a writer, and a writer never waits for readers;
    # - IMMEDIATE: every transaction takes the write lock when it begins, so a transaction that reads, then
    #   writes can wait for its turn. In SQLite's default (DEFERRED) mode it would try to upgrade its read
    #   lock mid-way and fail at once with "database is locked", whatever the timeout;
    # - timeout: how long a writer waits for the lock (SQLite's busy timeout) before it gives up;
    # - synchronous stays FULL (the default): a save confirmed to the user survives a power cut too.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env.int("SQLITE_TIMEOUT", default=20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": None}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles every query it thinks costly: on the public map's cluster and statistics
    # queries over a million reports that cost 1.5 s per worker for 0.2 s of work. Web queries need no JIT.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# GDAL < 3.9 (Debian 12 ships 3.6) cannot block file/network access from spatial references. Okrsek never
# parses spatial references from untrusted input: citizens send plain coordinates, and boundary files are
# imported only by operators with manage.py. So the warning is known and silenced on purpose.
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=["gis.W001"])
SPATIALITE_LIBRARY_PATH = env.str("SPATIALITE_LIBRARY_PATH", default="mod_spatialite")

# --- Cache and Celery: Redis with REDIS_URL (the broker; also the cache unless CACHE_URL names another), else
# local memory and the filesystem broker under var/. The Redis cache fails open (portal/cache.py): with Redis
# down, pages render without the cache and only /healthz reports the broker.
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_URL = env.str("CACHE_URL", default="") or REDIS_URL
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # A host name, though the folder transport uses none: without one kombu warns "No hostname was supplied".
    CELERY_BROKER_URL = "filesystem://localhost/"
    _queue_dir = str(VAR_DIR / "celery" / "queue")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _queue_dir,
        "data_folder_out": _queue_dir,
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
        # kombu looks into the folder once a second by default: a queued task waited up to 1 s, and a worker
        # took at most ~2 tasks a second (bench/outbox.py, docs/performance.md). A look costs one listdir.
        "polling_interval": env.float("BROKER_POLLING_INTERVAL", default=0.1),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Sends what is due in the notification outbox: catches rows whose immediate task was lost and retries
    # failed ones after their back-off. Idempotent: rows are claimed with a conditional UPDATE.
    "notifications-send-due": {"task": "portal.tasks.notifications_send_due", "schedule": 60.0},
    # KMZB deadlines: marks overdue reports, reminds officers 6 h before each deadline. Idempotent.
    "incidents-deadlines": {"task": "incidents.tasks.deadlines_sweep", "schedule": 60.0},
    # The public map's clusters counted ahead: reports leaving the 7/30/90-day periods go out. Idempotent.
    "incidents-map-cells": {"task": "incidents.tasks.map_cells_age", "schedule": 60.0},
    # Area alerts: matches new public events, writes the sent-log and the immediate emails (exactly once:
    # a locked cursor and a unique sent-log); daily/weekly digests once per address and period.
    "incidents-alerts-send": {"task": "incidents.tasks.alerts_send", "schedule": 60.0},
    "incidents-alert-digests": {"task": "incidents.tasks.alert_digests_send", "schedule": 3600.0},
    # Workshops: remind confirmed participants 3 days before. Idempotent: claimed with a conditional UPDATE.
    "workshops-reminders": {"task": "workshops.tasks.reminders_send", "schedule": 900.0},
    # Workshops: publication builds stuck waiting (broker down) are queued again once, then failed; builds
    # whose worker died (no progress for 3 min) are failed. Idempotent: claimed with a conditional UPDATE.
    "workshops-publications-sweep": {"task": "workshops.tasks.publications_sweep", "schedule": 60.0},
    # Audits: report PDFs a worker never took up are queued again; builds whose worker died are failed.
    "audits-reports-sweep": {"task": "audits.tasks.audit_reports_sweep", "schedule": 60.0},
    # Grants: reminds towns of final reports due within 14 days or overdue. Idempotent (claims + dedup keys).
    "projects-final-reports": {"task": "projects.tasks.final_reports_remind", "schedule": 3600.0},
    # Advice desk: reminders, overdue marks and escalations in working days. Idempotent (claims, dedup keys).
    "projects-advice-deadlines": {"task": "projects.tasks.advice_deadlines_sweep", "schedule": 300.0},
    # Personal data whose time is up (portal/retention.py; every app's policies). Idempotent.
    "personal-data-purge": {"task": "portal.tasks.personal_data_purge", "schedule": 6 * 3600.0},
}
CELERY_TIMEZONE = env.str("TIME_ZONE", default="Europe/Prague")

# --- Email: console in development, anything django-environ understands via EMAIL_URL
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Okrsek <noreply@okrsek.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)

# --- Accounts (django-allauth: email login, mandatory verification)
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Okrsek] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
LOGIN_REDIRECT_URL = "portal:home"
LOGIN_URL = "account_login"

# --- Second factor (allauth.mfa: TOTP and recovery codes; WebAuthn would need the fido2 package). Roles that
# must set it up before opening any page but the account pages (portal/mfa.py), and superusers. On by default;
# DEBUG (make run's demos with the seed_demo users) relaxes it unless MFA_REQUIRED_ROLES is given.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Okrsek"
MFA_STAFF_ROLES = ["officer", "coordinator", "partner_body", "programme_manager", "commission_member"]
MFA_REQUIRED_ROLES = [
    role for role in env.list("MFA_REQUIRED_ROLES", default=[] if DEBUG else MFA_STAFF_ROLES) if role.strip()
]
MFA_REQUIRED_SUPERUSER = env.bool("MFA_REQUIRED_SUPERUSER", default=not DEBUG)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages: Czech, Polish and English complete; Norwegian Bokmål for the partner side
LANGUAGE_CODE = "cs"
LANGUAGES = [
    ("cs", _("Czech")),
    ("pl", _("Polish")),
    ("en", _("English")),
    ("nb", _("Norwegian Bokmål")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers per language (portal/formats/<lang>/formats.py): en-GB style for English, "3. 12. 2026"
# for Czech. Thousands are grouped where a template asks for it (|intcomma), never in ids and URLs.
FORMAT_MODULE_PATH = ["portal.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Prague")

# --- Static and media files (whitenoise serves static files, also under gunicorn)
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A request body larger than this is refused (413) before any of it is read: Django's own limit above leaves
# files out (portal.middleware.RequestBodyLimitMiddleware). The largest form takes 5 MB of files. 0: no cap.
MAX_REQUEST_BODY = env.int("MAX_REQUEST_BODY", default=12 * 1024 * 1024)

# --- Maps: Leaflet from django-leaflet's own static files; tile server configurable (offline machines
# show the boundaries on a plain background).
MAP_TILES_URL = env.str("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = env.str(
    "MAP_TILES_ATTRIBUTION", default='© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)
MAP_DATA_ATTRIBUTION = (
    '© <a href="https://www.cuzk.cz/">ČÚZK</a> (CC BY 4.0), iROZHLAS; '
    "© SIP Wrocław, "
    '<a href="https://github.com/ppatrzyk/polska-geojson">polska-geojson</a> (MIT)'
)
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (49.6, 13.3),
    "DEFAULT_ZOOM": 8,
    "TILES": [("OSM", MAP_TILES_URL, {"attribution": MAP_TILES_ATTRIBUTION})],
    "ATTRIBUTION_PREFIX": MAP_DATA_ATTRIBUTION,
    "RESET_VIEW": False,
}

# --- Security: strict by default, relaxed only with DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

_tile_origin = "/".join(MAP_TILES_URL.split("/")[:3]).replace("{s}.", "*.")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", _tile_origin],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Private links' tokens never reach a log (portal/logs.py; gunicorn's access log: gunicorn.conf.py)
    "filters": {"secrets": {"()": "portal.logs.RedactSecrets"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["secrets"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # "Not Found: /reports/track/<token>/": redacted before any handler (Django's own ones too) sees it
        "django.request": {"filters": ["secrets"]},
        # runserver's request lines (Django's default set-up, with the filter)
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO: PDFs (publications, letters, the demo) would fill the log
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING", "propagate": False},  # read by workshops' build progress
        "fontTools": {"level": "WARNING"},
    },
}

# --- Personal data retention (portal/retention.py): days per policy, e.g.
# RETENTION_DAYS=incidents.reporter_contact=365,portal.outbox=30 (docs/personal-data.md lists the policies)
RETENTION_DAYS = {key: int(value) for key, value in env.dict("RETENTION_DAYS", default={}).items()}

# --- Abuse control shared by the public forms
IP_HASH_SALT = env.str("IP_HASH_SALT", default=SECRET_KEY)
# KMZB: one report per client (IP) per category per 24 h; 0 switches the limit off.
REPORTS_PER_CLIENT_CATEGORY_DAY = env.int("REPORTS_PER_CLIENT_CATEGORY_DAY", default=1)
# Report forms a client (IP) may send without success per clock hour (invalid, refused or failing) before
# its forms are refused unread with a 429 page; 0 switches the limit off.
REPORT_FORM_FAILURES_PER_HOUR = env.int("REPORT_FORM_FAILURES_PER_HOUR", default=20)
# Days a partner body has to resolve a report handed over to it (then it is overdue: incidents.workflow)
PARTNER_RESOLVE_DAYS = env.int("PARTNER_RESOLVE_DAYS", default=14)
