"""Template filters of the registry pages."""

from django import template

from mps.registry.models import Relation

register = template.Library()


@register.filter
def relation_label(code: str | None) -> str:
    """The relation to the head as people read it, in the page's language ("copil" for "child")."""
    return str(Relation(code).label) if code in Relation.values else ""
