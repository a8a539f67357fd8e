"""The option both `pakta sign` and `pakta archive` take for a timestamp authority's patience."""

from __future__ import annotations

from typing import Annotated

import typer

from pakta_cli.i18n import N_

TsaTimeout = Annotated[float, typer.Option(
    "--tsa-timeout", metavar="SECONDS", min=0.1, max=600,
    help=N_("Seconds to wait for the timestamp authority, per attempt (2 retries)."),
)]
