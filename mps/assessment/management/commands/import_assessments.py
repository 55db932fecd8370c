"""Import a JSON Lines file of interchange-v1 assessments, one per line, through `assessments_import`.

Each line is all-or-nothing; a ref already stored is skipped as a duplicate; rejected lines are written to
`<input>.rejects.jsonl` beside the input (line number, the original text, the problems by field path). A progress
bar goes to standard error and one summary line in the active language to standard output. Exit status: 0 when
no line was rejected, 1 when some were (the accepted ones stay stored), 2 on a usage error.
"""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from mps.assessment.importing import DEFAULT_BATCH_SIZE, RejectedLine, assessments_import

OK_STATUS = 0
SOME_REJECTED_STATUS = 1
USAGE_STATUS = 2


class Command(BaseCommand):
    help = "Import household assessments from a JSON Lines file (one interchange-v1 assessment per line)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The JSON Lines file to import.")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Lines written per transaction (default {DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Processes that validate lines while this one writes (default 1; validation is the costliest step).",
        )

    def handle(
        self, *args: Any, path: str, batch_size: int, workers: int, verbosity: int = 1, **options: Any
    ) -> None:
        # Management commands run in English unless told otherwise; the summary speaks the site's language.
        with translation.override(settings.LANGUAGE_CODE):
            raise SystemExit(
                self._import(Path(path), batch_size=batch_size, workers=workers, verbosity=verbosity)
            )

    def _import(self, path: Path, *, batch_size: int, workers: int, verbosity: int) -> int:
        if batch_size < 1:
            return self._usage(_("The batch size must be at least 1."))
        if workers < 1:
            return self._usage(_("The number of worker processes must be at least 1."))
        if not path.exists():
            return self._usage(_("There is no file %(path)s.") % {"path": path})
        if not path.is_file():
            return self._usage(_("%(path)s is not a file.") % {"path": path})
        try:
            total = _count_lines(path)
        except (OSError, UnicodeDecodeError) as error:
            return self._usage(
                _("The file %(path)s cannot be read: %(reason)s") % {"path": path, "reason": error}
            )

        rejects_path = path.with_name(f"{path.name}.rejects.jsonl")
        # The bar writes carriage returns to the raw stream: OutputWrapper would end every update with a newline.
        with (
            path.open(encoding="utf-8") as lines,
            rejects_path.open("w", encoding="utf-8") as rejects,
            tqdm(total=total, unit=_("line"), file=self.stderr._out, disable=verbosity == 0) as bar,
        ):

            def write_reject(line: RejectedLine) -> None:
                rejects.write(json.dumps(line.as_json(), ensure_ascii=False) + "\n")

            summary = assessments_import(
                lines, batch_size=batch_size, progress=bar.update, on_reject=write_reject
            )

        if summary.rejected:
            where = _(" Rejected lines and their reasons: %(path)s") % {"path": rejects_path}
        else:
            rejects_path.unlink()
            where = ""
        self.stdout.write(
            _("Accepted: %(accepted)d, duplicate: %(duplicate)d, rejected: %(rejected)d.")
            % {
                "accepted": summary.accepted,
                "duplicate": summary.duplicate,
                "rejected": len(summary.rejected),
            }
            + where
        )
        return SOME_REJECTED_STATUS if summary.rejected else OK_STATUS

    def _usage(self, message: str) -> int:
        self.stderr.write(message)
        return USAGE_STATUS


def _count_lines(path: Path) -> int:
    """Count the non-blank lines, for the progress bar; also proves the file is readable text."""
    with path.open(encoding="utf-8") as lines:
        return sum(1 for line in lines if line.strip())
