"""Show a service's validation problems next to the form fields they name."""

from django import forms

from mps.core.errors import DomainValidationError


def add_problems_to_form(form: forms.BaseForm, error: DomainValidationError) -> None:
    """Attach each problem to its field when the form has one, else to the whole form."""
    for field, messages in error.problems.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, str(message))
