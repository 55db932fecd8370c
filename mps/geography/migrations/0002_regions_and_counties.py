"""The eight development regions and the 41 counties plus Bucharest: fixed facts, loaded once."""

from django.db import migrations

REGIONS = [
    ("RO11", "Nord-Vest"),
    ("RO12", "Centru"),
    ("RO21", "Nord-Est"),
    ("RO22", "Sud-Est"),
    ("RO31", "Sud-Muntenia"),
    ("RO32", "București-Ilfov"),
    ("RO41", "Sud-Vest Oltenia"),
    ("RO42", "Vest"),
]

# (two-letter code, SIRUTA county code, name, region)
COUNTIES = [
    ("AB", 1, "Alba", "RO12"),
    ("AR", 2, "Arad", "RO42"),
    ("AG", 3, "Argeș", "RO31"),
    ("BC", 4, "Bacău", "RO21"),
    ("BH", 5, "Bihor", "RO11"),
    ("BN", 6, "Bistrița-Năsăud", "RO11"),
    ("BT", 7, "Botoșani", "RO21"),
    ("BV", 8, "Brașov", "RO12"),
    ("BR", 9, "Brăila", "RO22"),
    ("BZ", 10, "Buzău", "RO22"),
    ("CS", 11, "Caraș-Severin", "RO42"),
    ("CJ", 12, "Cluj", "RO11"),
    ("CT", 13, "Constanța", "RO22"),
    ("CV", 14, "Covasna", "RO12"),
    ("DB", 15, "Dâmbovița", "RO31"),
    ("DJ", 16, "Dolj", "RO41"),
    ("GL", 17, "Galați", "RO22"),
    ("GJ", 18, "Gorj", "RO41"),
    ("HR", 19, "Harghita", "RO12"),
    ("HD", 20, "Hunedoara", "RO42"),
    ("IL", 21, "Ialomița", "RO31"),
    ("IS", 22, "Iași", "RO21"),
    ("IF", 23, "Ilfov", "RO32"),
    ("MM", 24, "Maramureș", "RO11"),
    ("MH", 25, "Mehedinți", "RO41"),
    ("MS", 26, "Mureș", "RO12"),
    ("NT", 27, "Neamț", "RO21"),
    ("OT", 28, "Olt", "RO41"),
    ("PH", 29, "Prahova", "RO31"),
    ("SM", 30, "Satu Mare", "RO11"),
    ("SJ", 31, "Sălaj", "RO11"),
    ("SB", 32, "Sibiu", "RO12"),
    ("SV", 33, "Suceava", "RO21"),
    ("TR", 34, "Teleorman", "RO31"),
    ("TM", 35, "Timiș", "RO42"),
    ("TL", 36, "Tulcea", "RO22"),
    ("VS", 37, "Vaslui", "RO21"),
    ("VL", 38, "Vâlcea", "RO41"),
    ("VN", 39, "Vrancea", "RO22"),
    ("B", 40, "București", "RO32"),
    ("CL", 51, "Călărași", "RO31"),
    ("GR", 52, "Giurgiu", "RO31"),
]


def load(apps, schema_editor):
    Region = apps.get_model("geography", "Region")
    County = apps.get_model("geography", "County")
    Region.objects.bulk_create([Region(code=code, name=name) for code, name in REGIONS])
    County.objects.bulk_create(
        [County(code=code, siruta=siruta, name=name, region_id=region) for code, siruta, name, region in COUNTIES]
    )


def unload(apps, schema_editor):
    apps.get_model("geography", "County").objects.all().delete()
    apps.get_model("geography", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("geography", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
