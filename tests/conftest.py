import os

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.backends.postgresql.operations import DatabaseOperations as PostgreSQLOperations

from portal import services
from portal.celery import app as celery_app
from portal.models import Country, Municipality, PartnerBody, PoliceUnit, Profile

PASSWORD = "Correct-Horse-Battery-9"


def _flush_by_delete(truncate):
    """A transactional test (live server, real worker, concurrent requests) ends with Django's flush, which
    on PostgreSQL is one TRUNCATE of every table: ~3 s each here, as it replaces every table's files.
    Deleting the few rows a test leaves takes milliseconds. Django's foreign keys are DEFERRABLE INITIALLY
    DEFERRED, so the order of the DELETEs does not matter inside flush's transaction. Where sequences must
    restart, TRUNCATE as before. Table names come from Django's own model list, quoted."""

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        deletes = [f"DELETE FROM {self.quote_name(table)};" for table in tables]  # noqa: S608
        return ["SET CONSTRAINTS ALL DEFERRED;", *deletes]

    return sql_flush


PostgreSQLOperations.sql_flush = _flush_by_delete(PostgreSQLOperations.sql_flush)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process unless a test starts a real worker (tests/portal/test_celery_worker.py)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def municipality(db):
    return Municipality.objects.create(country=Country.CZ, code="553468", name="Domažlice")


@pytest.fixture
def other_municipality(db):
    return Municipality.objects.create(country=Country.CZ, code="559717", name="Rokycany")


@pytest.fixture
def police_unit(db):
    return PoliceUnit.objects.create(code="oop-domazlice", name="OOP Domažlice", country=Country.CZ)


@pytest.fixture
def partner_body(db, municipality):
    return PartnerBody.objects.create(
        code="mp-domazlice",
        name="MP Domažlice",
        kind=PartnerBody.Kind.MUNICIPAL_POLICE,
        municipality=municipality,
    )


@pytest.fixture
def make_user(db):
    def make(email="user@example.org", roles=(), language="cs", verified=True, **profile):
        user = get_user_model().objects.create_user(email=email, password=PASSWORD)
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
        Profile.objects.create(user=user, language=language, **profile)
        if roles:
            services.user_set_roles(user=user, roles=list(roles), notify=False)
        return user

    return make


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "")
