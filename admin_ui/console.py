"""The console's per-app state (built once by ``install``) and its dependency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from admin_ui.jobs import JobRunner
from admin_ui.live import LiveTaps
from admin_ui.ports import TapEventReads
from admin_ui.rendering import Renderer
from admin_ui.staging import StagedUploads


@dataclass(frozen=True)
class Console:
    renderer: Renderer
    jobs: JobRunner
    staged: StagedUploads
    taps: TapEventReads
    live: LiveTaps


def console_of(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


ConsoleState = Annotated[Console, Depends(console_of)]
