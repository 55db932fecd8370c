"""Who may read the audit trail of a person: the platform's administrators, nobody else.

The trail names every professional who opened a record, and answers a data subject's request for access, so
it is for the people who administer the platform: superusers, and staff accounts whose role is administrator.
A coordinator who is also staff (to manage their team's accounts) does not see it. Everyone else gets 404, as
for any record outside their scope.
"""

from mps.accounts.models import Role, User


def can_read_audit_trail(user: User) -> bool:
    """Tell whether the user may look up who saw or changed a person's record."""
    if not (user.is_authenticated and user.is_active):
        return False
    return bool(user.is_superuser or (user.is_staff and user.role == Role.ADMINISTRATOR))
