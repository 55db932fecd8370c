"""The family agreement and the referral letter are real PDFs, in Romanian with every diacritic."""

import pytest
from django.utils import timezone
from weasyprint import HTML

from mps.cases import documents, services
from mps.cases.followup import case_update_from_assessment
from mps.cases.models import ActionStatus, PlanAction
from mps.cases.services import ActionChoice
from mps.cases.tests.factories import builders_locality, record, team_of
from mps.cases.tests.pdf_text import decompressed_streams, pdf_text

pytestmark = pytest.mark.django_db

ROMANIAN_LETTERS = set("șțăâî")


@pytest.fixture
def case():
    team = team_of(builders_locality(name="Pâncești"))
    worker = team["social_worker"]
    case = case_update_from_assessment(
        actor=None,
        assessment=record(
            worker,
            {"members[2].protection.neglect_signs": True, "members[2].education.status": "dropped_out"},
        ),
    )
    actions = PlanAction.objects.filter(goal__case=case, status=ActionStatus.PROPOSED)
    services.plan_accept(
        actor=worker,
        case=case,
        choices=[ActionChoice(a.id, True, a.owner, a.due_on) for a in actions],
    )
    services.agreement_record(
        actor=worker,
        case=case,
        signed_on=timezone.localdate(),
        signed_by="Ion Popescu",
        family_commitments="Ne angajăm să trimitem copiii la școală și să mergem la medicul de familie.",
        team_commitments="Echipa însoțește familia la instituții și păstrează confidențialitatea.",
    )
    return case


def _assert_real_pdf(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"DejaVu" in decompressed_streams(pdf)


def test_the_family_agreement_is_a_real_pdf_in_romanian(case):
    agreement = case.agreements.get()
    _assert_real_pdf(documents.agreement_pdf(agreement))

    html = documents.agreement_html(agreement)
    # Table cells wrap their lines: compare words, not line breaks.
    text = " ".join(pdf_text(HTML(string=html).write_pdf(uncompressed_pdf=True)).split())
    for words in (
        "Acordul familiei privind planul de servicii",
        "Angajamentele familiei",
        "Angajamentele echipei",
        "să trimitem copiii la școală",
        "Copil cu semne de neglijare",
        "Semnătura",
        "Data semnării",
    ):
        assert words in text
    assert set(text) >= ROMANIAN_LETTERS
    assert timezone.localdate().strftime("%d.%m.%Y") in text


def test_the_referral_letter_is_a_real_pdf_in_romanian(case):
    referral = case.referrals.get(urgent=True)
    _assert_real_pdf(documents.referral_pdf(referral))

    text = " ".join(
        pdf_text(HTML(string=documents.referral_html(referral)).write_pdf(uncompressed_pdf=True)).split()
    )
    assert "Scrisoare de trimitere" in text
    assert "URGENT" in text
    assert "Direcția Generală de Asistență Socială și Protecția Copilului" in text
    assert "Andrei Popescu" in text
    assert {"ș", "ț", "ă"} <= set(text)


def test_weasyprint_lays_out_the_diacritics_as_text(case):
    document = HTML(string=documents.agreement_html(case.agreements.get())).render()
    texts = []

    def walk(box):
        if getattr(box, "text", None):
            texts.append(box.text)
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    laid_out = " ".join(texts)
    assert "Angajamentele familiei" in laid_out
    assert set(laid_out) >= ROMANIAN_LETTERS
