"""The web console for administrators, HR, counter staff and auditors (served under /admin).

``install(app)`` mounts it on the service's FastAPI app; card_service itself never
imports this package (only its composition root, ``card_service.cli``, does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from admin_ui.jobs import JobRunner
    from admin_ui.ports import TapEventReads


def install(
    app: FastAPI, *, tap_events: TapEventReads | None = None, jobs: JobRunner | None = None
) -> None:
    """Serve the console under /admin on ``app`` (see admin_ui.mount.install)."""
    # Imported here so that importing the package (or one small module of it) does not
    # load the pages, templates and catalogues.
    from admin_ui.mount import install as mount  # noqa: PLC0415

    mount(app, tap_events=tap_events, jobs=jobs)


__all__ = ["install"]
