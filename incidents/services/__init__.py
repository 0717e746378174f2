"""Writes of the incidents app: submitting and supporting reports, the workflow, deadlines, districts.

Everything a citizen or an officer changes goes through here, in one transaction, with a timeline event, an
activity-log entry and the notifications that belong to it (written to the outbox in the same transaction).
One module per topic; import them from here (``from incidents import services``):

- ``submit``: a citizen's report from the web form or an API client;
- ``limits``: the per-client lock, the hourly counters, the report form's failure limit;
- ``workflow``: transitions, withdrawal, support, the deadline sweep;
- ``catalogue``: categories, districts, attachment thumbnails.
"""

from ..fake import reports_like as demo_reports_like  # demo data only: made-up histories in bulk
from .catalogue import attachment_thumbnail_ensure, category_upsert, district_upsert
from .limits import (
    CLIENT_LOCK_CLASS,
    RATE_COUNTERS_RETENTION,
    Window,
    client_lock,
    rate_counter_add,
    rate_counter_hit,
    report_form_failed,
    report_form_refusal,
)
from .submit import (
    MAX_ATTACHMENTS,
    MAX_ATTACHMENTS_BYTES,
    MAX_DESCRIPTION,
    OCCURRED_EARLIEST,
    OCCURRED_FUTURE_SLACK,
    RELATED_READ,
    Channel,
    CleanAttachment,
    occurred_at_problem,
    report_submit,
)
from .workflow import (
    WITHDRAW_TOO_LATE,
    SweepResult,
    deadlines_sweep,
    report_support,
    report_transition,
    report_withdraw,
)

__all__ = [
    "demo_reports_like",
    "CLIENT_LOCK_CLASS",
    "MAX_ATTACHMENTS",
    "MAX_ATTACHMENTS_BYTES",
    "MAX_DESCRIPTION",
    "OCCURRED_EARLIEST",
    "OCCURRED_FUTURE_SLACK",
    "RATE_COUNTERS_RETENTION",
    "RELATED_READ",
    "WITHDRAW_TOO_LATE",
    "Channel",
    "CleanAttachment",
    "SweepResult",
    "Window",
    "attachment_thumbnail_ensure",
    "category_upsert",
    "client_lock",
    "deadlines_sweep",
    "district_upsert",
    "occurred_at_problem",
    "rate_counter_add",
    "rate_counter_hit",
    "report_form_failed",
    "report_form_refusal",
    "report_submit",
    "report_support",
    "report_transition",
    "report_withdraw",
]
