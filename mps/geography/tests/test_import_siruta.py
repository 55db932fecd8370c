"""`import_siruta`: the whole country from the SIRUTA table sirutalib ships, stored localities kept, idempotent."""

from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mps.core.errors import DomainValidationError
from mps.geography.models import Locality, LocalityKind, Marginalisation, Village
from mps.geography.services import load_demo_geography
from mps.geography.siruta import import_population, import_siruta, romanian_name
from mps.geography.tests.factories import LocalityFactory, VillageFactory

pytestmark = pytest.mark.django_db

UATS, VILLAGES = 3181, 13755


def test_loads_every_administrative_unit_and_village_of_romania():
    summary = import_siruta()

    assert (summary.localities_created, summary.villages_created) == (UATS, VILLAGES)
    assert Counter(Locality.objects.values_list("kind", flat=True)) == {
        LocalityKind.COMMUNE: 2862,
        LocalityKind.TOWN: 216,
        LocalityKind.MUNICIPALITY: 103,
    }
    assert Locality.objects.filter(county_id="BC").count() == 93
    assert Locality.objects.values("county_id").distinct().count() == 42
    bucharest = Locality.objects.get(siruta=179132)
    assert (bucharest.name, bucharest.county_id) == ("București", "B")
    assert sorted(bucharest.villages.values_list("name", flat=True)) == [f"Sectorul {n}" for n in range(1, 7)]
    targu_ocna = Locality.objects.get(siruta=20965)
    assert (targu_ocna.name, targu_ocna.kind) == ("Târgu Ocna", LocalityKind.TOWN)


def test_running_it_again_changes_nothing():
    import_siruta()
    before = list(Locality.objects.order_by("siruta").values()), list(Village.objects.order_by("id").values())

    again = import_siruta()

    assert not again.changed
    assert (again.localities_kept, again.villages_kept) == (UATS, VILLAGES)
    assert (
        list(Locality.objects.order_by("siruta").values()),
        list(Village.objects.order_by("id").values()),
    ) == before


def test_the_demo_county_keeps_its_figures_and_villages():
    demo = {locality.siruta: locality for locality in load_demo_geography()}
    demo_villages = Village.objects.count()

    summary = import_siruta()

    assert summary.localities_kept == len(demo)
    for locality in Locality.objects.filter(siruta__in=demo):
        kept = demo[locality.siruta]
        assert (locality.name, locality.population, locality.marginalisation, locality.latitude) == (
            kept.name,
            kept.population,
            kept.marginalisation,
            kept.latitude,
        )
    assert Village.objects.count() == demo_villages + summary.villages_created
    assert Locality.objects.count() == UATS


def test_a_village_typed_in_by_hand_gets_its_code_instead_of_a_second_row():
    asau = LocalityFactory.create(siruta=21123, name="Asău", marginalisation=Marginalisation.HIGH)
    VillageFactory.create(locality=asau, name="Apa Asau", siruta=None)  # without diacritics, as typed

    summary = import_siruta()

    assert summary.villages_coded == 1
    assert asau.villages.filter(name="Apa Asau").get().siruta is not None
    assert asau.villages.filter(name="Apa Asău").count() == 0
    asau.refresh_from_db()
    assert asau.marginalisation == Marginalisation.HIGH


@pytest.mark.parametrize(
    ("capitals", "written"),
    [
        ("TÂRGU OCNA", "Târgu Ocna"),
        ("PODU LUI PAUL", "Podu lui Paul"),
        ("GÂRBOVA DE SUS", "Gârbova de Sus"),
        ("BEREȘTI-BISTRIȚA", "Berești-Bistrița"),
        ("C.A. ROSETTI", "C.A. Rosetti"),
        ("DE JOS", "De Jos"),
    ],
)
def test_names_are_written_as_in_romanian(capitals, written):
    assert romanian_name(capitals) == written


def _population_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "population.csv"
    path.write_text("\n".join(["siruta,population,children", *lines]) + "\n", encoding="utf-8")
    return path


def test_population_figures_fill_the_units(tmp_path):
    import_siruta()

    changed = import_population(_population_file(tmp_path, "20965,10500,2400", "179132,1716983,290000"))

    assert changed == 2
    assert Locality.objects.get(siruta=20965).children == 2400
    assert import_population(_population_file(tmp_path, "20965,10500,2400")) == 0


def test_a_wrong_population_line_saves_nothing_and_names_the_line_and_column(tmp_path):
    import_siruta()
    path = _population_file(tmp_path, "20965,10500,2400", "179132,many,1", "999999,10,1", "20297,10,20")

    with pytest.raises(DomainValidationError) as raised:
        import_population(path)

    assert set(raised.value.problems) == {"line 3, population", "line 4, siruta", "line 5, children"}
    assert Locality.objects.get(siruta=20965).population == 0


def test_the_command_reports_in_romanian_and_refuses_a_bad_population_file(tmp_path):
    out = StringIO()
    call_command("import_siruta", stdout=out, stderr=StringIO())
    assert "Localități: 3181 create" in out.getvalue()

    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_siruta", population=_population_file(tmp_path, "20965,x,1"), stdout=StringIO(), stderr=err
        )
    assert "linia 2, coloana population" in err.getvalue()
