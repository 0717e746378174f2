"""The one deadline engine of Okrsek: "due at → remind before → mark overdue → notify", declared as data.

A ``Deadline`` names the model, the column holding the due time, the states in which the clock runs, how
long it runs (hours, or working days in a country's calendar with its public holidays), whether it can be
paused (waiting for the resident) and its ``Step``s: a reminder some time before, the overdue mark, an
escalation. Each step has a boolean column that the sweep claims, the activity-log verb, the timeline row
and the emails (``BulkNotify``).

``sweep`` handles what is due in batches: it claims a batch with one conditional UPDATE (``SELECT … FOR
UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the write transaction is serialised), then writes the events,
log entries and outbox rows with one bulk insert each, so the cost per due row is a fraction of a statement
and two sweepers never act on the same row. The reads go through the partial indexes the apps declare on
(due column) WHERE state AND NOT flag: the cost grows with what is due, not with the table. A row that cannot
be processed is logged and skipped; the rest of the sweep goes on.

Workflows (``portal.workflow``) start, pause and resume deadlines by name; ``Workflow.current_deadline``
tells which deadline an object waits for in its state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import holidays
from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


# --- working days ---------------------------------------------------------------------------------------


class WorkingCalendar:
    """Working days of a country: Monday to Friday without its public holidays (the ``holidays`` package)."""

    def __init__(self, country: str):
        self.country = country.upper()
        self._holidays = holidays.country_holidays(self.country)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays

    def holiday_name(self, day: date) -> str | None:
        return self._holidays.get(day)

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (the day of ``start`` itself does not count)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        while days > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days passed from ``start`` to ``end``."""
        if end <= start:
            return 0
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def due_after(self, start: datetime, days: int) -> datetime:
        """The end of the ``days``-th working day after ``start`` (local time), as an aware datetime."""
        local = timezone.localtime(start)
        day = self.add_working_days(local.date(), days)
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)), local.tzinfo)


@lru_cache(maxsize=16)
def calendar(country: str) -> WorkingCalendar:
    return WorkingCalendar(country)


# --- declarations ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkNotify:
    """An email a deadline step sends for each object of a batch: ``to(objs)`` maps each object's pk to
    its recipients (users, or ``portal.workflow.Recipient``) with a constant number of queries."""

    kind: str
    to: Callable[[list], Mapping[Any, Iterable]]
    key: Callable[[Any, Any], str]  # (obj, recipient) → dedup key
    context: Callable[[Any], dict] = lambda obj: {}
    # Rendered by the worker (``notifications_queue_many(render_later=True)``): the sweep writes what to
    # render; the context holds as values whatever must read as it was when the step ran
    render_later: bool = False


@dataclass(frozen=True)
class Step:
    """What happens when a deadline nears (``ahead`` > 0: a reminder) or passes (``ahead`` = 0)."""

    flag: str  # the boolean column the sweep claims (False → True)
    verb: str  # activity-log verb, e.g. "report.take_up_overdue"
    ahead: timedelta = timedelta(0)
    notify: tuple[BulkNotify, ...] = ()
    event: Callable[[Any, datetime], models.Model | None] | None = None  # an unsaved timeline row
    sets: Mapping[str, Any] = field(default_factory=dict)  # further columns set with the flag
    # A reminder for an object already past its due time is dropped: the overdue step says it all
    only_before_due: bool = False
    log: Callable[[Any], dict] | None = None  # activity-log data per object
    # Rows past their due time are not claimed at all (a reminder of a day that has passed, without an
    # overdue step): they are left as they are
    until_due: bool = False
    stamps: tuple[str, ...] = ()  # further columns set to the sweep's time with the flag


