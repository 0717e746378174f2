"""Print a wave's published aggregates exactly as the public results page computes them (the same selector,
``audits.selectors.wave_results``), including which cells are suppressed."""

import json

from django.core.management.base import BaseCommand, CommandError

from audits import selectors
from audits.workflow import WaveStatus


class Command(BaseCommand):
    help = "Print the published aggregates of a survey wave (JSON or CSV)."

    def add_arguments(self, parser):
        parser.add_argument("wave_id", type=int)
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, wave_id, **options):
        wave = selectors.wave_get(wave_id)
        if wave is None:
            raise CommandError(f"No survey wave {wave_id}.")
        if wave.status != WaveStatus.PUBLISHED:
            raise CommandError(f"Wave {wave_id} is not published: its results are not public.")
        results = selectors.wave_results(wave)
        if options["format"] == "json":
            self.stdout.write(json.dumps(results.as_json(), ensure_ascii=False, indent=2))
            return
        from portal import exports

        rows = results.rows()
        header = list(rows[0]) if rows else []
        self.stdout.write(
            exports.csv_string(
                exports.Table(name="results", header=header, rows=[list(r.values()) for r in rows])
            )
        )
