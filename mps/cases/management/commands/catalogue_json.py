"""Print the whole catalogue (vulnerabilities and the minimum package of services) as one JSON object."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mps.assessment.rules import CURRENT_CATALOGUE
from mps.cases.catalogue import catalogue_document


class Command(BaseCommand):
    help = "Print the vulnerability and service catalogue as one JSON object."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--catalogue", default=CURRENT_CATALOGUE, help="catalogue version (default: current)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        document = catalogue_document(options["catalogue"])
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
