"""Celery tasks of the audits app (the services queue them by name)."""

from celery import shared_task

from .services import audit_reports


@shared_task(name="audits.tasks.audit_report_build", ignore_result=True, acks_late=True)
def audit_report_build(report_id: int) -> bool:
    """Build one edition of an audit report (claimed, so a duplicate delivery does nothing)."""
    return audit_reports.audit_report_build(report_id=report_id)


@shared_task(name="audits.tasks.audit_reports_sweep", ignore_result=True)
def audit_reports_sweep() -> dict:
    """Beat: queue again the report builds a worker never took up, fail the ones whose worker died."""
    return audit_reports.audit_reports_sweep()
