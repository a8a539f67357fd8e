"""Where people's messages go: stderr, through rich, plain when piped or when NO_COLOR is set."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from rich.console import Console

from pakta_cli.cli.wording import worded
from pakta_cli.errors import PaktaError
from pakta_cli.i18n import _
from pakta_cli.printable import visible


@dataclass
class State:
    debug: bool = False


state = State()
# rich drops styling when the stream is not a terminal; with NO_COLOR it drops colour but keeps bold
# and dim, so NO_COLOR turns every escape code off (https://no-color.org: plain text, nothing else).
_COLOURS: Literal["auto"] | None = None if os.environ.get("NO_COLOR") else "auto"
err = Console(stderr=True, highlight=False, soft_wrap=True, color_system=_COLOURS)
out = Console(highlight=False, soft_wrap=True, color_system=_COLOURS)


def report_error(exc: PaktaError) -> None:
    """The error's lines on stderr; file and certificate names in them are shown safe (`visible`)."""
    message, hint = worded(exc)  # in the command line's words: the flags that would help
    lines = exc.lines()
    if len(lines) == 1:
        shown = message if message != exc.message else lines[0]  # the command line's own message, if it has one
        err.print(_("error: {message}").format(message=visible(shown)), style="red", markup=False, highlight=False)
    else:
        for line in lines:
            err.print(_("error: {message}").format(message=visible(line)), style="red", markup=False, highlight=False)
        err.print(visible(message), style="red", markup=False, highlight=False)
    if hint:
        err.print(_("hint: {hint}").format(hint=visible(hint)), markup=False, highlight=False)


def note(message: str) -> None:
    err.print(visible(message), markup=False, highlight=False)
