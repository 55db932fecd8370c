"""Who handles data-subject requests: the platform's administrators, as for the audit trail, nobody else.

The requests name the person and lead to their whole record and its trail, so they are for the people who
administer the platform (superusers, staff whose role is administrator; the platform has no separate data
protection officer role: the DPO is given such an account). Everyone else gets 404, as for any record outside
their scope.
"""

from mps.accounts.models import User
from mps.audit.policy import can_read_audit_trail


def can_handle_subject_requests(user: User) -> bool:
    """Tell whether the user may record, answer and download data-subject requests."""
    return can_read_audit_trail(user)
