"""Build the demo county: its community teams, households and people, reproducibly from a seed."""

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import formats, translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from mps.core.errors import DomainValidationError
from mps.demo.builder import DEFAULT_PLAN, REGISTRY_PLAN, build_demo
from mps.demo.context import DEFAULT_HOUSEHOLDS, DEFAULT_SEED, DemoContext, DemoUser, ProgressBar
from mps.registry.models import Household

PASSWORD_ENV = "MPS_DEMO_PASSWORD"  # noqa: S105 # nosec B105 - the name of a variable, not a password


class Command(BaseCommand):
    help = (
        "Build the demo county (Bacău): community teams, households and people, the census and assessments of "
        "four waves and the cases that follow, reproducibly from a seed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="The same seed builds the same data."
        )
        parser.add_argument(
            "--households", type=int, default=DEFAULT_HOUSEHOLDS, help="How many households to generate."
        )
        parser.add_argument(
            "--registry-only",
            action="store_true",
            help="Build only the teams, households and people: no census, assessments or cases.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing, successfully, if the registry holds households.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        if options["households"] < 1:
            raise CommandError(_("The demo needs at least one household."))
        if Household.objects.exists():
            if options["if_empty"]:
                self.stdout.write(_("The registry already holds households; the demo was not built."))
                return
            raise CommandError(
                _(
                    "The registry already holds households, and the demo is built only into an empty database. "
                    "Use --if-empty to skip it, or start from a new database."
                )
            )
        password = os.environ.get(PASSWORD_ENV) or None
        show_progress = options["verbosity"] > 0

        def progress(description: str, total: int) -> ProgressBar:
            return tqdm(total=total, desc=description, unit="", file=sys.stderr, disable=not show_progress)

        try:
            context = build_demo(
                seed=options["seed"],
                households=options["households"],
                password=password,
                progress=progress,
                plan=REGISTRY_PLAN if options["registry_only"] else DEFAULT_PLAN,
            )
        except DomainValidationError as error:
            raise CommandError("\n".join(error.lines())) from error
        self._print_summary(context)
        self._print_users(context.users)

    def _print_summary(self, context: DemoContext) -> None:
        people = sum(len(household.members) for household in context.households)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Built the demo with seed %(seed)d. Localities: %(localities)d, users: %(users)d, "
                    "households: %(households)d, people: %(people)d, of whom recorded twice: %(duplicates)d."
                )
                % {
                    "seed": context.seed,
                    "localities": len(context.localities),
                    "users": len(context.users),
                    "households": len(context.households),
                    "people": people,
                    "duplicates": len(context.duplicates),
                }
            )
        )

        work = context.fieldwork
        if work is None:
            return
        for wave in work.waves:
            self.stdout.write(
                _(
                    "Census %(wave)s: %(listed)d households listed, of which found in the field: %(invisibles)d; "
                    "visits: %(visits)d; assessed: %(assessed)d (coverage %(coverage)s %%)."
                )
                % {
                    "wave": wave.wave,
                    "listed": wave.listed,
                    "invisibles": wave.invisibles,
                    "visits": wave.visits,
                    "assessed": wave.assessed,
                    "coverage": formats.number_format(wave.coverage_percent, 1),
                }
            )
        self.stdout.write(
            _("Children assessed at least three times: %(children)d.") % {"children": work.children_followed}
        )
        if work.cases is not None:
            self.stdout.write(
                _(
                    "Cases: %(cases)d, family agreements: %(agreements)d, services delivered: %(deliveries)d, "
                    "referrals: %(referrals)d, parenting-education sessions: %(activities)d."
                )
                % {
                    "cases": work.cases.cases,
                    "agreements": work.cases.agreements,
                    "deliveries": work.cases.deliveries,
                    "referrals": work.cases.referrals,
                    "activities": work.cases.activities,
                }
            )

    def _print_users(self, users: list[DemoUser]) -> None:
        from_environment = _("(from %(variable)s)") % {"variable": PASSWORD_ENV}
        header = (_("Username"), _("Role"), _("Scope"), _("Password"))
        rows = [
            (demo.user.username, demo.role_label, demo.scope_label, demo.password or from_environment)
            for demo in users
        ]
        widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write("")
        self.stdout.write(_("Demo users:"))
        self.stdout.write(line(header))
        self.stdout.write(line(tuple("-" * width for width in widths)))
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write("")
        if settings.MPS_REQUIRE_MFA:
            self.stdout.write(
                _(
                    "A second factor is required (MPS_REQUIRE_MFA): at the first login each user scans a QR code "
                    "with an authenticator app (Google Authenticator, FreeOTP, Aegis) and types its six-digit "
                    "code, then keeps the ten recovery codes shown."
                )
            )
        else:
            self.stdout.write(
                _(
                    "A second factor is optional here; production requires it (MPS_REQUIRE_MFA=1). To try it, "
                    "start with MPS_REQUIRE_MFA=1 and log in: the platform asks to scan a QR code with an "
                    "authenticator app, or open /cont/doi-factori/configurare/."
                )
            )
