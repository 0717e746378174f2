"""Reads for citizens who follow reports: the signed tracking links of the status emails, look-up by
reference and email, a citizen's own reports and the ones they may claim, the supporters' unsubscribe links.

Why signed links: only the SHA-256 of a report's tracking token is kept, so the token link cannot be sent
again. A status email (or a look-up) carries ``/reports/follow/<reference>:<signature>/`` instead, made again
for each email: a ``django.core.signing.Signer`` signature of the reference, salted with the report's token
hash. So the link opens only that report, needs both the site's key and the database row to be forged, and
never expires (like the token link). Key rotation: ``Signer`` checks ``SECRET_KEY`` and then every key of
``SECRET_KEY_FALLBACKS`` (portal/settings.py, from the environment): a link signed with an old key keeps
working as long as that key is listed there; new links are signed with the current key."""

from allauth.account.models import EmailAddress
from django.core import signing
from django.db.models import Q, QuerySet

from portal.web import absolute_reverse

from ..models import Report, Support

LINK_SALT = "incidents.tracking-link"
UNSUBSCRIBE_SALT = "incidents.support-unsubscribe"


def _link_signer(token_hash: str) -> signing.Signer:
    return signing.Signer(salt=f"{LINK_SALT}:{token_hash}")


def tracking_link_path_arg(report: Report) -> str:
    """The URL argument of ``incidents:track_link`` for ``report``."""
    return _link_signer(report.token_hash).sign(report.reference)


def tracking_link(report: Report) -> str:
    """The absolute signed link to ``report``'s tracking page (made again for each email)."""
    return absolute_reverse("incidents:track_link", tracking_link_path_arg(report))


def report_by_link(signed: str) -> Report | None:
    """The report a signed tracking link opens, or None (unknown reference, bad or foreign signature)."""
    reference, _sep, _signature = signed.partition(":")
    if not reference or len(signed) > 100:
        return None
    report = Report.objects.filter(reference=reference[:9]).select_related("category").first()
    if report is None:
        return None
    try:
        value = _link_signer(report.token_hash).unsign(signed)
    except signing.BadSignature:
        return None
    return report if value == report.reference else None


def report_by_reference_and_email(*, reference: str, email: str) -> Report | None:
    """The report with this reference whose reporter gave this email (case does not matter), or None."""
    reference, email = reference.strip().upper(), email.strip()
    if not reference or not email:
        return None
    return Report.objects.filter(reference=reference[:9], reporter_email__iexact=email).first()


def unsubscribe_path_arg(support: Support) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(support.pk))


def unsubscribe_link(support: Support) -> str:
    return absolute_reverse("incidents:unsubscribe", unsubscribe_path_arg(support))


def support_by_unsubscribe(signed: str) -> Support | None:
    try:
        pk = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(signed[:100])
    except signing.BadSignature:
        return None
    return Support.objects.filter(pk=int(pk)).select_related("report").first() if pk.isdigit() else None


def supporters_to_notify(report: Report) -> list[Support]:
    """The supporters of ``report`` who left an email, each once per address."""
    seen, out = set(), []
    for support in Support.objects.filter(report=report).exclude(email="").order_by("pk"):
        if support.email.lower() not in seen:
            seen.add(support.email.lower())
            out.append(support)
    return out


def _verified_emails(user) -> list[str]:
    return list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))


def _email_match(emails: list[str]) -> Q:
    match = Q(pk__in=[])
    for email in emails:
        match |= Q(reporter_email__iexact=email)
    return match


def my_reports(user) -> QuerySet[Report]:
    """``user``'s reports: sent while logged in, or claimed. Newest first, category joined (one query)."""
    return Report.objects.filter(reporter=user).select_related("category").order_by("-created_at", "-pk")


def claimable_reports(user, *, emails: list[str] | None = None) -> QuerySet[Report]:
    """Reports sent without an account from one of ``user``'s VERIFIED addresses: confirming the address
    proved the citizen owns it, so they may add these reports to theirs."""
    emails = _verified_emails(user) if emails is None else emails
    return (
        Report.objects.filter(_email_match(emails), reporter__isnull=True)
        .select_related("category")
        .order_by("-created_at", "-pk")
    )


def my_reports_page(user) -> dict:
    """What the "My reports" page shows, in three queries whatever the number of reports."""
    emails = _verified_emails(user)
    return {
        "reports": list(my_reports(user)),
        "claimable": list(claimable_reports(user, emails=emails)) if emails else [],
    }
