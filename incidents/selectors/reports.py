"""One report: by its tracking token, its form's key or its reference, its links, its public timeline; the
categories the report form offers."""

import hashlib
import uuid
from itertools import groupby

from django.db.models import QuerySet

from portal.web import absolute_reverse

from ..models import Category, Report, Status

# Timeline entries the public never reads (the citizen's tracking page, the Open311 API): supports by other
# citizens and the police's internal reminders.
REMINDER_ACTIONS = ("take_up_reminder", "verify_reminder", "partner_resolve_reminder")
PRIVATE_EVENT_ACTIONS = ("supported", *REMINDER_ACTIONS)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def report_by_token(token: str) -> Report | None:
    """The report a citizen's tracking token belongs to (only the token's hash is kept)."""
    return Report.objects.filter(token_hash=token_hash(token)).select_related("category").first()


def report_filed_with(*, submission_key: uuid.UUID | None) -> bool:
    """Whether the report form carrying ``submission_key`` has filed its report already."""
    return submission_key is not None and Report.objects.filter(submission_key=submission_key).exists()


def tracking_url(token: str) -> str:
    return absolute_reverse("incidents:track", token)


def staff_url(report: Report) -> str:
    return absolute_reverse("incidents:staff_report", report.pk)


def public_report_by_reference(*, reference: str) -> Report | None:
    """A report of a public category by its reference (what a citizen may support), or None."""
    return (
        Report.objects.select_related("category")
        .filter(reference=reference[:9], category__public=True)
        .exclude(status=Status.WITHDRAWN)
        .first()
    )


def category_by_code(*, code: str, active_only: bool) -> Category | None:
    qs = Category.objects.filter(code=code)
    if active_only:
        qs = qs.filter(active=True)
    return qs.first()


def categories_active_grouped() -> list[tuple[str, list[Category]]]:
    """Active categories grouped for the report form: [(group label, [category, …]), …]."""
    categories = Category.objects.filter(active=True).order_by("group", "sort_order", "code")
    labels = dict(Category.Group.choices)
    return [(labels[group], list(items)) for group, items in groupby(categories, key=lambda c: c.group)]


def report_timeline(*, report: Report, public: bool) -> QuerySet:
    events = report.events.select_related("actor")
    if public:
        events = events.exclude(action__in=PRIVATE_EVENT_ACTIONS)
    return events
