"""import_localities: the happy path, re-runs, and every kind of bad line, rejected with nothing saved."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from mps.core.errors import DomainValidationError
from mps.geography.models import Locality, Marginalisation
from mps.geography.services import ImportSummary, import_localities
from mps.geography.tests.factories import LocalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


HEADER = "siruta,name,county_code,kind,population,children"
BACAU = "20297,Bacău,BC,municipality,136087,27200"
ONESTI = "20563,Onești,BC,municipality,34500,7300"
PANCESTI = "24187,Pâncești,BC,commune,3652,880"


def lines(*rows: str) -> list[str]:
    return [f"{row}\n" for row in rows]


def problems_of(*rows: str) -> dict[str, list[str]]:
    with pytest.raises(DomainValidationError) as caught:
        import_localities(lines(*rows))
    return {key: [str(message) for message in messages] for key, messages in caught.value.problems.items()}


def test_imports_every_line_of_a_good_file() -> None:
    summary = import_localities(lines(HEADER, BACAU, ONESTI, PANCESTI))

    assert summary == ImportSummary(created=3, updated=0, unchanged=0, sirutas=(20297, 20563, 24187))
    pancesti = Locality.objects.get(siruta=24187)
    assert (pancesti.name, pancesti.county_id, pancesti.kind) == ("Pâncești", "BC", "commune")
    assert (pancesti.population, pancesti.children) == (3652, 880)
    assert pancesti.marginalisation == ""
    assert pancesti.latitude is None


def test_reads_a_utf8_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "localities.csv"
    path.write_text("\n".join([HEADER, BACAU, ONESTI]) + "\n", encoding="utf-8-sig")

    summary = import_localities(path)

    assert summary.created == 2
    assert Locality.objects.get(siruta=20563).name == "Onești"


def test_accepts_windows_line_ends_quoted_cells_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "localities.csv"
    path.write_bytes(f'{HEADER}\r\n"20297","Bacău",BC,municipality,136087,27200\r\n\r\n'.encode())

    assert import_localities(path).created == 1


def test_reports_progress_as_lines_saved_out_of_total() -> None:
    calls: list[tuple[int, int]] = []

    import_localities(lines(HEADER, BACAU, ONESTI), progress=lambda done, total: calls.append((done, total)))

    assert calls[-1] == (2, 2)


def test_running_again_updates_changed_localities_and_creates_no_duplicates() -> None:
    import_localities(lines(HEADER, BACAU, ONESTI))

    summary = import_localities(lines(HEADER, BACAU, "20563,Onești,BC,municipality,34000,7000", PANCESTI))

    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 1)
    assert Locality.objects.count() == 3
    assert Locality.objects.get(siruta=20563).population == 34000


def test_an_update_keeps_marginalisation_and_coordinates_the_file_does_not_carry() -> None:
    LocalityFactory(
        siruta=24187,
        name="Pancesti",
        marginalisation=Marginalisation.HIGH,
        latitude=46.3547,
        longitude=27.1022,
    )

    summary = import_localities(lines(HEADER, PANCESTI))

    pancesti = Locality.objects.get(siruta=24187)
    assert summary.updated == 1
    assert pancesti.name == "Pâncești"
    assert (pancesti.marginalisation, pancesti.latitude, pancesti.longitude) == ("high", 46.3547, 27.1022)


def test_optional_columns_set_marginalisation_and_coordinates_and_blank_cells_keep_them() -> None:
    header = f"{HEADER},marginalisation,latitude,longitude"
    import_localities(lines(header, f"{PANCESTI},high,46.3547,27.1022", f"{ONESTI},none,,"))
    LocalityFactory(siruta=20297, name="Bacău", kind="municipality", latitude=46.567, longitude=26.917)

    import_localities(lines(header, f"{BACAU},none,,"))

    assert Locality.objects.get(siruta=24187).marginalisation == "high"
    assert Locality.objects.get(siruta=24187).longitude == 27.1022
    assert Locality.objects.get(siruta=20563).latitude is None
    assert Locality.objects.get(siruta=20297).latitude == 46.567


def test_one_bad_line_among_good_ones_saves_nothing() -> None:
    problems = problems_of(HEADER, BACAU, "20563,Onești,XX,municipality,34500,7300", PANCESTI)

    assert list(problems) == ["line 3, county_code"]
    assert Locality.objects.count() == 0


def test_a_bad_line_does_not_change_localities_already_saved() -> None:
    import_localities(lines(HEADER, BACAU))

    problems_of(HEADER, "20297,Bacău,BC,municipality,1,0", "20563,Onești,BC,municipality,-5,0")

    assert Locality.objects.get(siruta=20297).population == 136087
    assert Locality.objects.count() == 1


@pytest.mark.parametrize(
    ("bad_line", "key", "message"),
    [
        ("abc,Onești,BC,municipality,34500,7300", "line 3, siruta", "“abc” is not a whole number."),
        ("-20563,Onești,BC,municipality,34500,7300", "line 3, siruta", "-20563 is negative"),
        ("0,Onești,BC,municipality,34500,7300", "line 3, siruta", "greater than zero"),
        ("20563,Onești,BC,municipality,34.5,7300", "line 3, population", "“34.5” is not a whole number."),
        ("20563,Onești,BC,municipality,-1,0", "line 3, population", "-1 is negative"),
        ("20563,Onești,BC,municipality,34500,", "line 3, children", "The value is missing"),
        ("20563,Onești,BC,municipality,34500,-7", "line 3, children", "-7 is negative"),
        ("20563,Onești,BC,municipality,99999999999,0", "line 3, population", "is too large"),
        (
            "20563,Onești,BC,municipality,100,101",
            "line 3, children",
            "(101) is greater than the population (100)",
        ),
        ("20563,Onești,ZZ,municipality,34500,7300", "line 3, county_code", "no county with the code “ZZ”"),
        ("20563,Onești,BC,village,34500,7300", "line 3, kind", "“village” is not a kind of locality"),
        ("20563,,BC,municipality,34500,7300", "line 3, name", "The name is empty."),
        ("20563,Onești,BC,municipality,34500", "line 3", "The line has 5 columns but the header has 6."),
        ("20563,Onești,BC,municipality,34500,7300,x", "line 3", "The line has 7 columns"),
        ("20297,Bacău again,BC,municipality,1,0", "line 3, siruta", "20297 already appears on line 2."),
    ],
)
def test_each_kind_of_bad_line_is_reported_with_its_line_and_column(
    bad_line: str, key: str, message: str
) -> None:
    problems = problems_of(HEADER, BACAU, bad_line, PANCESTI)

    assert list(problems) == [key]
    assert message in problems[key][0]
    assert Locality.objects.count() == 0


def test_every_problem_of_every_line_is_reported_at_once() -> None:
    problems = problems_of(HEADER, "x,,QQ,hamlet,-1,2", BACAU, "20297,Bacău,BC,town,5,6")

    # Line 2's children are not compared with a population that is itself wrong.
    assert sorted(problems) == [
        "line 2, county_code",
        "line 2, kind",
        "line 2, name",
        "line 2, population",
        "line 2, siruta",
        "line 4, children",
        "line 4, siruta",
    ]


def test_codes_and_kinds_are_read_regardless_of_case_and_spaces() -> None:
    import_localities(lines(HEADER, " 24187 , Pâncești ,bc, Commune ,3652,880"))

    pancesti = Locality.objects.get(siruta=24187)
    assert (pancesti.name, pancesti.county_id, pancesti.kind) == ("Pâncești", "BC", "commune")


def test_optional_columns_are_checked_too() -> None:
    header = f"{HEADER},marginalisation,latitude,longitude"

    problems = problems_of(header, f"{PANCESTI},severe,north,200")

    assert sorted(problems) == ["line 2, latitude", "line 2, longitude", "line 2, marginalisation"]
    assert "outside the range from -180.0 to 180.0" in problems["line 2, longitude"][0]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("siruta,name,county_code,kind,population", "lacks the columns children"),
        ("siruta,name,county,kind,population,children", "lacks the columns county_code"),
        (f"{HEADER},notes", "unexpected columns: notes"),
        ("name,siruta,county_code,kind,population,children", "in the wrong order"),
        (f"{HEADER},latitude,latitude", "repeats the columns latitude"),
    ],
)
def test_header_problems_are_reported_on_line_one(header: str, message: str) -> None:
    problems = problems_of(header, BACAU)

    assert list(problems) == ["line 1, header"]
    assert any(message in text for text in problems["line 1, header"])
    assert Locality.objects.count() == 0


def test_an_empty_file_is_rejected() -> None:
    assert "The file is empty" in problems_of()["line 1, header"][0]


def test_a_header_alone_imports_nothing() -> None:
    assert import_localities(lines(HEADER)) == ImportSummary(created=0, updated=0, unchanged=0)


def test_a_file_that_is_not_utf8_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "localities.csv"
    path.write_bytes(
        f"{HEADER}\n{BACAU}\n".encode() + "24187,Pâncesti,BC,commune,3652,880\n".encode("cp1250")
    )

    with pytest.raises(DomainValidationError) as caught:
        import_localities(path)

    assert list(caught.value.problems) == ["line 3"]
    assert Locality.objects.count() == 0


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DomainValidationError) as caught:
        import_localities(tmp_path / "nowhere.csv")

    assert list(caught.value.problems) == ["file"]


def test_messages_come_out_in_romanian() -> None:
    with translation.override("ro"):
        problems = problems_of(HEADER, "20297,Bacău,BC,municipality,100,101")

    assert problems["line 2, children"] == ["Numărul de copii (101) este mai mare decât populația (100)."]
