"""The command group behind `crm`: every failure becomes one line on stderr and an exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

USAGE_EXIT = 2
ERROR_EXIT = 1


def describe(error: BaseException) -> str | None:
    """Turn an expected exception into the line a user sees; None for a bug."""
    from pydantic import ValidationError
    from sqlalchemy.exc import DBAPIError

    from crm.config import ConfigError
    from crm.errors import CrmError
    from events.errors import StoreError

    if isinstance(error, CrmError | StoreError | ConfigError):
        return _one_line(str(error))
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return _one_line(f"{where}: {first['msg']}" if where else first["msg"])
    if isinstance(error, DBAPIError):
        reason = str(error.orig) if error.orig is not None else str(error)
        return _one_line(f"database error: {reason}")
    if isinstance(error, OSError) and error.filename:
        return _one_line(f"{error.filename}: {error.strerror}")
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "failed"


def _say(message: str) -> None:
    sys.stderr.write(f"Error: {message}\n")
    sys.stderr.flush()


class CrmGroup(TyperGroup):
    """A typer group whose errors are single lines: usage errors exit 2, others exit 1."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command; expected errors become one line, bugs a short report."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as error:
            if os.environ.get("CRM_DEBUG"):
                raise
            message = describe(error)
            if message is None:
                message = (
                    f"internal error ({type(error).__name__}: {_one_line(str(error))}); "
                    "set CRM_DEBUG=1 to see the traceback"
                )
            raise typer.TyperException(message) from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Parse and run; print failures as one line instead of usage blocks and panels."""
        try:
            result = super().main(
                args, prog_name, complete_var, False, windows_expand_args, **extra
            )
        except typer.TyperException as error:
            code = getattr(error, "exit_code", ERROR_EXIT)
            hint = _usage_hint(error) if code == USAGE_EXIT else ""
            _say(_one_line(error.format_message()) + hint)
            sys.exit(code)
        except typer.Abort:
            _say("aborted")
            sys.exit(ERROR_EXIT)
        code = result if isinstance(result, int) else 0
        if standalone_mode:
            sys.exit(code)
        return result


def _usage_hint(error: typer.TyperException) -> str:
    ctx = getattr(error, "ctx", None)
    return f" (see '{ctx.command_path} --help')" if ctx is not None else ""
