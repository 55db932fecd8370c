"""The codebase stays in rooms a newcomer can read (decision 0009): small modules, demo code in the demo app."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
MAX_LINES = 800


def _source_files() -> list[Path]:
    return [
        path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts and "tests" not in path.parts
    ]


def test_no_module_of_the_package_is_longer_than_800_lines():
    too_long = {
        str(path.relative_to(PACKAGE.parent)): lines
        for path in _source_files()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }

    assert too_long == {}, f"Split these by what a reader looks for (decision 0009): {too_long}"


def test_demo_and_synthetic_data_are_generated_in_the_demo_app_only():
    misplaced = [
        str(path.relative_to(PACKAGE.parent))
        for path in _source_files()
        if path.stem in {"demo", "synthetic", "fake", "fixtures"} and path.parent.name != "demo"
    ]

    assert misplaced == []
    assert _source_files(), "the walk found no module: the test would pass on an empty tree"
