"""The family agreement and the referral letter are real PDFs, in Romanian with every diacritic."""

import itertools

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


def _rows_by_page(html: str) -> list[set[int]]:
    """Per page, the body rows of the tables that WeasyPrint laid out on it (by element identity)."""
    from weasyprint.formatting_structure.boxes import TableRowBox

    pages = []
    for page in HTML(string=html).render().pages:
        rows: set[int] = set()
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if (
                isinstance(box, TableRowBox)
                and box.element is not None
                and box.element.get("class") == "body"
            ):
                rows.add(id(box.element))
            stack.extend(getattr(box, "children", []))
        pages.append(rows)
    return pages


@pytest.mark.parametrize("template", ["cases/pdf/_style.html", "monitoring/report.html"])
def test_no_table_row_is_cut_across_two_pages(template):
    from django.template import Context, Template

    style = Template("{% include template %}").render(Context({"template": template}))
    style = style[style.index("<style>") : style.index("</style>") + len("</style>")]
    # Rows of several lines each, enough for three pages: without the rule WeasyPrint cuts them.
    cell = "<td>" + "<br>".join(f"rândul {{n}}, linia {line}" for line in range(7)) + "</td>"
    rows = "".join(f'<tr class="body"><td>{n}</td>{cell.format(n=n)}</tr>' for n in range(40))
    html = f"<html><head>{style}</head><body><table><thead><tr><th>Nr.</th><th>Text</th></tr></thead>"
    html += f"<tbody>{rows}</tbody></table></body></html>"
    pages = _rows_by_page(html)
    assert len(pages) >= 3
    for first, second in itertools.pairwise(pages):
        assert not (first & second), "a row appears on two pages"
    assert sum(map(len, pages)) == 40


def test_an_over_long_commitment_is_refused_and_nothing_is_saved(case):
    from mps.accounts.models import User
    from mps.core.errors import DomainValidationError

    before = case.agreements.count()
    with pytest.raises(DomainValidationError) as refused:
        services.agreement_record(
            actor=User.objects.get(username="ana.ionescu"),
            case=case,
            signed_on=timezone.localdate(),
            signed_by="Ion Popescu",
            family_commitments="Ne angajăm. " * 500,
            team_commitments="Echipa ajută.",
        )
    assert list(refused.value.problems) == ["family_commitments"]
    assert case.agreements.count() == before
