"""Errors that services raise and that pages, commands and the API render the same way."""

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise

Message = str | Promise


class DomainValidationError(Exception):
    """Input was rejected; nothing was saved. Carries every problem, keyed by field path."""

    def __init__(self, problems: Mapping[str, Sequence[Message]] | None = None, **by_field: Message) -> None:
        merged: dict[str, list[Message]] = {key: list(value) for key, value in (problems or {}).items()}
        for field, message in by_field.items():
            merged.setdefault(field, []).append(message)
        self.problems = merged
        super().__init__("; ".join(f"{field}: {', '.join(map(str, msgs))}" for field, msgs in merged.items()))

    def lines(self) -> list[str]:
        """Return one human line per problem, each starting with its field path."""
        return [f"{field}: {message}" for field, messages in self.problems.items() for message in messages]
