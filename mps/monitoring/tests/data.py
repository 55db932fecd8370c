"""A small known data set for monitoring tests: four households of one locality over three waves.

  household 1  T0 (2024-06-15): no electricity (HO02); the son (HE01) and the daughter (HE01) have no family
               doctor; both parents uninsured (HE02).
               T1 (2025-01-10): electricity back, the son registered, the parents insured; the daughter has
               moved out, so she leaves the pairs although she still has HE01 nowhere to be seen.
  household 2  T0 twice: 2024-06-10 no electricity (HO02), then 2024-06-20 electricity but no heating (HO06):
               the later visit is the one that counts. Parents uninsured (HE02) in both.
               T1 (2025-01-12): no heating and no electricity (HO06, HO02), parents insured.
  household 3  T0 only (2024-06-16): no electricity (HO02), the son without a family doctor (HE01).
  household 4  T0, T1 and T2 (2024-06-17, 2025-01-14, 2025-05-20): damp (HO05) every time, so HO05 does not
               change; parents uninsured at T0 only.

Wave table T0 → T1 (cohort: households 1, 2, 4; persons: 3 + 4 + 4 = 11):
  HO02 household  units 3  T0 1 (h1)  T1 1 (h2)  discordant 1/1  p = 1
  HO05 household  units 3  T0 1       T1 1       no discordant   p = 1
  HO06 household  units 3  T0 1 (h2)  T1 1 (h2)  no discordant   p = 1
  HE01 person     units 11 T0 1 (son of h1; his sister moved out) T1 0   p = 1
  HE02 person     units 11 T0 6       T1 0       discordant 6/0  p = 2/64 = 0.03125
  → 5 vulnerabilities evaluated, 2 reduced (HE01, HE02).
"""

import datetime as dt
from typing import Any

from mps.accounts.models import User
from mps.assessment.services import assessment_record
from mps.assessment.tests.builders import DAUGHTER, HEAD, SON, SPOUSE, assessment_with
from mps.geography.models import Locality

SIRUTA = 54975
PARENTS = (HEAD, SPOUSE)


def member_ref(house: int, index: int) -> str:
    """Return the ref of member ``index`` of household ``house``."""
    return f"{house:08d}-0000-4000-8000-{index:012d}"


def document(
    house: int,
    serial: int,
    wave: str,
    on: dt.date,
    answers: dict[str, Any] | None = None,
    *,
    siruta: int = SIRUTA,
    leave_out: tuple[int, ...] = (),
) -> dict[str, Any]:
    """Return the baseline family as household ``house``, visited on ``on`` in ``wave``, with ``answers``."""
    doc = assessment_with(answers or {})
    doc["ref"] = f"aaaaaaaa-{serial:04d}-4000-8000-{house:012d}"
    doc["wave"] = wave
    doc["assessed_on"] = on.isoformat()
    doc["household"]["ref"] = f"bbbbbbbb-0000-4000-8000-{house:012d}"
    doc["household"]["locality"] = str(siruta)
    doc["household"]["consent"] = {"given": True, "by_member": member_ref(house, HEAD), "on": on.isoformat()}
    for index, member in enumerate(doc["members"]):
        member["ref"] = member_ref(house, index)
        if "mother_ref" in member:
            member["mother_ref"] = member_ref(house, SPOUSE)
            member["father_ref"] = member_ref(house, HEAD)
    doc["members"] = [m for i, m in enumerate(doc["members"]) if i not in leave_out]
    return doc


def uninsured_parents() -> dict[str, Any]:
    return {f"members[{i}].health.insured": False for i in PARENTS}


NO_ELECTRICITY = {"household.housing.electricity": False}
NO_HEATING = {"household.housing.heating": False}
DAMP = {"household.housing.damp_or_unsanitary": True}


def known_documents(siruta: int = SIRUTA) -> list[dict[str, Any]]:
    """Return the documents of the data set, in the order they are recorded."""
    d = dt.date
    return [
        document(
            1,
            0,
            "T0",
            d(2024, 6, 15),
            {
                **NO_ELECTRICITY,
                **uninsured_parents(),
                f"members[{SON}].health.family_doctor": False,
                f"members[{DAUGHTER}].health.family_doctor": False,
            },
            siruta=siruta,
        ),
        document(1, 1, "T1", d(2025, 1, 10), {}, siruta=siruta, leave_out=(DAUGHTER,)),
        document(2, 0, "T0", d(2024, 6, 10), {**NO_ELECTRICITY, **uninsured_parents()}, siruta=siruta),
        document(2, 1, "T0", d(2024, 6, 20), {**NO_HEATING, **uninsured_parents()}, siruta=siruta),
        document(2, 2, "T1", d(2025, 1, 12), {**NO_HEATING, **NO_ELECTRICITY}, siruta=siruta),
        document(
            3,
            0,
            "T0",
            d(2024, 6, 16),
            {**NO_ELECTRICITY, f"members[{SON}].health.family_doctor": False},
            siruta=siruta,
        ),
        document(4, 0, "T0", d(2024, 6, 17), {**DAMP, **uninsured_parents()}, siruta=siruta),
        document(4, 1, "T1", d(2025, 1, 14), DAMP, siruta=siruta),
        document(4, 2, "T2", d(2025, 5, 20), DAMP, siruta=siruta),
    ]


def record_known_data(actor: User | None, locality: Locality) -> None:
    """Record the known data set in ``locality``."""
    for doc in known_documents(locality.siruta):
        assessment_record(actor=actor, document=doc)
