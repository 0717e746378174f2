"""The demo's history through the services: each proposal walks its path, dated with ``now=``; the steps
of all proposals run in the order of their dates, as they would have happened (a commission meeting lists
the proposals that are in review on its day, the council's decisions see what was approved before)."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from portal.demo_data import PROGRAMME_MEMBERS

from .. import services
from ..models import Assignment, Call, Meeting, Proposal
from ..workflow import TRANSITIONS, Status
from .data import CRITERIA, ITEMS, DemoProposal, proposal_texts


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _lines(costs: list, amount: int, rng: random.Random) -> tuple[list[dict], Decimal]:
    """2–3 budget lines of different cost types whose requested part (total minus the town's share) is
    exactly ``amount``."""
    chosen = rng.sample(costs, rng.randint(2, 3))
    shares = [rng.randint(2, 6) for _ in chosen]
    parts = [amount * share // sum(shares) // 1000 * 1000 for share in shares]
    parts[0] += amount - sum(parts)
    lines = []
    for cost, part in zip(chosen, parts, strict=True):
        cofinancing = (part * rng.choice([12, 15, 20, 25]) // 100) // 1000 * 1000 + 1000
        lines.append(
            {
                "eligible_cost": cost,
                "item": ITEMS.get(cost.name, cost.name),
                "amount": Decimal(part + cofinancing),
                "cofinancing": Decimal(cofinancing),
            }
        )
    return lines, Decimal(amount)


def _path(spec: DemoProposal) -> list[str]:
    """The workflow actions that take ``spec`` from a draft to its final state."""
    state = spec.final_state
    if state == "draft":
        return []
    start = ["submit", "return_for_changes", "submit"] if spec.extra.get("returned") else ["submit"]
    if state == "withdrawn":
        return [*start, "withdraw"]
    full = [
        *start,
        "start_review",
        "not_recommend" if spec.outcome == "rejected_nr" else "recommend",
        "approve" if spec.outcome == "completed" else "reject",
    ]
    if spec.outcome == "completed":
        full += ["start", "submit_final_report", "complete"]
    status = Status.DRAFT
    for index, action in enumerate(full):
        transition = TRANSITIONS[action]
        assert status in transition.sources, (spec.title, action, status)
        status = transition.target
        if status == state and index >= len(start) - 1:
            return full[: index + 1]
    raise ValueError(f"{spec.title}: no path to {state}")


@dataclass
class Schedule:
    submit: date
    review: date | None = None
    meeting: date | None = None
    council: date | None = None
    start: date | None = None
    end: date | None = None


@dataclass
class _Demo:
    """One proposal of the history: its spec, its dates and, once the first step ran, its row."""

    call: Call
    spec: DemoProposal
    schedule: Schedule
    pk: int | None = None

    @property
    def proposal(self) -> Proposal:
        return Proposal.objects.get(pk=self.pk)


RETURN_NOTE = "Doplňte prosím rozpočet o spolufinancování obce a harmonogram po měsících."


@dataclass
class History:
    """The steps of the history, collected per proposal and run in the order of their dates."""

    admin: object  # acts for the towns, which have no demo accounts (recorded as the admin's overrides)
    manager: object
    reviewers: list
    towns: dict
    rng: random.Random
    steps: list = field(default_factory=list)
    meetings: dict = field(default_factory=dict)  # (call pk, day) → [_Demo, …]
    resolution: int = 2790

    def at(self, moment: datetime, step: Callable[[], object]) -> None:
        self.steps.append((moment, len(self.steps), step))

    def run(self) -> None:
        for _moment, _order, step in sorted(self.steps, key=lambda row: row[:2]):
            step()
        self.steps.clear()

    # --- one proposal

    def proposal(self, call: Call, spec: DemoProposal, schedule: Schedule) -> None:
        demo = _Demo(call=call, spec=spec, schedule=schedule)
        joined = next(day for name, _okres, day in PROGRAMME_MEMBERS if name == spec.town)
        assert joined <= schedule.submit, (spec.title, "not a member yet")
        lines, requested = _lines(list(call.eligible_costs.all()), spec.amount, self.rng)
        start = schedule.start or (schedule.submit + timedelta(days=60))
        end = spec.extra.get("end") or schedule.end or start + timedelta(days=300)
        fields = {
            **proposal_texts(spec.town, spec.title, call.year),
            "starts_on": min(start, end),
            "ends_on": end,
            "requested_amount": requested,
            "cite_reports": call.year == 2026,
        }
        started = at(max(schedule.submit - timedelta(days=12), joined), 9)
        self.at(started, lambda: self._draft(demo, fields, lines, started))
        done: list[str] = []
        for action in _path(spec):
            STEPS[action](self, demo, done.count(action))  # the n-th time this step is taken
            done.append(action)

    def _draft(self, demo: _Demo, fields: dict, lines: list, now: datetime) -> None:
        proposal = services.proposal_create(
            call=demo.call,
            municipality=self.towns[demo.spec.town],
            actor=self.admin,
            title=demo.spec.title,
            now=now,
        )
        demo.pk = proposal.pk
        services.proposal_update(
            proposal=proposal,
            actor=self.admin,
            fields=fields,
            budget_lines=lines,
            now=now + timedelta(minutes=30),
        )

    def _transition(self, demo: _Demo, day: date, action: str, actor, note: str = "") -> None:
        now = at(day, 11)
        self.at(
            now,
            lambda: services.proposal_transition(
                proposal=demo.proposal, action=action, actor=actor, note=note, now=now
            ),
        )

    def _submit(self, demo: _Demo, again: int) -> None:
        now = at(demo.schedule.submit + timedelta(days=5 * again), 11)  # resubmitted after a return
        self.at(now, lambda: services.proposal_submit(proposal=demo.proposal, actor=self.admin, now=now))

    def _return_for_changes(self, demo: _Demo, _again: int) -> None:
        day = demo.schedule.submit + timedelta(days=3)
        self._transition(demo, day, "return_for_changes", self.manager, RETURN_NOTE)

    def _withdraw(self, demo: _Demo, _again: int) -> None:
        self._transition(demo, demo.schedule.submit + timedelta(days=5), "withdraw", self.admin)

    def _start_review(self, demo: _Demo, _again: int) -> None:
        spec, day = demo.spec, demo.schedule.review
        town = self.towns[spec.town]
        eligible = [r for r in self.reviewers if r.profile.municipality_id != town.pk]
        members = sorted(self.rng.sample(eligible, 2), key=lambda user: user.email)
        assigned = at(day, 9)
        self.at(
            assigned,
            lambda: services.assignments_set(
                proposal=demo.proposal, members=members, actor=self.manager, now=assigned
            ),
        )
        count = spec.extra.get("reviews", 2)
        for index, member in enumerate(members):
            if index < count:
                self._review(demo, member, day)
            elif spec.extra.get("conflict"):
                self._declare(demo, member, day, conflict=True)
        if spec.extra.get("thread"):
            self._thread(demo, at(day + timedelta(days=1), 9))

    def _declare(self, demo: _Demo, member, day: date, *, conflict: bool) -> None:
        now = at(day, 12)
        self.at(
            now,
            lambda: services.conflict_declare(
                assignment=Assignment.objects.get(proposal_id=demo.pk, member=member),
                actor=member,
                conflict=conflict,
                note="Jsem členem zastupitelstva obce." if conflict else "",
                now=now,
            ),
        )

    def _review(self, demo: _Demo, member, day: date) -> None:
        self._declare(demo, member, day, conflict=False)
        good = demo.spec.outcome != "rejected_nr"
        low, high = (3, 5) if good else (1, 3)
        values = [
            None if index and self.rng.random() < 0.08 else self.rng.randint(low, high)
            for index in range(len(CRITERIA))
        ]
        recommendation = "yes" if good else self.rng.choice(["no", "maybe"])
        comment = (
            "Projekt odpovídá cílům programu; rozpočet je přiměřený."
            if good
            else "Náklady nejsou způsobilé nebo potřeba není doložena."
        )
        reviewed = day + timedelta(days=3)
        if demo.schedule.meeting:  # in time for the commission's meeting
            reviewed = min(reviewed, demo.schedule.meeting - timedelta(days=1))
        now = at(reviewed, 15)

        def review() -> None:
            assignment = Assignment.objects.select_related("proposal").get(proposal_id=demo.pk, member=member)
            criteria = list(demo.call.criteria.all())
            services.review_save(
                assignment=assignment,
                actor=member,
                scores={c.pk: value for c, value in zip(criteria, values, strict=True)},
                recommendation=recommendation,
                comment=comment,
                now=now,
            )

        self.at(now, review)

    def _thread(self, demo: _Demo, asked: datetime) -> None:
        question = "Kolik rodičů a škol plánujete kurzy oslovit a kdo je povede?"
        answer = (
            "Oslovíme všechny tři základní školy ve městě, asi 600 rodičů; kurzy povedou lektoři "
            "projektu eBezpečnost a preventista Policie ČR."
        )
        for actor, body, now in (
            (self.manager, question, asked),
            (self.admin, answer, asked + timedelta(hours=26)),
        ):
            self.at(
                now,
                lambda actor=actor, body=body, now=now: services.message_post(
                    proposal=demo.proposal, actor=actor, body=body, now=now
                ),
            )

    def _on_meeting_list(self, demo: _Demo, _again: int) -> None:
        self.meetings.setdefault((demo.call.pk, demo.schedule.meeting), []).append(demo)

    def _decide(self, demo: _Demo, _again: int) -> None:
        self.resolution += 1
        number, day = f"{self.resolution}/{demo.schedule.council:%y}", demo.schedule.council
        approved = demo.spec.outcome == "completed"
        now = at(day, 11)
        self.at(
            now,
            lambda: services.decision_record(
                proposal=demo.proposal,
                actor=self.manager,
                outcome="approved" if approved else "rejected",
                approved_amount=Decimal(demo.spec.amount) if approved else None,
                resolution_number=number,
                resolved_on=day,
                now=now,
            ),
        )

    def _start(self, demo: _Demo, _again: int) -> None:
        self._transition(demo, demo.schedule.start, "start", self.manager)

    def _submit_final_report(self, demo: _Demo, _again: int) -> None:
        amount = Decimal(demo.spec.amount)
        spent = amount - Decimal(self.rng.choice([0, 0, 0, 5000, 12000]))
        now = at(self._end(demo) + timedelta(days=20), 11)
        self.at(
            now,
            lambda: services.final_report_submit(
                proposal=demo.proposal,
                actor=self.admin,
                summary=f"Projekt „{demo.spec.title}“ byl dokončen podle harmonogramu; vybavení je v provozu "
                "a městská policie i Policie ČR je využívají.",
                results="Podle okrskáře ubylo v dotčeném místě přestupků; "
                "občané oceňují vyšší pocit bezpečí.",
                spent_amount=spent,
                cofinancing_spent=amount // 8,
                now=now,
            ),
        )

    def _complete(self, demo: _Demo, _again: int) -> None:
        self._transition(demo, self._end(demo) + timedelta(days=35), "complete", self.manager)

    @staticmethod
    def _end(demo: _Demo) -> date:
        return demo.spec.extra.get("end") or demo.schedule.end or demo.schedule.submit

    # --- the commission's meetings

    def plan_meetings(self) -> None:
        for (_call, day), demos in self.meetings.items():
            self.at(at(day, 8), lambda day=day, demos=demos: self._meeting(day, demos))
        self.meetings = {}

    def _meeting(self, day: date, demos: list[_Demo]) -> None:
        meeting = services.meeting_create(
            call=demos[0].call,
            actor=self.manager,
            held_on=day,
            place="Krajský úřad Plzeňského kraje, Škroupova 18, Plzeň",
            attendees="členové Bezpečnostní komise Plzeňského kraje",
            now=at(day, 8),
        )
        by_proposal = {demo.pk: demo for demo in demos}
        items = {}
        for item in meeting.items.select_related("proposal"):
            demo = by_proposal[item.proposal_id]  # the meeting lists exactly this round's proposals
            recommend = demo.spec.outcome != "rejected_nr"
            items[item.pk] = {
                "recommend": recommend,
                "proposed_amount": item.proposal.requested_amount if recommend else None,
                "note": "" if recommend else "Nedoporučeno: nízké hodnocení.",
            }
        assert len(items) == len(demos), (day, "the meeting's list is not this round's")
        services.meeting_save_items(meeting=meeting, actor=self.manager, items=items)
        services.meeting_close(
            meeting=Meeting.objects.get(pk=meeting.pk), actor=self.manager, now=at(day, 16)
        )


# Each step of a path, planned through the services
STEPS = {
    "submit": History._submit,
    "return_for_changes": History._return_for_changes,
    "withdraw": History._withdraw,
    "start_review": History._start_review,
    "recommend": History._on_meeting_list,  # the meeting's close moves the proposal on
    "not_recommend": History._on_meeting_list,
    "approve": History._decide,  # the council's decision
    "reject": History._decide,
    "start": History._start,
    "submit_final_report": History._submit_final_report,
    "complete": History._complete,
}
