"""Issue a device token for a user; the token is printed once, on the last line."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mps.accounts.models import User
from mps.core.errors import DomainValidationError
from mps.sync.tokens import device_token_issue


class Command(BaseCommand):
    help = "Issue a new device token for USERNAME and print it on the last line (it is not stored in clear)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--device", default="", help="A name that tells the device apart in the admin.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as error:
            raise CommandError(f"There is no user {options['username']!r}.") from error
        try:
            issued = device_token_issue(
                actor=None, user=user, device_name=options["device"] or "command line"
            )
        except DomainValidationError as error:
            raise CommandError("; ".join(error.lines())) from error
        self.stdout.write(
            f"Device token for {user.username} ({issued.device.device_name}); it is shown only once:"
        )
        self.stdout.write(issued.token)
