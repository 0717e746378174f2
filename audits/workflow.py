"""The survey wave's states, declared in the shared workflow engine (``portal.workflow``): draft → open →
closed → published. Nothing is shown while a wave is open; results appear once it is published.
``services.wave_transition`` applies it."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.workflow import Messages, State, Transition, Workflow

from . import rules as r


class WaveStatus(models.TextChoices):
    DRAFT = "draft", _("in preparation")
    OPEN = "open", _("open for answers")
    CLOSED = "closed", _("closed, results being checked")
    PUBLISHED = "published", _("results published")


WAVE = Workflow(
    name="wave",
    model="audits.Wave",
    states={
        WaveStatus.DRAFT: State(_("in preparation")),
        WaveStatus.OPEN: State(_("open for answers")),
        WaveStatus.CLOSED: State(_("closed, results being checked")),
        WaveStatus.PUBLISHED: State(_("results published"), open=False),
    },
    transitions={
        "open": Transition(
            name="open",
            label=_("Open for answers"),
            public_label=_("The survey opened."),
            sources=frozenset({WaveStatus.DRAFT}),
            target=WaveStatus.OPEN,
            allowed=r.wave_methodologist,
        ),
        "close": Transition(
            name="close",
            label=_("Close the wave"),
            public_label=_("The survey closed."),
            sources=frozenset({WaveStatus.OPEN}),
            target=WaveStatus.CLOSED,
            allowed=r.wave_methodologist,
        ),
        "publish": Transition(
            name="publish",
            label=_("Publish the results"),
            public_label=_("The results were published."),
            sources=frozenset({WaveStatus.CLOSED}),
            target=WaveStatus.PUBLISHED,
            allowed=r.wave_methodologist,
            stamps=("published_at",),
        ),
    },
    messages=Messages(
        unknown=pgettext_lazy("survey", "Unknown action."),
        not_possible=_("“%(action)s” is not possible for a wave that is %(status)s."),
        forbidden=_("Only the wave's methodologist may do this."),
        stale=_("The wave was changed meanwhile. Reload the page and try again."),
    ),
    version_field="version",
)
