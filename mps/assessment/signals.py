"""Signals the assessment app sends, so that higher layers can react without assessment importing them.

`assessment_recorded` is sent by `services.assessment_record` when an assessment was stored (not for a duplicate),
inside its transaction, with ``actor`` (the user who recorded it, or None) and ``assessment``; receivers call their
own app's services, so the rules stay in services and a failing receiver rolls the whole visit back. The census connects to it to record the household's "assessed" visit in its
locality's campaign of the same wave; the import layers forbid assessment from calling the census directly.
"""

from django.dispatch import Signal

assessment_recorded = Signal()
