"""Tasks for the worker pool's tests: module-level, so a forkserver child imports them by name."""

from __future__ import annotations

import os
import time
from typing import Any

from pakta_cli.serve.worker import Outcome, verify_upload


def echo(data: bytes, name: str, context: Any) -> tuple[int, int]:
    """(length, worker pid); b"sleep" never answers in time, b"crash" ends the worker."""
    if data == b"sleep":
        time.sleep(600)
    if data == b"crash":
        os._exit(1)
    return len(data), os.getpid()


def slow_verify(data: bytes, name: str, context: Any) -> Outcome:
    """verify_upload, except that a file starting with b"sleep" takes for ever (a hostile file's stand-in)."""
    if data.startswith(b"sleep"):
        time.sleep(600)
    return verify_upload(data, name, context)


def nap(data: bytes, name: str, context: Any) -> tuple[int, int]:
    """(the worker's CPU priority at the end, its pid): b"nap" runs long enough to be called slow."""
    if data == b"nap":
        time.sleep(3.0)
    return os.getpriority(os.PRIO_PROCESS, 0), os.getpid()


def warmth(data: bytes, name: str, context: Any) -> tuple[bool, list[str]]:
    """(whether the renderer was loaded before this task ran, the fonts ReportLab had registered)."""
    import sys

    loaded = "pakta_cli.render" in sys.modules
    from reportlab.pdfbase import pdfmetrics

    return loaded, sorted(pdfmetrics.getRegisteredFontNames())
