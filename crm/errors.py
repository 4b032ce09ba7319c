"""Errors the application shows to its users as one line (exit code 1)."""

from __future__ import annotations


class CrmError(Exception):
    """An expected failure with a message a user can act on."""


class BadInputError(CrmError):
    """A value given on the command line or in a file cannot be used."""


class CommandRejectedError(CrmError):
    """A command contradicts what the log already holds (a decision said no)."""


class UnknownReferenceError(CrmError):
    """A reference names nothing, or more than one thing."""

    def __init__(self, message: str, candidates: tuple[str, ...] = ()) -> None:
        if candidates:
            message = f"{message}; did you mean: {', '.join(candidates)}"
        super().__init__(message)
        self.candidates = candidates
