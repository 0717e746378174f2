"""The shared workflow engine (portal/workflow.py), on a toy workflow declared here over the Report table:
what ``apply`` refuses and in which order, what it writes (stamps, inputs, deadlines, version, the event,
the log, the emails), stale pages, pausing and resuming a working-day deadline, superuser overrides."""

from datetime import UTC, datetime, timedelta

import pytest
import rules
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from incidents.models import Category, Report
from portal.deadlines import Deadline
from portal.models import ActivityLog, Notification
from portal.services import Recipient
from portal.workflow import Input, Messages, Notify, State, Transition, Workflow, apply

T0 = datetime(2026, 12, 21, 9, 0, tzinfo=UTC)  # a Monday before Christmas
is_owner = rules.predicate(lambda user, report: user.email == "owner@example.org", name="is_owner")

WAIT = Deadline(
    name="answer",
    label="Answer by",
    model="incidents.Report",
    due_field="verify_due_at",
    states=frozenset({"verifying", "confirmed"}),
    working_days=lambda report: 2,
    country=lambda report: "CZ",
    paused_field="verified_at",  # the toy stores "paused at" here
)
RUN = Deadline(
    name="run",
    label="Take up by",
    model="incidents.Report",
    due_field="take_up_due_at",
    states=frozenset({"new"}),
    duration=lambda report: timedelta(hours=5),
)


def _workflow(**overrides) -> Workflow:
    transitions = {
        t.name: t
        for t in [
            Transition(
                name="start",
                label="Start",
                public_label="Started.",
                sources=frozenset({"new"}),
                target="verifying",
                allowed=is_owner,
                inputs=(
                    Input(name="public_answer", required=True, max_length=10, field="public_answer"),
                    Input(
                        name="internal_note", max_length=5, too_long_at_field=False, too_long_message="long"
                    ),
                ),
                stamps=("taken_up_at",),
                starts=("answer",),
                notify=(
                    Notify(
                        kind="incident_status",
                        to=lambda ctx: [Recipient(email="citizen@example.org", language="pl")],
                        key=lambda ctx, who: f"toy:{ctx.obj.pk}:{ctx.obj.version}",
                        context=lambda ctx: {"report": ctx.obj, "public_label": "Started."},
                    ),
                ),
            ),
            Transition(
                name="wait",
                label="Ask the resident",
                public_label="Waiting for you.",
                sources=frozenset({"verifying"}),
                target="confirmed",
                allowed=is_owner,
                pauses=("answer",),
            ),
            Transition(
                name="reply",
                label="Resident replied",
                public_label="You replied.",
                sources=frozenset({"confirmed"}),
                target="verifying",
                allowed=is_owner,
                resumes=("answer",),
            ),
            Transition(
                name="close",
                label="Close",
                public_label="Closed.",
                sources=frozenset({"verifying"}),
                target="eliminated",
                allowed=is_owner,
                direct=False,
                clears=("taken_up_at",),
                sets={"support_count": 7},
            ),
        ]
    }
    options = {
        "name": "toy",
        "model": "incidents.Report",
        "states": {
            "new": State("new"),
            "verifying": State("verifying"),
            "confirmed": State("waiting"),
            "eliminated": State("done", public="closed", open=False),
        },
        "transitions": transitions,
        "messages": Messages(
            unknown="unknown",
            not_possible="no %(action)s when %(status)s",
            forbidden="no",
            stale="stale",
            not_direct="own page",
        ),
        "version_field": "version",
        "optimistic": True,
        "updated_field": "updated_at",
        "deadlines": (RUN, WAIT),
        "current_due_field": "due_at",
        "event": lambda ctx: events.append((ctx.transition.name, ctx.before, ctx.after, ctx.actor.email)),
    }
    options.update(overrides)
    return Workflow(**options)


events: list = []


@pytest.fixture(autouse=True)
def _english():
    events.clear()
    with translation.override("en"):
        yield


@pytest.fixture
def toy(db, make_user):
    category = Category.objects.create(code="c", group="road", name_cs="c", name_pl="c", name_en="c")
    report = Report.objects.create(
        token_hash="t", category=category, point=Point(13, 49, srid=4326), take_up_due_at=T0, due_at=T0
    )
    return {
        "report": report,
        "workflow": _workflow(),
        "owner": make_user(email="owner@example.org"),
        "stranger": make_user(email="stranger@example.org"),
    }


def _apply(toy, action, who="owner", **kwargs):
    return apply(toy["workflow"], toy["report"], action, actor=toy[who], now=kwargs.pop("now", T0), **kwargs)


