"""A rich progress bar on stderr that stays out of the way when output is piped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pakta_cli.cli.console import err

if TYPE_CHECKING:
    from rich.console import Console


@contextmanager
def progress_bar(label: str, total: int, console: Console = err) -> Iterator[Callable[[int], None]]:
    """Yield an `advance(n)` callback; shows nothing for a single item or a console that is no terminal.

    Results printed to the same `console` while the bar runs appear above it (rich keeps the bar at
    the bottom), so a command that streams its results to a terminal passes that console here.
    """
    if total <= 1 or not console.is_terminal:
        yield lambda n: None
        return
    # rich.progress only when a bar is drawn: `pakta verify one.pdf` must start fast (tests/test_startup.py)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)
