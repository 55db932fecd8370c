"""Benchmark the needs-assessment engine and validator on one core and print households per second.

Run: .venv/bin/python bench/engine.py [--households N] [--seed S] [--rounds R]

Generates N realistic valid assessments (seeded, so every run measures the same input), then times the
engine on all of them and the validator, and both together (what an import does per household), on the first
--validated of them: the JSON Schema validator is two orders of magnitude slower than the engine, and timing it
on all N would only make the run long. Each figure is the best of R rounds, the usual way to measure
throughput without the noise of other processes. The engine target is 5,000 household assessments a second.
"""

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from mps.assessment.rules import evaluate, load_catalogue, validate  # noqa: E402
from mps.demo.synthetic import synthetic_assessments  # noqa: E402

ENGINE_TARGET_PER_SECOND = 5_000


def best_rate(
    work: Callable[[dict[str, Any]], object], assessments: list[dict[str, Any]], rounds: int
) -> float:
    """Return the best households-per-second rate of ``work`` over ``rounds`` passes through ``assessments``."""
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        for assessment in assessments:
            work(assessment)
        elapsed = time.perf_counter() - started
        best = max(best, len(assessments) / elapsed)
    return best


def main() -> int:
    """Run the benchmark and print the figures; exit 1 if the engine misses its target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--validated", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()

    catalogue = load_catalogue("mps-v1")
    started = time.perf_counter()
    assessments = synthetic_assessments(options.households, seed=options.seed)
    generated_in = time.perf_counter() - started
    members = sum(len(a["members"]) for a in assessments)

    # Warm up once: compiles the schema validator and the catalogue's rule plan, as a long-running process would.
    evaluate(assessments[0], catalogue)
    validate(assessments[0])
    invalid = sum(1 for a in assessments[:200] if validate(a))
    if invalid:
        print(f"error: {invalid} generated assessments are invalid", file=sys.stderr)
        return 2

    def evaluate_only(assessment: dict[str, Any]) -> object:
        return evaluate(assessment, catalogue)

    def validate_and_evaluate(assessment: dict[str, Any]) -> object:
        return validate(assessment) or evaluate(assessment, catalogue)

    validated = assessments[: options.validated]
    engine = best_rate(evaluate_only, assessments, options.rounds)
    validator = best_rate(validate, validated, options.rounds)
    combined = best_rate(validate_and_evaluate, validated, options.rounds)

    verdict = "meets" if engine >= ENGINE_TARGET_PER_SECOND else "MISSES"
    print(
        f"Needs-assessment benchmark, catalogue {catalogue.code}, Python {sys.version.split()[0]}, one core"
    )
    print(
        f"  input: {len(assessments):,} synthetic households, {members:,} members "
        f"({members / len(assessments):.1f} per household), seed {options.seed}, generated in {generated_in:.1f} s"
    )
    print(f"  best of {options.rounds} rounds, households per second:")
    for label, rate in (
        (f"engine (evaluate), {len(assessments):,} households", engine),
        (f"validator (schema + semantics), {len(validated):,} households", validator),
        (f"validate, then evaluate, {len(validated):,} households", combined),
    ):
        print(f"    {label:<52}{rate:>9,.0f}/s  ({1e6 / rate:,.0f} µs each)")
    print(f"  engine target {ENGINE_TARGET_PER_SECOND:,}/s: {verdict}")
    return 0 if engine >= ENGINE_TARGET_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
