"""One invitation code typed at the same moment on twenty devices, each through its own database
connection: the conditional UPDATE lets exactly one in."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from audits import services
from audits.models import InvitationCode, Response

from . import factories

pytestmark = pytest.mark.django_db(transaction=True)

CONCURRENT = 20


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row locks (SELECT … FOR UPDATE) and serialises writers anyway; run on PostGIS",
)
def test_one_code_twenty_devices_at_once_gives_exactly_one_response(methodologist, towns):
    wave = factories.wave(methodologist, [towns[0]])
    _batch, codes = services.invitations_generate(
        actor=methodologist, wave=wave, municipality=towns[0], count=2
    )
    barrier = threading.Barrier(CONCURRENT)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def attempt(index: int) -> None:
        translation.activate("en")  # a thread starts in the default language
        try:
            barrier.wait(timeout=30)
            services.response_start_with_code(
                wave=wave, code=codes[0], device_token=f"d{index}", ip=f"10.0.0.{index}"
            )
            outcomes.append("in")
        except ValidationError as exc:
            outcomes.append("used" if "already been used" in str(exc) else str(exc))
        except BaseException as exc:  # noqa: BLE001 - collected and reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(outcomes) == ["in"] + ["used"] * (CONCURRENT - 1)
    assert Response.objects.filter(wave=wave).count() == 1
    assert InvitationCode.objects.filter(used=True).count() == 1  # the second code is still unused


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row locks (SELECT … FOR UPDATE) and serialises writers anyway; run on PostGIS",
)
def test_twelve_priorities_added_at_once_stop_at_seven(make_user, municipality):
    from datetime import date

    from audits.models import Priority
    from portal import roles

    coordinator = make_user(email="c@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=municipality)
    audit = services.audit_create(
        actor=coordinator,
        municipality=municipality,
        title="A",
        starts_on=date(2026, 1, 1),
        report_due_on=date(2026, 12, 1),
    )
    services.audit_transition(audit=audit, action="gather_evidence", actor=coordinator)
    finding = services.finding_add(
        actor=coordinator, audit=audit, text="F", evidence="walk", evidence_note="n"
    )
    services.audit_transition(audit=audit, action="diagnose", actor=coordinator)
    audit.refresh_from_db()
    barrier = threading.Barrier(12)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def attempt(index: int) -> None:
        translation.activate("en")
        try:
            barrier.wait(timeout=30)
            services.priority_add(
                actor=coordinator, audit=audit, title=f"P{index}", rationale="R", findings=[finding]
            )
            outcomes.append("added")
        except ValidationError as exc:
            outcomes.append("full" if "at most 7 priorities" in str(exc) else str(exc))
        except BaseException as exc:  # noqa: BLE001 - collected and reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(outcomes) == ["added"] * 7 + ["full"] * 5
    assert sorted(Priority.objects.filter(audit=audit).values_list("order", flat=True)) == list(range(1, 8))
