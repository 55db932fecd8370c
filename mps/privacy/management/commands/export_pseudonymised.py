"""Write the de-identified person-level export (keyed pseudonyms, no names or CNPs) as CSV."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from mps.audit.models import AuditAction
from mps.audit.services import audit_record
from mps.privacy.exports import pseudonymised_csv_lines


class Command(BaseCommand):
    help = "Write one CSV row per person per assessment, the person known by the keyed pseudonym of the CNP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        # The export is recorded in the trail like the download: it acts for nobody, so no actor.
        audit_record(
            actor=None,
            action=AuditAction.EXPORT,
            object_type="pseudonymised_export",
            object_id=timezone.localdate().isoformat(),
        )
        if options["output"]:
            with Path(options["output"]).open("w", encoding="utf-8", newline="") as out:
                for text in pseudonymised_csv_lines():
                    out.write(text)
            return
        for text in pseudonymised_csv_lines():
            self.stdout.write(text, ending="")
