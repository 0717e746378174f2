"""The last seat under fire: 50 people register at the same moment, each through their own database
connection. The workshop row lock serialises them: exactly one gets the seat, 49 wait in order."""

import threading

import pytest
from django.db import connection, connections

from workshops.models import Registration

pytestmark = pytest.mark.django_db(transaction=True)

CONCURRENT = 50


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row locks (SELECT … FOR UPDATE) and serialises writers anyway; run on PostGIS",
)
def test_fifty_concurrent_registrations_for_the_last_seat_give_exactly_one_confirmed(workshop, register):
    for i in range(2):  # 3 general seats: leave exactly one free
        register(workshop, f"early{i}@example.org")
    barrier = threading.Barrier(CONCURRENT)
    errors: list[BaseException] = []

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            register(workshop, f"racer{index}@example.org")
        except BaseException as exc:  # noqa: BLE001 - collected and reported below
            errors.append(exc)
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    racers = Registration.objects.filter(email__startswith="racer")
    assert racers.count() == CONCURRENT
    assert racers.filter(status=Registration.Status.CONFIRMED).count() == 1
    assert racers.filter(status=Registration.Status.WAITLISTED).count() == CONCURRENT - 1
    assert Registration.objects.filter(status=Registration.Status.CONFIRMED, partner_seat=False).count() == 3
    # The waitlist is a strict order: 49 distinct places 1…49.
    from workshops.selectors import waitlist_place

    places = sorted(waitlist_place(r) for r in racers.filter(status=Registration.Status.WAITLISTED))
    assert places == list(range(1, CONCURRENT))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks: run on PostGIS")
def test_concurrent_double_submit_of_the_same_email_keeps_one_row(workshop, register):
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def attempt() -> None:
        from django.core.exceptions import ValidationError

        try:
            barrier.wait(timeout=30)
            register(workshop, "same@example.org")
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok"] + ["refused"] * 9
    assert Registration.objects.filter(email="same@example.org").count() == 1
