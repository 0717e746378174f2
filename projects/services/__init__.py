"""Writes of the projects app, one module per subdomain: the programme and its members (``programme``),
calls (``calls``), proposals and their thread (``proposals``), the Security Commission's reviews
(``reviews``) and meetings (``meetings``), the council's decisions (``decisions``), final reports and their
reminders (``final_reports``). Reads, and checks that only read, are in ``projects.selectors``.

Every write authorizes its actor (``rules.require`` or the workflow's apply), runs in one transaction, logs
to the activity log and queues its emails in that transaction. Budget checks lock rows in one order
everywhere: Programme, then Call, then Proposal.

Re-exported here: what the views, the demo and the tasks use.
"""

from .calls import call_save
from .decisions import decision_record
from .final_reports import final_report_submit, final_reports_remind
from .meetings import meeting_close, meeting_create, meeting_refresh, meeting_save_items
from .programme import membership_join, programme_upsert, regional_project_upsert
from .proposals import (
    attachment_add,
    attachment_delete,
    message_post,
    proposal_create,
    proposal_submit,
    proposal_transition,
    proposal_update,
)
from .reviews import assignments_set, conflict_declare, review_save

__all__ = [
    "assignments_set",
    "attachment_add",
    "attachment_delete",
    "call_save",
    "conflict_declare",
    "decision_record",
    "final_report_submit",
    "final_reports_remind",
    "meeting_close",
    "meeting_create",
    "meeting_refresh",
    "meeting_save_items",
    "membership_join",
    "message_post",
    "programme_upsert",
    "proposal_create",
    "proposal_submit",
    "proposal_transition",
    "proposal_update",
    "regional_project_upsert",
    "review_save",
]
