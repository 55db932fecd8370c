"""Load Romania's whole SIRUTA geography: `python manage.py import_siruta [--population PATH]`."""

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from mps.core.errors import DomainValidationError
from mps.geography.management.commands.import_localities import _describe_problem
from mps.geography.siruta import import_population, import_siruta


class Command(BaseCommand):
    help = (
        "Load every administrative unit (municipality, town, commune) and village of Romania from the SIRUTA "
        "table shipped by sirutalib; stored localities are kept; running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--population",
            type=Path,
            help="A CSV file siruta,population,children that sets the figures of each UAT (all or nothing).",
        )

    def handle(self, *args: Any, population: Path | None, **options: Any) -> None:
        # Users read these messages in the platform's language, whatever the shell's locale says.
        with translation.override(settings.LANGUAGE_CODE):
            # disable=None hides the bar when stderr is not a terminal (cron jobs, CI logs, tests).
            with tqdm(desc=_("Loading SIRUTA"), unit="", file=sys.stderr, disable=None, leave=False) as bar:

                def report(done: int, total: int) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                summary = import_siruta(progress=report)
            self.stdout.write(
                _(
                    "Localities: %(created)d created, %(kept)d already there. "
                    "Villages: %(villages)d created, %(coded)d given their SIRUTA code, %(villages_kept)d already there."
                )
                % {
                    "created": summary.localities_created,
                    "kept": summary.localities_kept,
                    "villages": summary.villages_created,
                    "coded": summary.villages_coded,
                    "villages_kept": summary.villages_kept,
                }
            )
            if population is not None:
                self._population(population)

    def _population(self, path: Path) -> None:
        try:
            changed = import_population(path)
        except DomainValidationError as error:
            for key, messages in error.problems.items():
                for message in messages:
                    self.stderr.write(_describe_problem(key, message))
            raise CommandError(
                _("The population file was not imported: nothing changed."), returncode=1
            ) from None
        self.stdout.write(_("Population: %(count)d localities updated.") % {"count": changed})
