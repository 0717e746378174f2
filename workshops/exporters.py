"""The organiser's lists as tables for the shared export framework (``portal.exports``: CSV and XLSX, one
cell convention, safe against formula injection)."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.exports import Table


def registrations_table(workshop, registrations) -> Table:
    return Table(
        name=f"workshop-{workshop.number}-registrations",
        header=[
            _("Name"),
            _("Email"),
            _("Phone"),
            _("Organisation"),
            _("Type of organisation"),
            _("Position"),
            _("Language"),
            _("Accessibility or dietary needs"),
            _("Status"),
            _("Partner-country seat"),
            _("Registered"),
            _("Checked in"),
        ],
        rows=(
            [
                r.full_name,
                r.email,
                r.phone,
                r.organisation,
                r.get_organisation_type_display(),
                r.position,
                r.get_language_display(),
                r.needs,
                r.get_status_display(),
                r.partner_seat,
                r.created_at,
                r.attended_at,
            ]
            for r in registrations
        ),
    )


def nominations_table(initiative, nominations) -> Table:
    return Table(
        name=f"{initiative.code}-nominations",
        header=[
            _("Municipality"),
            pgettext("okres / powiat", "District"),
            _("Representative"),
            _("Position"),
            _("Email"),
            _("Phone"),
            _("Note"),
            _("Status"),
            _("Updated"),
        ],
        rows=(
            [
                n.municipality.name,
                n.municipality.district_name,
                n.representative_name,
                n.position,
                n.email,
                n.phone,
                n.note,
                n.get_status_display(),
                n.updated_at,
            ]
            for n in nominations
        ),
    )


def offers_table(workshop, offers) -> Table:
    return Table(
        name=f"workshop-{workshop.number}-offers",
        header=[
            _("Title"),
            _("Speaker"),
            _("Organisation"),
            _("Email"),
            _("Minutes"),
            _("Status"),
            _("Message to the author"),
            _("Submitted"),
            _("Abstract"),
        ],
        rows=(
            [
                o.title,
                o.speaker_name,
                o.speaker_organisation,
                o.speaker_email,
                o.minutes,
                o.get_status_display(),
                o.decision_message,
                o.created_at,
                o.abstract,
            ]
            for o in offers
        ),
    )
