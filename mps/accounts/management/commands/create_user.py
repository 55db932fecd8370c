"""Create one user with a role and a scope from the command line."""

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from mps.accounts.models import Role
from mps.accounts.services import user_create
from mps.core.errors import DomainValidationError


class Command(BaseCommand):
    help = (
        "Create a user: create_user USERNAME --role ROLE (--locality SIRUTA ... | --county CODE | --national)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--locality", type=int, action="append", dest="localities", metavar="SIRUTA")
        scope.add_argument("--county", metavar="CODE")
        scope.add_argument("--national", action="store_true")
        parser.add_argument(
            "--password-env", metavar="VAR", help="Read the password from this environment variable."
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        password = None
        if options["password_env"]:
            password = os.environ.get(options["password_env"])
            if not password:
                raise CommandError(
                    _("The environment variable %(var)s is not set or is empty.")
                    % {"var": options["password_env"]}
                )
        try:
            created = user_create(
                username=options["username"],
                role=options["role"],
                locality_codes=options["localities"] or (),
                county_code=options["county"],
                national=options["national"],
                password=password,
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
            )
        except DomainValidationError as error:
            raise CommandError("\n".join(error.lines())) from error
        self.stdout.write(_("Created user %(name)s.") % {"name": created.user.username})
        if created.generated_password:
            self.stdout.write(_("Password: %(password)s") % {"password": created.generated_password})