@dataclass(frozen=True)
class Deadline:
    name: str
    label: Any  # "Take up by", as queues and pages show the deadline
    model: str  # "app_label.Model"
    due_field: str  # a column of the model or of a related one ("workshop__held_on"; a date counts locally)
    states: frozenset
    status_field: str = "status"
    duration: Callable[[Any], timedelta] | None = None  # how long the clock runs when a transition starts it
    working_days: Callable[[Any], int] | None = None  # … or that many working days
    country: Callable[[Any], str] | None = None  # … in this country's calendar
    due: Callable[[Any, datetime], date | datetime] | None = None  # … or the due value, from (obj, now)
    steps: tuple[Step, ...] = ()
    paused_field: str | None = None  # when the clock stopped (None: running)
    select_related: tuple[str, ...] = ()  # what the steps' callables read
    filter: Mapping[str, Any] = field(default_factory=dict)  # further conditions on due rows
    # A date due column is a last day that passes at its end (a report due on 30 June may come that day),
    # or with ``date_is_event`` the day something happens, reached when it starts (a workshop on 30 June)
    date_is_event: bool = False

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    # --- what a workflow transition writes

    def due_from(self, obj, now: datetime) -> date | datetime:
        if self.due is not None:
            return self.due(obj, now)
        if self.working_days is not None:
            country = self.country(obj) if self.country else "CZ"
            return calendar(country).due_after(now, self.working_days(obj))
        if self.duration is None:
            raise ValueError(f"Deadline {self.name} has no duration")
        return now + self.duration(obj)

    def start_changes(self, obj, now: datetime) -> dict[str, Any]:
        changes: dict[str, Any] = {self.due_field: self.due_from(obj, now)}
        changes.update({step.flag: False for step in self.steps})
        if self.paused_field:
            changes[self.paused_field] = None
        return changes

    def is_paused(self, obj) -> bool:
        return bool(self.paused_field and getattr(obj, self.paused_field, None))

    def pause_changes(self, obj, now: datetime) -> dict[str, Any]:
        if not self.paused_field:
            raise ValueError(f"Deadline {self.name} cannot be paused")
        return {} if self.is_paused(obj) else {self.paused_field: now}

    def resume_changes(self, obj, now: datetime) -> dict[str, Any]:
        """Move the due time by the time the clock stood still (in working days for working-day deadlines)."""
        paused_at, due = getattr(obj, self.paused_field), getattr(obj, self.due_field)
        if not paused_at or due is None:
            return {self.paused_field: None} if self.paused_field else {}
        if self.working_days is not None:
            cal = calendar(self.country(obj) if self.country else "CZ")
            shift = cal.working_days_between(timezone.localdate(paused_at), timezone.localdate(now))
            local_due = timezone.localtime(due)
            new_due = datetime.combine(cal.add_working_days(local_due.date(), shift), local_due.timetz())
        else:
            new_due = due + (now - paused_at)
        changes: dict[str, Any] = {self.paused_field: None, self.due_field: new_due}
        if new_due > now:  # the clock may warn and mark again
            changes.update({step.flag: False for step in self.steps})
        return changes

    # --- what the sweep reads

    def due_value(self, obj):
        """The object's due value, also when the due column is on a related row ("workshop__held_on")."""
        value = obj
        for name in self.due_field.split("__"):
            value = getattr(value, name, None)
            if value is None:
                return None
        return value

    @property
    def due_is_date(self) -> bool:
        """The due column is a DateField: the deadline passes at the end of that day (local time)."""
        model, *path, name = [self.model_class, *self.due_field.split("__")]
        for step in path:  # a related column: follow the relations
            model = model._meta.get_field(step).related_model
        field = model._meta.get_field(name)
        return isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)

    def due_moment(self, value: date | datetime | None) -> datetime | None:
        """The moment a due value passes: a datetime itself, a date at the end of that day (local time)."""
        if value is None or isinstance(value, datetime):
            return value
        day = value if self.date_is_event else value + timedelta(days=1)
        return timezone.make_aware(datetime.combine(day, time.min))

    def due_rows(self, step: Step, now: datetime, *, claimed: bool = False) -> models.QuerySet:
        """The rows due for ``step`` (``claimed``: the same rows once their flag is set)."""
        limit = now + step.ahead
        # A date passes at its end: due by ``limit`` when it is before ``limit``'s local day
        if not self.due_is_date:
            due = {f"{self.due_field}__lte": limit}
        elif self.date_is_event:
            due = {f"{self.due_field}__lte": timezone.localdate(limit)}
        else:
            due = {f"{self.due_field}__lt": timezone.localdate(limit)}
        qs = self.model_class.objects.filter(
            **{
                f"{self.status_field}__in": list(self.states),
                step.flag: claimed,
                **due,
                **self.filter,
            }
        )
        if step.until_due:
            qs = qs.filter(**{f"{self.due_field}__gte": timezone.localdate(now) if self.due_is_date else now})
        if self.paused_field:
            qs = qs.filter(**{f"{self.paused_field}__isnull": True})
        return qs


# --- claiming -------------------------------------------------------------------------------------------


