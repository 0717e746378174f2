"""``incidents.fake.replay``, the bulk histories of the fake-report command and the benchmark: a history
replayed in memory must leave a report exactly as the services and the minute-by-minute sweep leave it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from incidents import services
from incidents.fake import replay
from incidents.models import Report, Status

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Europe/Prague"))
H = timedelta(hours=1)
COLUMNS = (
    "status",
    "version",
    "updated_at",
    "taken_up_at",
    "verified_at",
    "closed_at",
    "take_up_due_at",
    "verify_due_at",
    "due_at",
    "take_up_overdue",
    "take_up_reminded",
    "verify_overdue",
    "verify_reminded",
    "public_answer",
    "partner_body_id",
)


def _through_the_services(area, path, sweeps, now) -> Report:
    """The history made for real: the report submitted at T0, the transitions by the district's officer (the
    partner's answer by the partner), the sweep run at each of ``sweeps``."""
    report, _token = services.report_submit(
        category=area["category"], point=area["in_district"], ip="192.0.2.50", now=T0
    )
    actors = {"partner_answer": area["partner"]}
    steps = sorted(
        [(at, "sweep", None, {}) for at in sweeps] + [(at, name, name, inputs) for name, at, inputs in path]
    )
    for at, kind, name, inputs in steps:
        if at > now:
            break
        if kind == "sweep":
            services.deadlines_sweep(now=at)
        else:
            report.refresh_from_db()
            services.report_transition(
                report=report, action=name, actor=actors.get(name, area["officer"]), now=at, **inputs
            )
    services.deadlines_sweep(now=now)
    report.refresh_from_db()
    return report


def _replayed(area, path, now) -> tuple[Report, list]:
    report = Report(
        category=area["category"],
        created_at=T0,
        assignee_id=area["officer"].pk,
        district=area["district"],
        police_unit=area["unit"],
    )
    inputs = [(name, at, {k: getattr(v, "pk", v) for k, v in given.items()}) for name, at, given in path]
    return report, replay(report, inputs, now=now)


def _timeline(events) -> list[tuple]:
    return [
        (e.at, e.action, e.from_status, e.to_status, e.public_answer, e.data.get("deadline")) for e in events
    ]


PATHS = {
    # taken up late (after the reminder and the overdue mark), confirmed inside the window, eliminated
    "late take-up, eliminated": (
        [
            ("take_up", T0 + 50 * H, {}),
            ("confirm", T0 + 166 * H, {"public_answer": "Confirmed."}),
            ("eliminate", T0 + 200 * H, {"public_answer": "Gone."}),
        ],
        T0 + 300 * H,
    ),
    # still new at "now", inside the reminder window: reminded, not overdue
    "new, reminded": ([], T0 + 45 * H),
    # verification overdue, then not confirmed
    "verification overdue": (
        [("take_up", T0 + 2 * H, {}), ("not_confirm", T0 + 130 * H, {"public_answer": "Nothing found."})],
        T0 + 200 * H,
    ),
    # confirmed, handed over, answered by the partner body; the future step is left out
    "handed over": (
        [
            ("take_up", T0 + 1 * H, {}),
            ("confirm", T0 + 3 * H, {}),
            ("hand_over", T0 + 4 * H, {"partner_body": "body", "public_answer": "Passed on."}),
            ("partner_answer", T0 + 90 * H, {"public_answer": "Done."}),
        ],
        T0 + 50 * H,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", PATHS)
def test_a_replayed_history_is_what_the_services_and_the_sweep_leave(area, name):
    path, now = PATHS[name]
    path = [(n, at, {k: area[v] if k == "partner_body" else v for k, v in i.items()}) for n, at, i in path]
    # The sweep runs every minute; for the comparison it runs at each moment a deadline step falls due
    sweeps = [T0 + hours * H for hours in (42, 48)] + [
        at + hours * H for n, at, _i in path if n == "take_up" for hours in (114, 120)
    ]
    real = _through_the_services(area, path, sweeps, now)
    fake, events = _replayed(area, path, now)
    assert {c: getattr(fake, c) for c in COLUMNS} == {c: getattr(real, c) for c in COLUMNS}
    real_events = real.events.exclude(action="supported").order_by("at", "pk")
    assert _timeline(events) == _timeline(real_events)


def test_replay_takes_the_deadlines_from_the_declarations(area):
    """A category with other windows: the replayed deadlines follow the category, as the services do."""
    category = area["category"]
    category.take_up_hours, category.verify_hours = 10, 20
    report = Report(category=category, created_at=T0)
    replay(report, [("take_up", T0 + 11 * H, {})], now=T0 + 12 * H)
    assert report.take_up_due_at == T0 + 10 * H and report.take_up_overdue and report.take_up_reminded
    assert report.verify_due_at == T0 + 31 * H == report.due_at
    assert not report.verify_reminded and not report.verify_overdue
    assert report.status == Status.VERIFYING and report.version == 1
