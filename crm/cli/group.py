"""The command group behind `crm`: every failure becomes one line on stderr and an exit code."""

from __future__ import annotations

import gc
import os
import sqlite3
import sys
from collections.abc import Sequence
from typing import Any, ClassVar

import typer
from typer.core import TyperGroup

USAGE_EXIT = 2
ERROR_EXIT = 1


def describe(error: BaseException) -> str | None:
    """Turn an expected exception into the line a user sees; None for a bug.

    pydantic's and SQLAlchemy's errors are only looked for once those are loaded: an error
    cannot come from a package the command never imported, and importing both to say so cost
    a read command's typo 0.2 s.
    """
    from crm.config import ConfigError
    from crm.errors import CrmError
    from events.errors import StoreError

    if isinstance(error, CrmError | StoreError | ConfigError):
        return _one_line(str(error))
    if "pydantic_core" in sys.modules:  # where ValidationError is defined
        from pydantic import ValidationError

        if isinstance(error, ValidationError):
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            return _one_line(f"{where}: {first['msg']}" if where else first["msg"])
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.exc import DBAPIError

        if isinstance(error, DBAPIError):
            reason = str(error.orig) if error.orig is not None else str(error)
            return _one_line(f"database error: {reason}")
    if isinstance(error, sqlite3.Error):  # reads of SQLite go through its driver directly
        return _one_line(f"database error: {error}")
    if isinstance(error, OSError) and error.filename:
        return _one_line(f"{error.filename}: {error.strerror}")
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "failed"


def _say(message: str) -> None:
    sys.stderr.write(f"Error: {message}\n")
    sys.stderr.flush()


class CrmGroup(TyperGroup):
    """A typer group whose errors are single lines (usage errors exit 2, others exit 1), and
    whose sub-commands are imported and built only when used."""

    lazy_commands: ClassVar[dict[str, tuple[str, str, str]]] = {}
    """name -> (module, attribute: a typer app or a command function, one-line help)."""
    _built: ClassVar[dict[str, Any]] = {}
    collected_commands: ClassVar[frozenset[str]] = frozenset()
    """Commands that may run for long or stream a whole log: they switch the cyclic garbage
    collector back on (`crm.cli.main.run` starts with it off). A rebuild switches it on
    for itself, whatever command it runs in."""

    def list_commands(self, ctx: Any) -> list[str]:
        """Every command name, without importing any of them."""
        return [*super().list_commands(ctx), *self.lazy_commands]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """Build one sub-command on first use."""
        spec = self.lazy_commands.get(cmd_name)
        if spec is None:
            return super().get_command(ctx, cmd_name)
        if cmd_name not in self._built:
            import importlib

            import typer.main

            target = getattr(importlib.import_module(spec[0]), spec[1])
            if not isinstance(target, typer.Typer):
                single = typer.Typer(rich_markup_mode=None, add_completion=False)
                single.command(cmd_name)(target)
                target = single
            command = typer.main.get_command(target)
            command.name = cmd_name
            self._built[cmd_name] = command
        return self._built[cmd_name]

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        """Find the sub-command; one that may run for long gets the garbage collector back."""
        name, command, rest = super().resolve_command(ctx, args)
        if name in self.collected_commands:
            gc.enable()
        return name, command, rest

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """List commands with their one-line help, without building them."""
        rows = [(name, spec[2]) for name, spec in self.lazy_commands.items()]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

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
        if any("\x00" in arg for arg in (sys.argv[1:] if args is None else args)):
            # A shell cannot pass one; only a program can, and no field may hold one.
            _say("an argument contains a NUL character")
            sys.exit(USAGE_EXIT)
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
