"""Write the Open311 API's OpenAPI document (docs/open311-openapi.json, or --output)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from incidents.open311.openapi import document

DEFAULT_PATH = Path(settings.BASE_DIR) / "docs" / "open311-openapi.json"


def rendered() -> str:
    return json.dumps(document(), ensure_ascii=False, indent=2) + "\n"


class Command(BaseCommand):
    help = (
        "Write the OpenAPI document of the Open311 GeoReport v2 API (committed as docs/open311-openapi.json)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(DEFAULT_PATH), help="File to write ('-' for stdout).")

    def handle(self, *args, output: str, **options):
        if output == "-":
            self.stdout.write(rendered(), ending="")
            return
        Path(output).write_text(rendered(), encoding="utf-8")
        self.stdout.write(f"Wrote {output}")
