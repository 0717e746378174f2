"""Made-up report histories for bulk inserts: a bench and demo tool (``manage.py incidents_fake_reports``,
``bench/incidents.py``), never for real data.

A million reports cannot go through ``services.report_submit`` and ``report_transition`` one by one, so
``replay`` writes a history onto an unsaved report in memory, from the same declarations the services apply
(``workflow.py``): each transition's target status, the timestamps it stamps or clears and the deadlines it
starts; each deadline's duration (``TAKE_UP``, ``VERIFY``) and the flags and timeline rows of its steps as
the minute-by-minute sweep would have left them (a reminder ``REMINDER_BEFORE`` the due time, the overdue
mark at it). No rule is written here a second time.
"""

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.contrib.gis.geos import Point
from django.db import transaction

from portal.deadlines import Deadline

from .models import Category, Report, ReportEvent, Status, _reference
from .workflow import REPORT, TAKE_UP, TRANSITIONS


def replay(report: Report, path: Iterable[tuple[str, datetime, dict]], *, now: datetime) -> list[ReportEvent]:
    """Give the unsaved ``report`` (with its category, ``created_at`` and assignee set) the history ``path``:
    (transition name, when, inputs such as {"public_answer": …, "partner_body": pk}) in order, as submitting
    it, making those transitions and the deadline sweep would have left it at ``now``. Steps after ``now``
    are left out. Returns the report's timeline rows, unsaved (every step's actor is the assignee)."""
    submitted = report.created_at
    report.status, report.version, report.updated_at = Status.NEW, 0, submitted
    events = [ReportEvent(report=report, at=submitted, action="submitted", to_status=Status.NEW)]
    started = {TAKE_UP.name: submitted}  # as report_submit starts the take-up clock
    _start(report, TAKE_UP, submitted)
    for name, at, inputs in path:
        if at > now:
            break
        transition = TRANSITIONS[name]
        before, after = report.status, transition.target or report.status
        for deadline in REPORT.deadlines:
            if deadline.name in started and before in deadline.states and after not in deadline.states:
                events += _swept(report, deadline, started.pop(deadline.name), until=at)
        report.status = after
        for stamp in transition.stamps:
            setattr(report, stamp, at)
        for field in transition.clears:
            setattr(report, field, None)
        for deadline_name in transition.starts:
            deadline = REPORT.deadline(deadline_name)
            events += _swept(report, deadline, started.pop(deadline.name, None), until=at)
            started[deadline.name] = at
            _start(report, deadline, at)
        for spec in transition.inputs:
            value = inputs.get(spec.name)
            if spec.field and value not in (None, ""):
                setattr(report, Report._meta.get_field(spec.field).attname, getattr(value, "pk", value))
        report.version += 1
        report.updated_at = at
        partner_body = report.partner_body_id if transition.input("partner_body") else None
        events.append(
            ReportEvent(
                report=report,
                at=at,
                actor_id=report.assignee_id,
                action=name,
                from_status=before,
                to_status=after,
                public_answer=inputs.get("public_answer", ""),
                data={"partner_body": partner_body, "assignee": None},
            )
        )
    for deadline in REPORT.deadlines:
        if deadline.name in started and report.status in deadline.states:
            events += _swept(report, deadline, started.pop(deadline.name), until=now)
    report.due_at = next(
        (getattr(report, d.due_field) for d in REPORT.deadlines if report.status in d.states), None
    )
    return sorted(events, key=lambda event: event.at)


def reports_like(
    routed: Report,
    histories: Iterable[tuple[Point, Category, datetime, list[tuple[str, datetime, dict]]]],
    *,
    now: datetime,
) -> int:
    """Demo data: insert made-up reports routed like ``routed`` (a report the services filed: its police unit,
    district, town, officer, language and description), each ``(point, category, submitted, path)`` given the
    history ``path`` by ``replay``, in two bulk inserts instead of a service call per report and step. The
    points must lie where ``routed`` was routed; the public map's cells count them at their next rebuild."""
    reports, events = [], []
    for point, category, submitted, path in histories:
        report = Report(
            reference=_reference(),
            token_hash=secrets.token_hex(32),
            category=category,
            point=point,
            description=routed.description,
            reporter_language=routed.reporter_language,
            ip_hash=secrets.token_hex(32),
            police_unit_id=routed.police_unit_id,
            district_id=routed.district_id,
            municipality_id=routed.municipality_id,
            assignee_id=routed.assignee_id,
            created_at=submitted,
        )
        events += replay(report, path, now=now)
        reports.append(report)
    with transaction.atomic():
        Report.objects.bulk_create(reports)
        ReportEvent.objects.bulk_create(events)
    return len(reports)


def _start(report: Report, deadline: Deadline, at: datetime) -> None:
    for field, value in deadline.start_changes(report, at).items():
        setattr(report, field, value)


def _swept(report: Report, deadline: Deadline, started: datetime | None, *, until: datetime) -> list:
    """The flags (and timeline rows) the sweep set while ``deadline``'s clock ran from ``started`` to
    ``until``: each step's flag once its time (``due - ahead``) had come."""
    if started is None:
        return []
    due, events = getattr(report, deadline.due_field), []
    for step in deadline.steps:
        swept_at = max(due - step.ahead, started)
        if swept_at > until:
            continue
        setattr(report, step.flag, True)
        if step.event is not None and not (step.only_before_due and swept_at >= due):
            events.append(step.event(report, swept_at))
    return events
