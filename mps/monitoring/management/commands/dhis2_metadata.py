"""Write the DHIS2 metadata our data value sets need: `python manage.py dhis2_metadata [--output PATH]`."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mps.monitoring.dhis2_metadata import dhis2_metadata


class Command(BaseCommand):
    help = (
        "Print (or write to --output) the DHIS2 metadata matching the dhis2.json exports and dhis2_push: "
        "organisation units by code (country, regions, counties, every UAT by SIRUTA code), data elements by "
        "vulnerability code, and the data set. Import it in DHIS2 with Import/Export → Metadata import."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="Write the JSON to this file instead of stdout.")

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        text = json.dumps(dhis2_metadata(), ensure_ascii=False, indent=1)
        if output is None:
            self.stdout.write(text)
            return
        output.write_text(text + "\n", encoding="utf-8")
        metadata = json.loads(text)
        self.stdout.write(
            f"{output}: {len(metadata['organisationUnits'])} organisation units, "
            f"{len(metadata['dataElements'])} data elements, {len(metadata['dataSets'])} data set"
        )
