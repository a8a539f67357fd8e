"""The renderer, loaded and warmed once in the forkserver, so that every worker forked from it is warm.

`verify` re-renders each pact (the `reproduces` check). In a cold process the first re-rendering
loads ReportLab, the templates and a font's subsets, about a second, longer than the pool's
`slow_after`: each fresh worker's first request was set aside as slow and replaced by another cold
worker, and the page served a tenth of what `pakta verify` does. Importing this module renders one
small pact in each font the forkserver's children then share.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from pakta_cli.definition import parse_definition
from pakta_cli.definition.model import FONTS
from pakta_cli.render import render

_DEFINITION = """\
pakta: 1
template: pakta-integritas
font: {font}
institution:
  name: Komisi Pemilihan Umum
place: Jakarta
date: 2026-01-01
parties:
  - role: signer
    name: Pemanasan
    nip: 198609262015051001
"""


def warm() -> None:
    with tempfile.TemporaryDirectory(prefix="pakta-warm-") as folder:
        for font in FONTS:
            render(parse_definition(_DEFINITION.format(font=font), "warm-up", Path(folder)))


warm()
