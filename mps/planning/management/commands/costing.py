"""Cost one scale-up scenario from the command line, as JSON or as a table in the active language."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import formats, translation
from django.utils.translation import gettext as _

from mps.core.errors import DomainValidationError
from mps.planning.costing import DEFAULT_PARAMETERS, Scenario, ScenarioResult, parameters_from_mapping
from mps.planning.costing.model import MINISTRY_LABELS, ROLE_LABELS, Ministry, StaffRole
from mps.planning.costing.parameters import DEFAULT_SCENARIO_3_REGIONS, describe_parameters
from mps.planning.selectors import scenario_results

DEFAULT_REGIONS_TEXT = " ".join(DEFAULT_SCENARIO_3_REGIONS)


class Command(BaseCommand):
    help = (
        "Cost a scale-up scenario of the minimum package: 1 highly marginalised rural communities, "
        "2 all rural communities, 3 chosen development regions, 4 all communities, "
        "5 all highly marginalised communities."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scenario", type=int, required=True, choices=[int(s) for s in Scenario])
        parser.add_argument("--format", choices=["json", "table"], default="json")
        parser.add_argument(
            "--region",
            action="append",
            default=[],
            help=f"Development region for scenario 3, repeatable (default {DEFAULT_REGIONS_TEXT}).",
        )
        parser.add_argument(
            "--county",
            action="append",
            default=[],
            help="Plan only with the loaded localities of this county (two-letter code), repeatable.",
        )
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="PARAMETER=VALUE",
            help="Change a parameter, e.g. --set salaries.social_worker=4500 (repeatable).",
        )
        parser.add_argument("--language", default=None, help="Language of the table (ro or en).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["language"]:
            translation.activate(options["language"])
        overrides = {}
        for item in options["set"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(_("Write each change as PARAMETER=VALUE: %(item)s") % {"item": item})
            overrides[key.strip()] = value
        try:
            unknown = sorted(set(overrides) - {info.key for info in describe_parameters()})
            if unknown:
                raise DomainValidationError(
                    set=_("Unknown parameter: %(keys)s.") % {"keys": ", ".join(unknown)}
                )
            parameters = parameters_from_mapping(overrides, DEFAULT_PARAMETERS)
            [result] = scenario_results(
                parameters,
                scenarios=[options["scenario"]],
                regions=options["region"] or DEFAULT_SCENARIO_3_REGIONS,
                counties=[code.upper() for code in options["county"]],
            )
        except DomainValidationError as error:
            raise CommandError("\n".join(error.lines())) from error
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_table(result))


def _number(value: float, decimals: int = 0) -> str:
    """Format a number the way the active language writes it."""
    return formats.number_format(
        round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )


def render_table(result: ScenarioResult) -> str:
    """Return the result as an aligned two-column table in the active language."""
    source = _("platform localities") if result.source == "localities" else _("national aggregates")
    rows: list[tuple[str, str]] = [
        (_("Scenario"), f"{result.scenario}. {result.title}"),
        (_("Source of communities"), source),
    ]
    if result.regions:
        rows.append((_("Development regions"), ", ".join(result.regions)))
    rows += [
        (_("Communities"), _number(result.communities)),
        (_("Counties"), _number(result.counties)),
        (_("Children covered"), _number(result.children)),
        (_("Staff"), _number(result.staff)),
    ]
    rows += [
        (f"  {ROLE_LABELS[StaffRole(role)]}", _number(count)) for role, count in result.staff_by_role.items()
    ]
    rows += [
        (_("Recurrent cost a year (lei)"), _number(result.annual_cost_ron)),
        (_("First-year cost with start-up (lei)"), _number(result.first_year_cost_ron)),
        (_("Cost per child a year (lei)"), _number(result.cost_per_child_ron, 2)),
        (_("Cost per child a year (USD)"), _number(result.cost_per_child_usd, 2)),
        (_("Share of GDP (%)"), _number(result.gdp_share_pct, 4)),
    ]
    rows += [
        (
            _("Share of the budget of the %(ministry)s (%%)") % {"ministry": MINISTRY_LABELS[Ministry(key)]},
            _number(v, 3),
        )
        for key, v in result.ministry_share_pct.items()
    ]
    for year in result.rollout:
        rows.append(
            (
                _("Roll-out year %(year)s") % {"year": year.year},
                _("%(communities)s communities, %(staff)s staff, %(cost)s lei")
                % {
                    "communities": _number(year.communities),
                    "staff": _number(year.staff),
                    "cost": _number(year.cost_ron),
                },
            )
        )
    width = max(len(label) for label, _value in rows)
    return "\n".join(f"{label.ljust(width)}  {value}" for label, value in rows)
