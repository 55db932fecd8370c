"""Import localities from a SIRUTA CSV file: `python manage.py import_localities PATH`."""

import re
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from mps.core.errors import DomainValidationError, Message
from mps.geography.services import import_localities


class Command(BaseCommand):
    help = (
        "Create or update localities from a UTF-8 CSV file whose header is "
        "siruta,name,county_code,kind,population,children; nothing is saved if any line is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The CSV file to import.")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        # Users read these messages in the platform's language, whatever the shell's locale says.
        with translation.override(settings.LANGUAGE_CODE):
            self._import(path)

    def _import(self, path: Path) -> None:
        # disable=None hides the bar when stderr is not a terminal (cron jobs, CI logs, tests).
        with tqdm(desc=_("Importing localities"), unit="", file=sys.stderr, disable=None, leave=False) as bar:

            def report(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                summary = import_localities(path, progress=report)
            except DomainValidationError as error:
                bar.close()
                count = 0
                for key, messages in error.problems.items():
                    for message in messages:
                        self.stderr.write(_describe_problem(key, message))
                        count += 1
                raise CommandError(
                    ngettext(
                        "Nothing was imported: the file has %(count)d problem.",
                        "Nothing was imported: the file has %(count)d problems.",
                        count,
                    )
                    % {"count": count},
                    returncode=1,
                ) from None
        self.stdout.write(
            ngettext(
                "%(total)d locality: %(created)d created, %(updated)d updated, %(unchanged)d unchanged",
                "%(total)d localities: %(created)d created, %(updated)d updated, %(unchanged)d unchanged",
                summary.total,
            )
            % {
                "total": summary.total,
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
            }
        )


_LINE_KEY = re.compile(r"^line (?P<line>\d+)(?:, (?P<column>.+))?$")


def _describe_problem(key: str, message: Message) -> str:
    """Render one problem as a line for people: the key names the line and column in the user's language."""
    match = _LINE_KEY.match(key)
    if match is None:
        return f"{key}: {message}"
    if match["column"]:
        return _("line %(line)s, column %(column)s: %(message)s") % {**match.groupdict(), "message": message}
    return _("line %(line)s: %(message)s") % {"line": match["line"], "message": message}
