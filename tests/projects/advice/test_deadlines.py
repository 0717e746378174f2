"""The advice desk's deadlines in working days of the group's country (Czech and Polish public holidays),
the clock stopping while the group waits for the resident, and reminders, overdue marks and escalations to
the programme manager exactly once each — also with two sweeps at once on PostgreSQL."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from portal.models import ActivityLog, Notification
from projects.advice import services
from projects.advice.models import GroupMember, Question, WorkingGroup
from tests.incidents.concurrency import run_at_once

PRAGUE = ZoneInfo("Europe/Prague")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=PRAGUE)


def ask(programme, topic, town, *, now, ip="198.51.100.7"):
    question, _token = services.question_ask(
        programme=programme, topic=topic, municipality=town, text="Je legální pálit listí?", ip=ip, now=now
    )
    return question


@pytest.fixture
def polish_group(programme, polish_town):
    return WorkingGroup.objects.create(
        programme=programme, municipality=polish_town, name="Grupa Wrocław", country="PL"
    )


@pytest.mark.parametrize(
    ("country", "asked", "acknowledge_by", "answer_by"),
    [
        # 24–26 December are Czech holidays, 1 January too
        ("CZ", local(2026, 12, 23, 10), date(2026, 12, 29), date(2027, 1, 11)),
        # Maundy Thursday: Good Friday and Easter Monday are Czech holidays…
        ("CZ", local(2026, 4, 2, 10), date(2026, 4, 8), date(2026, 4, 20)),
        # … in Poland only Easter Monday is
        ("PL", local(2026, 4, 2, 10), date(2026, 4, 7), date(2026, 4, 17)),
        # 30 April: 1 May (and 3 May, a Sunday) in Poland; 1 and 8 May in Czechia
        ("PL", local(2026, 4, 30, 10), date(2026, 5, 5), date(2026, 5, 15)),
        ("CZ", local(2026, 4, 30, 10), date(2026, 5, 5), date(2026, 5, 18)),
    ],
)
def test_deadlines_count_working_days_of_the_groups_country(
    programme, topic, desk, town, polish_town, polish_group, country, asked, acknowledge_by, answer_by
):
    question = ask(programme, topic, polish_town if country == "PL" else town, now=asked)
    assert question.group.country == country
    assert timezone.localtime(question.acknowledge_due_at).date() == acknowledge_by
    assert timezone.localtime(question.answer_due_at).date() == answer_by
    assert timezone.localtime(question.answer_due_at).time().hour == 23  # the end of that working day


def test_the_group_sets_its_own_number_of_days(programme, topic, desk, town):
    desk["group"].answer_days = 5
    desk["group"].acknowledge_days = 1
    desk["group"].save()
    question = ask(programme, topic, town, now=local(2026, 12, 7, 9))
    assert timezone.localtime(question.acknowledge_due_at).date() == date(2026, 12, 8)
    assert timezone.localtime(question.answer_due_at).date() == date(2026, 12, 14)


def test_the_answer_clock_stops_while_waiting_for_the_resident(programme, topic, desk, town, officer):
    question = ask(programme, topic, town, now=local(2026, 12, 7, 9))
    assert timezone.localtime(question.answer_due_at).date() == date(2026, 12, 21)
    services.question_transition(question=question, action="take_up", actor=officer)
    from portal.workflow import apply
    from projects.advice.workflow import QUESTION

    apply(
        QUESTION,
        question,
        "ask_clarification",
        actor=officer,
        inputs={"message": "Kde přesně?"},
        now=local(2026, 12, 8, 10),
    )
    # While waiting nothing is due, however late it gets
    result = services.deadlines_sweep(now=local(2026, 12, 23, 12))
    assert result.total == 0 and question.due_at is None
    apply(
        QUESTION,
        question,
        "resident_reply",
        actor=None,
        inputs={"message": "U školy."},
        now=local(2026, 12, 14, 10),
    )
    # 9, 10, 11 and 14 December passed while waiting: four working days later, over Christmas
    assert timezone.localtime(question.answer_due_at).date() == date(2026, 12, 29)
    assert question.due_at == question.answer_due_at
    assert services.deadlines_sweep(now=local(2026, 12, 23, 12))["advice.answer_overdue"] == 0
    assert services.deadlines_sweep(now=local(2026, 12, 30, 9))["advice.answer_overdue"] == 1


def _kinds(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("to_email", flat=True))


def test_reminder_overdue_and_escalation_happen_once_each(
    programme, topic, desk, town, officer, colleague, make_user
):
    from portal import roles

    manager = make_user(email="manazer@kraj.cz", roles=[roles.PROGRAMME_MANAGER])
    question = ask(programme, topic, town, now=local(2026, 12, 7, 9))  # acknowledge by Wednesday 9th
    group = sorted([officer.email, colleague.email])

    assert services.deadlines_sweep(now=local(2026, 12, 8, 9)).total == 0
    for _ in range(2):
        services.deadlines_sweep(now=local(2026, 12, 9, 9))
    assert _kinds("advice_reminder") == group
    for _ in range(2):
        services.deadlines_sweep(now=local(2026, 12, 10, 9))
    assert _kinds("advice_overdue") == group
    question.refresh_from_db()
    assert question.acknowledge_overdue and not question.acknowledge_escalated
    for _ in range(2):
        services.deadlines_sweep(now=local(2026, 12, 12, 9))
    assert _kinds("advice_escalated") == [manager.email]
    assert ActivityLog.objects.filter(verb="advice.acknowledge_escalated").count() == 1
    assert question.messages.filter(action="acknowledge_overdue").count() == 1
    # Taken up late: the answer's clock goes on, reminding the assignee only
    services.question_transition(question=question, action="take_up", actor=officer)
    services.deadlines_sweep(now=local(2026, 12, 20, 9))
    assert _kinds("advice_reminder") == sorted([*group, officer.email])


def test_after_downtime_one_sweep_marks_overdue_and_escalates_without_a_stale_reminder(
    programme, topic, desk, town, officer, colleague, make_user
):
    from portal import roles

    make_user(email="manazer@kraj.cz", roles=[roles.PROGRAMME_MANAGER])
    ask(programme, topic, town, now=local(2026, 12, 7, 9))
    result = services.deadlines_sweep(now=local(2027, 2, 1, 9))
    assert result["advice.acknowledge_overdue"] == 1 and result["advice.acknowledge_escalated"] == 1
    assert result["advice.answer_overdue"] == 1 and result["advice.answer_escalated"] == 1
    assert result["advice.acknowledge_reminder"] == 0 and _kinds("advice_reminder") == []
    assert services.deadlines_sweep(now=local(2027, 2, 1, 10)).total == 0


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_question_once(
    programme, topic, desk, town, officer, colleague, make_user
):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent sweeps need PostgreSQL: SQLite serialises writers, there is no race to test")
    from portal import roles

    manager = make_user(email="manazer@kraj.cz", roles=[roles.PROGRAMME_MANAGER])
    questions = [
        ask(programme, topic, town, now=local(2026, 12, 7, 9), ip=f"198.51.100.{n}") for n in range(20)
    ]
    outcomes, errors = run_at_once(lambda: services.deadlines_sweep(now=local(2027, 1, 15, 9)))

    assert errors == [] and len(outcomes) == 2
    for verb in ("acknowledge_overdue", "acknowledge_escalated", "answer_overdue", "answer_escalated"):
        assert sum(o[f"advice.{verb}"] for o in outcomes) == len(questions), verb
        assert ActivityLog.objects.filter(verb=f"advice.{verb}").count() == len(questions)
    assert _kinds("advice_escalated") == [manager.email] * 40
    assert _kinds("advice_overdue") == sorted([officer.email, colleague.email] * 40)
    assert Question.objects.filter(acknowledge_escalated=True, answer_escalated=True).count() == 20
    assert GroupMember.objects.count() >= 2


def test_the_sweep_runs_as_a_celery_task(programme, topic, desk, town):
    from projects.tasks import advice_deadlines_sweep

    ask(programme, topic, town, now=timezone.now() - timedelta(days=40))
    counts = advice_deadlines_sweep.delay().get()
    assert counts["advice.acknowledge_overdue"] == 1 and counts["advice.answer_escalated"] == 1


def test_a_question_handed_over_gets_the_new_groups_time_to_acknowledge_in_its_calendar(
    programme, topic, desk, town, officer, polish_group
):
    polish_group.acknowledge_days = 1
    polish_group.save()
    question = ask(programme, topic, town, now=local(2026, 4, 2, 10))  # Maundy Thursday
    answer_due = question.answer_due_at
    from portal.workflow import apply
    from projects.advice.workflow import QUESTION

    apply(
        QUESTION, question, "reassign", actor=officer, data={"group": polish_group}, now=local(2026, 4, 2, 11)
    )
    # Good Friday is a working day in Poland
    assert timezone.localtime(question.acknowledge_due_at).date() == date(2026, 4, 3)
    assert question.answer_due_at == answer_due and question.group == polish_group
