"""Printable documents: the family agreement and the referral letter, as PDF in Romanian.

HTML templates are rendered by WeasyPrint, a real layout engine, with DejaVu Sans (found through fontconfig),
which has every Romanian letter (ă â î ș ț). Documents are always in Romanian: they are signed by the family
and sent to Romanian institutions, whatever language the worker's screen is in.
"""

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from mps.assessment.rules import load_catalogue
from mps.cases.models import FamilyAgreement, Referral
from mps.registry.models import Membership


def html_to_pdf(html: str) -> bytes:
    """Lay out an HTML document and return the PDF bytes."""
    # Imported here: WeasyPrint loads pango at import time, which only the print views need.
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf())


def _render(template: str, context: dict[str, Any]) -> str:
    with translation.override("ro"):
        return render_to_string(template, context)


def agreement_html(agreement: FamilyAgreement) -> str:
    """Return the family agreement as HTML, ready to print."""
    case = agreement.case
    members = (
        Membership.objects.filter(household_id=case.household_id, end_date__isnull=True)
        .select_related("person")
        .order_by("person__birth_date")
    )
    return _render(
        "cases/pdf/agreement.html",
        {
            "agreement": agreement,
            "case": case,
            "household": case.household,
            "members": members,
            "actions": agreement.plan_snapshot,
            "printed_on": timezone.localdate(),
        },
    )


def referral_html(referral: Referral) -> str:
    """Return the referral letter as HTML, ready to print."""
    vulnerability = load_catalogue().vulnerability(referral.code)
    return _render(
        "cases/pdf/referral.html",
        {
            "referral": referral,
            "case": referral.case,
            "household": referral.case.household,
            "vulnerability_ro": vulnerability.name_ro,
            "printed_on": timezone.localdate(),
        },
    )


def agreement_pdf(agreement: FamilyAgreement) -> bytes:
    """Return the family agreement as a PDF."""
    return html_to_pdf(agreement_html(agreement))


def referral_pdf(referral: Referral) -> bytes:
    """Return the referral letter as a PDF."""
    return html_to_pdf(referral_html(referral))


def pdf_filename(prefix: str, day: dt.date) -> str:
    """Return a download name such as ``acord-2026-03-02.pdf``."""
    return f"{prefix}-{day.isoformat()}.pdf"