def claim_batch(
    queryset: models.QuerySet,
    *,
    sets: Mapping[str, Any],
    order_by: str,
    batch: int,
    claimed: models.QuerySet | None = None,
) -> list:
    """Claim up to ``batch`` rows of ``queryset`` by setting ``sets`` on them; call inside a transaction.
    Returns the pks this call claimed.

    PostgreSQL locks the rows it reads (``FOR UPDATE SKIP LOCKED``: a concurrent sweeper takes the next
    rows instead of waiting); SQLite serialises write transactions. The UPDATE repeats the queryset's
    conditions, so a row changed since the read (a deadline moved by a reopen) is left alone; then only the
    rows that match ``claimed`` (the same conditions, as they read once claimed) count as claimed. Only the
    queryset's own rows are locked, not those of the tables its conditions join."""
    ids = list(
        queryset.order_by(order_by, "pk")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", flat=True)[:batch]
    )
    if not ids:
        return []
    changed = queryset.filter(pk__in=ids).update(**sets)
    if changed != len(ids):
        if claimed is None:
            raise RuntimeError("Some rows changed between the read and the claim; pass `claimed`.")
        ids = list(claimed.filter(pk__in=ids).values_list("pk", flat=True))
    return ids


def claim_one(queryset: models.QuerySet, *, pk, sets: Mapping[str, Any]) -> bool:
    """The conditional UPDATE of one row (the healthchecks pattern): True if this call changed it."""
    return queryset.filter(pk=pk).update(**sets) == 1


# --- the sweep ------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    counts: dict[str, int] = field(default_factory=dict)  # step verb → objects acted on
    failed: list = field(default_factory=list)  # pks that could not be processed (logged)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __getitem__(self, verb: str) -> int:
        return self.counts.get(verb, 0)


def sweep(deadline: Deadline, *, now: datetime | None = None, batch: int = 500) -> SweepResult:
    """Run every step of ``deadline`` for what is due at ``now``: exactly once per object and step, also
    with several sweepers at once or after downtime."""
    now = now or timezone.now()
    result = SweepResult()
    for step in deadline.steps:
        result.counts[step.verb] = _sweep_step(deadline, step, now, batch, result)
    return result


def _sweep_step(deadline: Deadline, step: Step, now: datetime, batch: int, result: SweepResult) -> int:
    done, skip = 0, set()
    sets = {step.flag: True, **step.sets, **dict.fromkeys(step.stamps, now)}
    while True:
        due = deadline.due_rows(step, now).exclude(pk__in=skip) if skip else deadline.due_rows(step, now)
        read = batch
        try:
            with transaction.atomic():
                ids = claim_batch(
                    due,
                    sets=sets,
                    order_by=deadline.due_field,
                    batch=batch,
                    claimed=deadline.due_rows(step, now, claimed=True),
                )
                read = len(ids)
                if ids:
                    done += _act(deadline, step, ids, now)
        except Exception:  # noqa: BLE001 - one bad row must not stop the region's sweep
            logger.exception(
                "Deadline %s/%s: a batch failed; processing it row by row", deadline.name, step.verb
            )
            ids = list(due.order_by(deadline.due_field, "pk").values_list("pk", flat=True)[:batch])
            done += _one_by_one(deadline, step, due, ids, sets, now, skip, result)
        if read < batch:
            return done


def _one_by_one(deadline, step, due, ids, sets, now, skip, result) -> int:
    done = 0
    for pk in ids:
        try:
            with transaction.atomic():
                if claim_one(due, pk=pk, sets=sets):
                    done += _act(deadline, step, [pk], now)
        except Exception:  # noqa: BLE001
            logger.exception(
                "Deadline %s/%s: row %s could not be processed; skipped", deadline.name, step.verb, pk
            )
            skip.add(pk)
            result.failed.append(pk)
    return done


def _act(deadline: Deadline, step: Step, ids: list, now: datetime) -> int:
    from .services import activity_log_many, notifications_queue_many, recipients_of

    model = deadline.model_class
    objs = list(model.objects.filter(pk__in=ids).select_related(*deadline.select_related).order_by("pk"))
    if step.only_before_due:
        objs = [obj for obj in objs if deadline.due_moment(deadline.due_value(obj)) > now]
    if not objs:
        return 0
    if step.event is not None:
        rows = [row for row in (step.event(obj, now) for obj in objs) if row is not None]
        if rows:
            type(rows[0]).objects.bulk_create(rows)
    activity_log_many(verb=step.verb, targets=objs, data=step.log, at=now)
    for notify in step.notify:
        recipients = notify.to(objs)
        items = []
        for obj in objs:
            context = None
            for recipient in recipients_of(recipients.get(obj.pk, ())):
                if context is None:
                    context = notify.context(obj)
                items.append(
                    {
                        "kind": notify.kind,
                        "to_email": recipient.email,
                        "recipient": recipient.user,
                        "language": recipient.language,
                        "context": context,
                        "dedup_key": notify.key(obj, recipient),
                    }
                )
        notifications_queue_many(items, render_later=notify.render_later)
    return len(objs)
