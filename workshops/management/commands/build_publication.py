"""Build the recommendations publication of an initiative from the shell, as the organiser's button does:

    python manage.py build_publication bi-norway publication.pdf [--language en]

A new edition is kept (downloadable from the organiser's page) and its PDF is also written to OUTPUT.
"""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workshops import selectors, services
from workshops.models import Publication


class Command(BaseCommand):
    help = "Build a new edition of an initiative's publication (PDF) and write it to OUTPUT."

    def add_arguments(self, parser):
        parser.add_argument("initiative", help="the initiative's code (slug), e.g. bi-norway")
        parser.add_argument("output", help="where to write the PDF")
        parser.add_argument("--language", help="language of the edition (default: the initiative's)")

    def handle(self, *args, initiative, output, language=None, **options):
        item = selectors.initiative_by_code(initiative)
        if item is None:
            raise CommandError(f"No initiative with the code {initiative!r}.")
        edition, created = services.publication_build_now(initiative=item, language=language or item.language)
        if not created:
            raise CommandError(
                f"Edition {edition.edition} is already being built; try again when it is done."
            )
        if edition.status != Publication.Status.DONE:
            raise CommandError(f"The build failed: {edition.error}")
        with edition.file.open("rb") as source, Path(output).open("wb") as target:
            shutil.copyfileobj(source, target)
        self.stdout.write(
            self.style.SUCCESS(
                f"Edition {edition.edition} ({edition.language}): {edition.pages} pages, {output}"
            )
        )
