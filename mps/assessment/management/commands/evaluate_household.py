"""Evaluate one household assessment file without storing anything (methodology-v1, "The evaluation command").

Prints one JSON object (score, risk level, sorted codes for the household and for every member) to standard
output. An invalid input (unreadable file, malformed JSON, or an assessment ``validate`` rejects) prints nothing
to standard output, one problem per line to standard error, each starting with its field path, and exits with
status 2.
"""

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn, cast

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from mps.assessment.rules import (
    CURRENT_CATALOGUE,
    Problem,
    available_catalogues,
    evaluate,
    load_catalogue,
    validate,
)
from mps.assessment.rules.validation import ROOT_PATH

INVALID_INPUT_STATUS = 2


class Command(BaseCommand):
    help = "Evaluate one household assessment (JSON file, or - for standard input) and print the findings as JSON."
    # Pure evaluation needs neither the database nor the project checks, and check warnings on standard error
    # would mix with the problem lines that callers parse.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The assessment JSON file, or - to read standard input.")
        parser.add_argument(
            "--catalogue",
            default=CURRENT_CATALOGUE,
            choices=available_catalogues(),
            help=f"The catalogue version to evaluate with (default {CURRENT_CATALOGUE}).",
        )

    def handle(self, *args: Any, path: str, catalogue: str, **options: Any) -> None:
        raw = self._read(path)
        problems = validate(raw)
        if problems:
            self._reject(problems)
        # validate() accepted it, so it is an assessment object.
        evaluation = evaluate(cast(Mapping[str, Any], raw), load_catalogue(catalogue))
        self.stdout.write(json.dumps(evaluation.as_report(), ensure_ascii=False, indent=2))

    def _read(self, path: str) -> object:
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self._reject(
                [Problem(ROOT_PATH, _("The input cannot be read: %(reason)s") % {"reason": _reason(error)})]
            )
        try:
            return json.loads(text, parse_constant=_reject_non_finite_number)
        except ValueError as error:
            self._reject(
                [Problem(ROOT_PATH, _("The input is not valid JSON: %(reason)s") % {"reason": error})]
            )

    def _reject(self, problems: list[Problem]) -> NoReturn:
        # Plain lines, never coloured: each must start with its field path for whoever reads them by program.
        for problem in problems:
            self.stderr.write(str(problem), style_func=_plain)
        raise SystemExit(INVALID_INPUT_STATUS)


def _plain(text: str) -> str:
    return text


def _reason(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror} ({error.filename})" if error.filename else error.strerror
    return str(error)


def _reject_non_finite_number(constant: str) -> NoReturn:
    # NaN and Infinity are not JSON; Python's parser accepts them, and NaN would slip through every comparison.
    raise ValueError(f"{constant} is not a number JSON allows")
