"""Send the figures of a wave to DHIS2: `python manage.py dhis2_push --url https://dhis2.example.ro [--dry-run]`."""

import json
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from mps.monitoring.areas import area_get, country
from mps.monitoring.conf import small_cell_threshold
from mps.monitoring.dhis2 import data_value_set
from mps.monitoring.dhis2_push import Dhis2Credentials, Dhis2Error, push_data_value_set
from mps.monitoring.evaluation import wave_number
from mps.monitoring.models import AreaLevel
from mps.monitoring.privacy import CellPolicy
from mps.monitoring.selectors import area_waves


class Command(BaseCommand):
    help = (
        "Post one wave's values per locality to DHIS2's /api/dataValueSets by code (the metadata of "
        "dhis2_metadata). Credentials from DHIS2_TOKEN (a personal access token) or DHIS2_USERNAME and "
        "DHIS2_PASSWORD. Small counts are left out, as for every aggregate reader."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", required=True, help="The DHIS2 instance, e.g. https://dhis2.example.ro.")
        parser.add_argument("--wave", help="T0, T1 …; the latest wave with figures when not given.")
        parser.add_argument("--county", help="Only this county's localities (its two-letter code).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Let DHIS2 check everything and store nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            self._push(options)

    def _push(self, options: dict[str, Any]) -> None:
        credentials = Dhis2Credentials(
            token=os.environ.get("DHIS2_TOKEN", ""),
            username=os.environ.get("DHIS2_USERNAME", ""),
            password=os.environ.get("DHIS2_PASSWORD", ""),
        )
        if not credentials.token and not (credentials.username and credentials.password):
            raise CommandError(_("Set DHIS2_TOKEN, or DHIS2_USERNAME and DHIS2_PASSWORD."))
        try:
            area = area_get(AreaLevel.COUNTY, options["county"].upper()) if options["county"] else country()
        except Http404:
            raise CommandError(
                _("--county: no county has the code %(code)s.") % {"code": options["county"]}
            ) from None
        waves = area_waves(area)
        try:
            wave = wave_number(options["wave"]) if options["wave"] else (waves[-1] if waves else None)
        except ValueError:
            raise CommandError(_("--wave: write the wave as T0, T1, T2 …")) from None
        if wave is None or wave not in waves:
            raise CommandError(_("%(area)s has no figures for this wave yet.") % {"area": area.name})
        document = data_value_set(area, wave, CellPolicy(exact=False, threshold=small_cell_threshold()))
        try:
            result = push_data_value_set(options["url"], document, credentials, dry_run=options["dry_run"])
        except Dhis2Error as error:
            raise CommandError(str(error)) from None
        summary = _(
            "%(area)s, T%(wave)s: %(values)d values sent%(dry)s; DHIS2: %(status)s, %(imported)d imported, "
            "%(updated)d updated, %(ignored)d ignored."
        ) % {
            "area": area.name,
            "wave": wave,
            "values": len(document["dataValues"]),
            "dry": _(" (dry run)") if options["dry_run"] else "",
            "status": result.status,
            "imported": result.imported,
            "updated": result.updated,
            "ignored": result.ignored,
        }
        self.stdout.write(summary)
        if not result.ok:
            for conflict in result.conflicts:
                self.stderr.write(conflict)
            raise CommandError(
                _("DHIS2 did not accept every value: %(message)s")
                % {"message": result.message or json.dumps(result.conflicts[:3], ensure_ascii=False)}
            )
