"""Print the wave-to-wave evaluation (the "X of Y vulnerabilities reduced" table) as JSON or CSV."""

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mps.geography.models import County, Locality
from mps.monitoring.evaluation import wave_evaluation, wave_number

CSV_COLUMNS = ["code", "level", "units", "from_count", "to_count", "change", "p_value"]


class Command(BaseCommand):
    help = "Compare the vulnerabilities of the households assessed in two waves, with exact McNemar tests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="wave_from", required=True, help="The first wave, e.g. T0.")
        parser.add_argument("--to", dest="wave_to", required=True, help="The later wave, e.g. T3.")
        place = parser.add_mutually_exclusive_group()
        place.add_argument("--county", help="Only this county (two-letter code).")
        place.add_argument("--locality", type=int, help="Only this locality (SIRUTA code).")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            first, second = wave_number(options["wave_from"]), wave_number(options["wave_to"])
        except ValueError as error:
            raise CommandError(f"A wave is written T0, T1, T2 …, not {error}.") from None
        if first == second:
            raise CommandError("The two waves must differ.")
        localities: list[int] | None = None
        if options["county"]:
            code = options["county"].upper()
            if not County.objects.filter(code=code).exists():
                raise CommandError(f"There is no county {code}.")
            localities = list(Locality.objects.filter(county_id=code).values_list("siruta", flat=True))
        elif options["locality"] is not None:
            if not Locality.objects.filter(siruta=options["locality"]).exists():
                raise CommandError(f"There is no locality with SIRUTA code {options['locality']}.")
            localities = [options["locality"]]
        evaluation = wave_evaluation(f"T{first}", f"T{second}", localities)
        if options["format"] == "json":
            self.stdout.write(json.dumps(evaluation.as_json(), ensure_ascii=False, indent=2))
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for code in evaluation.codes:
            writer.writerow(
                [
                    code.code,
                    code.level,
                    code.units,
                    code.from_count,
                    code.to_count,
                    code.change,
                    repr(code.p_value),
                ]
            )
