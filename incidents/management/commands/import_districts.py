"""``manage.py import_districts PATH --name-field F [--code-field F] [--layer L] [--unit U] [--srid S]
[--dry-run]``: import safety districts from a GeoJSON, Shapefile or GML file in any coordinate system."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.importers import SKIPPED, DistrictImportError, districts_import


class Command(BaseCommand):
    help = gettext_lazy(
        "Import safety districts from a boundary file (GeoJSON, Shapefile, GML; any coordinate system, e.g. "
        "S-JTSK EPSG:5514 or PL-1992 EPSG:2180). Idempotent by district code; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help=_("the file to import (.geojson, .shp, .gml, … anything GDAL reads)")
        )
        parser.add_argument(
            "--name-field", required=True, help=_("the attribute holding the district's name")
        )
        parser.add_argument(
            "--code-field",
            help=_(
                "the attribute holding a stable code; without it the code is made from the unit and the name"
            ),
        )
        parser.add_argument("--code-prefix", default="", help=_("put before every code, e.g. pl-wroclaw-"))
        parser.add_argument("--layer", help=_("the layer's name or number, if the file has several"))
        parser.add_argument(
            "--unit",
            help=_(
                "the code of the police unit the districts belong to; without it the only unit, or the unit "
                "serving the municipality each district lies in"
            ),
        )
        parser.add_argument(
            "--srid",
            type=int,
            help=_("EPSG code of the file's coordinates, when the file does not say it (or says it wrongly)"),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("check the file and report, but save nothing")
        )

    def handle(self, *args, **options):
        try:
            result = districts_import(
                path=options["path"],
                name_field=options["name_field"],
                code_field=options["code_field"],
                code_prefix=options["code_prefix"],
                layer=options["layer"],
                unit=options["unit"],
                srid=options["srid"],
                dry_run=options["dry_run"],
            )
        except DistrictImportError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("Layer “%(layer)s”, %(count)d features, coordinates in %(srs)s")
            % {"layer": result.layer, "count": len(result.features), "srs": result.srs}
        )
        for feature in result.features:
            label = _("Feature %(number)d “%(name)s”") % {"number": feature.number, "name": feature.name}
            if feature.outcome == SKIPPED:
                self.stdout.write(
                    self.style.WARNING(
                        _("%(feature)s skipped: %(reason)s") % {"feature": label, "reason": feature.reason}
                    )
                )
            elif feature.repaired:
                self.stdout.write(
                    _("%(feature)s (%(code)s): invalid geometry repaired (%(reason)s)")
                    % {"feature": label, "code": feature.code, "reason": feature.repaired}
                )
        summary = _(
            "Created %(created)d, updated %(updated)d, unchanged %(unchanged)d, skipped %(skipped)d."
        ) % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "skipped": result.skipped,
        }
        if result.dry_run:
            summary += " " + _("Dry run: nothing was saved.")
        if not (result.created or result.updated or result.unchanged):
            # An empty file, or one whose every feature was skipped: a script calling this must notice.
            self.stdout.write(self.style.WARNING(summary))
            raise CommandError(_("No district of the file could be imported (see the reasons above)."))
        self.stdout.write(self.style.SUCCESS(summary) if not result.skipped else self.style.WARNING(summary))
