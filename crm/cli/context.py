"""The application object every command receives through `ctx.obj`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from crm.bootstrap import Services
    from crm.config import Settings


@dataclass
class AppContext:
    """Global options, resolved into settings and services on first use (keeps --help fast)."""

    database_url: str | None = None
    actor: str | None = None
    _services: Services | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        """The resolved settings."""
        from crm.config import Settings

        return Settings.load(database_url=self.database_url, actor=self.actor)

    def services(self) -> Services:
        """Open the store and wire the application (once per process)."""
        if self._services is None:
            from crm.bootstrap import bootstrap

            self._services = bootstrap(self.settings)
        return self._services

    def close(self) -> None:
        """Release database connections."""
        if self._services is not None:
            self._services.close()
            self._services = None


def services(ctx: typer.Context) -> Services:
    """The wired application of the running command."""
    app = ctx.find_object(AppContext)
    if app is None:  # pragma: no cover - the root callback always sets it
        raise RuntimeError("crm was started without its root callback")
    return app.services()