@pytest.mark.django_db
def test_refusals_come_in_order_and_change_nothing(toy, make_user):
    with pytest.raises(ValidationError, match="unknown"):
        _apply(toy, "fly")
    with pytest.raises(ValidationError, match="no Ask the resident when new"):
        _apply(toy, "wait")
    with pytest.raises(PermissionDenied):
        _apply(toy, "start", who="stranger", inputs={"public_answer": "hi"})
    with pytest.raises(ValidationError) as missing:
        _apply(toy, "start", inputs={"public_answer": "  "})
    assert list(missing.value.message_dict) == ["public_answer"]
    with pytest.raises(ValidationError) as too_long:
        _apply(toy, "start", inputs={"public_answer": "x" * 11})
    assert "At most 10 characters." in too_long.value.message_dict["public_answer"][0]
    with pytest.raises(ValidationError, match="long"):
        _apply(toy, "start", inputs={"public_answer": "ok", "internal_note": "123456"})
    report = Report.objects.get(pk=toy["report"].pk)
    assert (report.status, report.version, events, ActivityLog.objects.count()) == ("new", 0, [], 0)


@pytest.mark.django_db
def test_a_transition_writes_what_it_declares(toy):
    report = _apply(toy, "start", inputs={"public_answer": "  Hello  "})
    assert toy["report"].status == report.status == "verifying"  # the caller's object is refreshed too
    assert report.version == 1 and report.updated_at == T0 and report.taken_up_at == T0
    assert report.public_answer == "Hello"
    # Two working days after Monday 21 December 2026 (24–26 are Czech holidays): the end of Wednesday 23rd
    due = timezone.localtime(report.verify_due_at)
    assert (due.date().isoformat(), due.hour, due.minute) == ("2026-12-23", 23, 59)
    assert report.due_at == report.verify_due_at  # the deadline the queue orders by follows the state
    assert events == [("start", "new", "verifying", "owner@example.org")]
    log = ActivityLog.objects.get()
    assert (log.verb, log.data, log.actor) == (
        "toy.start",
        {"from_status": "new", "to_status": "verifying"},
        toy["owner"],
    )
    mail = Notification.objects.get()
    assert (mail.to_email, mail.language, mail.dedup_key) == (
        "citizen@example.org",
        "pl",
        f"toy:{report.pk}:1",
    )
    assert toy["workflow"].current_deadline(report, now=T0)["kind"] == "Answer by"


@pytest.mark.django_db
def test_a_stale_page_loses_and_only_dedicated_services_apply_indirect_steps(toy):
    seen = Report.objects.get(pk=toy["report"].pk)
    _apply(toy, "start", inputs={"public_answer": "a"})
    with pytest.raises(ValidationError, match="stale"):
        apply(toy["workflow"], seen, "start", actor=toy["owner"], inputs={"public_answer": "b"})
    with pytest.raises(ValidationError, match="stale"):
        _apply(toy, "close", expected_version=0)
    with pytest.raises(ValidationError, match="own page"):
        _apply(toy, "close", direct_only=True)
    report = _apply(toy, "close")  # the dedicated service's call
    assert report.status == "eliminated" and report.taken_up_at is None and report.support_count == 7
    assert report.due_at is None  # no deadline runs in a closed state
    assert [t.name for t in toy["workflow"].available(report, toy["owner"])] == []


@pytest.mark.django_db
def test_the_clock_stops_while_waiting_and_resumes_by_the_working_days_lost(toy):
    _apply(toy, "start", inputs={"public_answer": "a"})  # due: end of Wed 23 Dec
    waiting = _apply(toy, "wait", now=datetime(2026, 12, 22, 10, tzinfo=UTC))  # Tuesday
    assert waiting.verified_at is not None and waiting.due_at is None
    assert toy["workflow"].current_deadline(waiting) is None
    # Paused on Tuesday with the rest of Tuesday and Wednesday left. The resident answers on Monday 28th:
    # two working days passed (Wed 23, Mon 28; 24–26 are holidays), so the rest of Monday and Tuesday remain
    resumed = _apply(toy, "reply", now=datetime(2026, 12, 28, 10, tzinfo=UTC))
    assert resumed.verified_at is None
    assert timezone.localtime(resumed.verify_due_at).date().isoformat() == "2026-12-29"
    assert resumed.due_at == resumed.verify_due_at


@pytest.mark.django_db
def test_a_superuser_may_act_and_it_is_logged_as_an_override(toy, make_user):
    admin = make_user(email="admin@example.org")
    admin.is_superuser = True
    admin.save()
    # A workflow opts in to superuser overrides (none of Okrsek's does: portal.permissions' policy)
    opted_in = _workflow(superuser_override=True)
    apply(opted_in, toy["report"], "start", actor=admin, inputs={"public_answer": "a"}, now=T0)
    assert ActivityLog.objects.get().data["admin_override"] is True
    strict = _workflow(superuser_override=False)
    with pytest.raises(PermissionDenied):
        apply(strict, toy["report"], "wait", actor=admin, now=T0)
