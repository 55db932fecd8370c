"""Signals the assessment app sends, so that higher layers can react without assessment importing them.

`assessments_recorded` is sent by `services.assessment_record` and `services.assessments_record` when
assessments were stored (not for duplicates), inside their transaction, with ``actor`` (the user who recorded
them, or None) and ``assessments`` (a list: one for a visit recorded on its own, a whole batch for a sync, so
that receivers can react with a fixed number of queries). Receivers call their own app's services, so the
rules stay in services and a failing receiver rolls the whole batch back. The census connects to it to record
each household's "assessed" visit in its locality's campaign of the same wave, and case management to open
or update the households' cases; the import layers forbid assessment from calling either directly.
`assessments_import` sends nothing; case management picks imported assessments up with
`cases.followup.cases_sync_from_assessments`.
"""

from django.dispatch import Signal

assessments_recorded = Signal()
