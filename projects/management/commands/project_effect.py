"""``manage.py project_effect PROJECT_ID [--json]``: a, b, c, d, RES and its 95 % interval, WDQ, the Maryland
level and the warnings of a supported project, from the same selector as its effect panel."""

import json

from django.core.management.base import BaseCommand, CommandError

from projects.results.selectors import effect_panel, result_for_proposal


class Command(BaseCommand):
    help = "Print the measured effect of a funded project (its proposal id)."

    def add_arguments(self, parser):
        parser.add_argument("project_id", type=int)
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, project_id: int, **options):
        result = result_for_proposal(proposal_id=project_id)
        if result is None:
            raise CommandError(f"No results record for supported project {project_id}.")
        panel = effect_panel(result)
        data = panel.as_json()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
            return
        if not panel.ready:
            self.stdout.write("Not measurable yet; missing: " + ", ".join(data["missing"]))
            return
        self.stdout.write(f"a={data['a']} b={data['b']} c={data['c']} d={data['d']}")
        if data["res"] is None:
            self.stdout.write(f"RES: – ({data['res_missing']})")
        else:
            self.stdout.write(
                f"RES: {data['res']:.2f} (95 % CI {data['res_low']:.2f}–{data['res_high']:.2f})"
            )
        self.stdout.write(
            f"WDQ: {data['wdq'] if data['wdq'] is not None else '– (' + str(data['wdq_missing']) + ')'}"
        )
        self.stdout.write(f"Maryland level: {data['maryland_level']}")
        for warning in data["warnings"]:
            self.stdout.write(f"! {warning['message']}")
