"""The rules of methodology mps-v1: one small pure function per vulnerability code.

Each function is the methodology table's rule, read literally; thresholds come from the catalogue's parameters
so that a later catalogue version can move them without touching code. The housing rules HO01-HO07 and HO09
only apply when the household has a dwelling; HO08 is the finding for a household without one.
"""

from mps.assessment.rules.catalogue import Parameters
from mps.assessment.rules.facts import Household, Person
from mps.assessment.rules.ruleset import RuleSet

rules = RuleSet("mps-v1")

SCHOOL_ATTENDANCE_STATUSES = frozenset({"school", "high_school", "vocational"})
EARLY_EDUCATION_STATUSES = frozenset({"kindergarten", "school"})
NEVER_ENROLLED_STATUSES = frozenset({"not_enrolled", "too_young"})
UNEMPLOYED_STATUSES = frozenset({"unemployed_registered", "unemployed_unregistered"})
NOT_LOOKING_FOR_WORK_STATUSES = frozenset({"unemployed_unregistered", "inactive"})


# Identity documents


@rules.person("ID01")
def child_without_birth_certificate(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a child without a birth certificate."""
    return person.is_child and not person.documents["birth_certificate"]


@rules.person("ID02")
def without_identity_card_from_14(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a person aged 14 or over without an identity card."""
    return person.age >= 14 and not person.documents["identity_card"]


# Health


@rules.person("HE01")
def child_without_family_doctor(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a child not registered with a family doctor."""
    return person.is_child and not person.health["family_doctor"]


@rules.person("HE02")
def adult_without_health_insurance(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a person aged 18 or over without health insurance."""
    return person.age >= 18 and not person.health["insured"]


@rules.person("HE03")
def child_with_incomplete_vaccination(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a child whose vaccination is incomplete."""
    return person.is_child and person.health["vaccination"] == "incomplete"


@rules.person("HE04")
def child_with_unknown_vaccination(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a child whose vaccination status is unknown."""
    return person.is_child and person.health["vaccination"] == "unknown"


@rules.person("HE05")
def pregnancy_without_prenatal_care(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a pregnancy that no doctor follows."""
    return person.health["pregnant"] and not person.health["prenatal_care"]


@rules.person("HE06")
def teenage_pregnancy_or_motherhood(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a woman under 20 who is pregnant or is the mother of another member."""
    return (
        person.sex == "F"
        and person.age < 20
        and (person.health["pregnant"] or person.ref in household.mother_refs)
    )


@rules.person("HE07")
def child_with_malnutrition_signs(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a child with signs of malnutrition."""
    return person.is_child and person.health["malnutrition_signs"]


@rules.person("HE08")
def disability_without_certificate(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a person with a disability but no disability certificate."""
    return person.health["disability"] and not person.health["disability_certificate"]


@rules.person("HE09")
def chronic_illness_not_followed(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a chronic illness without regular medical follow-up."""
    return person.health["chronic_illness"] and not person.health["chronic_illness_followed"]


# Education


@rules.person("ED01")
def young_child_not_in_early_education(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a child aged 3 to 5 who attends neither kindergarten nor school."""
    return 3 <= person.age <= 5 and person.education["status"] not in EARLY_EDUCATION_STATUSES


@rules.person("ED02")
def school_age_child_never_enrolled(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a child aged 6 to 17 who was never enrolled in school."""
    return 6 <= person.age <= 17 and person.education["status"] in NEVER_ENROLLED_STATUSES


@rules.person("ED03")
def pupil_at_risk_of_dropping_out(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a pupil with at least the parameter's number of unexcused absence hours in 30 days."""
    return (
        person.education["status"] in SCHOOL_ATTENDANCE_STATUSES
        and person.education["unexcused_absences_30d"] >= parameters.absence_hours
    )


@rules.person("ED04")
def child_who_repeated_a_grade(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a child who repeated a grade."""
    return person.is_child and person.education["repeated_grade"]


@rules.person("ED05")
def child_who_dropped_out(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a child who dropped out of school."""
    return person.is_child and person.education["status"] == "dropped_out"


@rules.person("ED06")
def young_person_neither_learning_nor_working(
    person: Person, household: Household, parameters: Parameters
) -> bool:
    """Find a person aged 15 to 24 who is neither enrolled nor working (NEET)."""
    return 15 <= person.age <= 24 and not person.is_enrolled and not person.is_working


@rules.person("ED07")
def working_age_without_lower_secondary(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a working-age person who has not completed grade 8."""
    return person.is_working_age and person.education["highest_grade"] < 8


@rules.person("ED08")
def special_needs_without_support(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find special educational needs without the support they entitle to."""
    return person.education["special_needs"] and not person.education["special_needs_support"]


# Income


@rules.household("IN01")
def income_below_poverty_line(household: Household, parameters: Parameters) -> bool:
    """Find a household whose income per equivalent adult is below the poverty line."""
    # income / (tenths / 10) < line, multiplied out so that no division rounds at the boundary.
    return (
        household.monthly_net_income_ron * 10
        < parameters.poverty_line_ron * household.equivalent_adults_tenths
    )


@rules.household("IN02")
def entitled_to_minimum_inclusion_income_not_claiming(household: Household, parameters: Parameters) -> bool:
    """Find a household under the minimum inclusion income threshold per person that does not receive it."""
    return (
        household.monthly_net_income_ron < parameters.minimum_income_threshold_ron * len(household.members)
        and not household.income["receives_minimum_inclusion_income"]
    )


@rules.person("IN03")
def child_without_allowance(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a child for whom the state child allowance is not paid."""
    return person.is_child and not person.benefits["child_allowance"]


@rules.household("IN04")
def household_without_income(household: Household, parameters: Parameters) -> bool:
    """Find a household with no money income at all."""
    return household.monthly_net_income_ron == 0


@rules.person("IN05")
def disability_certificate_without_benefit(
    person: Person, household: Household, parameters: Parameters
) -> bool:
    """Find a disability certificate holder who does not receive the disability benefit."""
    return person.health["disability_certificate"] and not person.benefits["disability_benefit"]


# Employment


@rules.person("EM01")
def working_age_not_looking_for_work(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a working-age person who is inactive or unemployed without registering."""
    return person.is_working_age and person.employment["status"] in NOT_LOOKING_FOR_WORK_STATUSES


@rules.person("EM02")
def long_term_unemployed(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find an unemployed person out of work for at least the long-term unemployment parameter."""
    return (
        person.employment["status"] in UNEMPLOYED_STATUSES
        and person.employment["unemployed_months"] >= parameters.long_term_unemployment_months
    )


@rules.person("EM03")
def informal_work(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a person aged 15 or over working informally."""
    return person.age >= 15 and person.employment["status"] == "employed_informal"


@rules.household("EM04")
def children_and_no_working_adult(household: Household, parameters: Parameters) -> bool:
    """Find a household with children in which no working-age member works."""
    return household.child_count > 0 and not any(
        person.is_working_age and person.is_working for person in household.members
    )


# Family and child protection


@rules.person("FA01")
def child_left_behind(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a child whose parents work abroad."""
    return person.is_child and person.protection["parents_abroad"]


@rules.person("FA02")
def child_neglected(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a child with signs of neglect."""
    return person.is_child and person.protection["neglect_signs"]


@rules.household("FA03")
def domestic_violence(household: Household, parameters: Parameters) -> bool:
    """Find a household with signs of domestic violence."""
    return household.family["domestic_violence_signs"]


@rules.household("FA04")
def substance_abuse(household: Household, parameters: Parameters) -> bool:
    """Find a household where an adult abuses alcohol or drugs."""
    return household.family["substance_abuse"]


@rules.household("FA05")
def single_parent(household: Household, parameters: Parameters) -> bool:
    """Find a household with a member of relation child under 18 and no member of relation spouse."""
    # Literal reading: only the relation "child" counts (grandchildren do not), whatever the head's situation.
    has_minor_child = any(p.relation == "child" and p.is_child for p in household.members)
    return has_minor_child and not any(p.relation == "spouse" for p in household.members)


@rules.household("FA06")
def large_family(household: Household, parameters: Parameters) -> bool:
    """Find a household with three or more children of any relation."""
    return household.child_count >= 3


@rules.person("FA07")
def child_labour(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a child whose work harms schooling, health or development."""
    return person.is_child and person.protection["child_labour"]


@rules.person("FA08")
def child_in_union(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a child who is married or lives as a couple."""
    return person.is_child and person.protection["in_union"]


@rules.person("FA09")
def dependent_without_caregiver(person: Person, household: Household, parameters: Parameters) -> bool:
    """Find a person who needs daily care and has nobody providing it."""
    return person.health["needs_daily_care"] and not person.health["has_caregiver"]


# Housing


@rules.household("HO01")
def overcrowded(household: Household, parameters: Parameters) -> bool:
    """Find a dwelling with more persons per room than the overcrowding parameter."""
    # members / max(rooms, 1) > limit, multiplied out so that no division rounds at the boundary.
    rooms = max(household.housing["rooms"], 1)
    return (
        household.has_dwelling and len(household.members) > parameters.overcrowding_persons_per_room * rooms
    )


@rules.household("HO02")
def no_electricity(household: Household, parameters: Parameters) -> bool:
    """Find a dwelling without electricity."""
    return household.has_dwelling and not household.housing["electricity"]


@rules.household("HO03")
def no_safe_water(household: Household, parameters: Parameters) -> bool:
    """Find a dwelling without a safe drinking water source."""
    return household.has_dwelling and not household.housing["safe_water"]


@rules.household("HO04")
def improvised_or_unsafe_dwelling(household: Household, parameters: Parameters) -> bool:
    """Find an improvised dwelling or one whose structure is unsafe."""
    return household.has_dwelling and (
        household.housing["dwelling"] == "improvised" or household.housing["unsafe_structure"]
    )


@rules.household("HO05")
def damp_or_unsanitary(household: Household, parameters: Parameters) -> bool:
    """Find a damp or unsanitary dwelling."""
    return household.has_dwelling and household.housing["damp_or_unsanitary"]


@rules.household("HO06")
def no_heating(household: Household, parameters: Parameters) -> bool:
    """Find a dwelling without a working heating source."""
    return household.has_dwelling and not household.housing["heating"]


@rules.household("HO07")
def no_housing_documents(household: Household, parameters: Parameters) -> bool:
    """Find a dwelling without property, rental or use documents."""
    return household.has_dwelling and not household.housing["legal_documents"]


@rules.household("HO08")
def homeless(household: Household, parameters: Parameters) -> bool:
    """Find a household without a dwelling."""
    return not household.has_dwelling


@rules.household("HO09")
def no_indoor_toilet(household: Household, parameters: Parameters) -> bool:
    """Find a dwelling without an indoor toilet."""
    return household.has_dwelling and not household.housing["indoor_toilet"]
