"""Placeholder: the `keys` commands are being built; see the open issues."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the pakta app."""
