"""Pictures of the built-in documents for README.md: each rendered from a bundled example, unsigned
and then signed by every party, and drawn by poppler's pdftoppm as a viewer or printer would draw it.

    python docs/make_images.py      # writes docs/NAME-PAGE.png and docs/NAME-signed-PAGE.png (needs poppler-utils)

The signatures are made with keys generated for the run and thrown away (no key is ever kept), at a
fixed time, so only the key ids on the stamps change from one run to the next.

Run it after a change to a template, the layout or the fonts, look at the pictures, and commit them.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the signing helper lives with the tests

from tests.signing import signed_by_everyone  # noqa: E402

from pakta_cli.definition import Pact, load_definition, load_roster  # noqa: E402
from pakta_cli.render import render  # noqa: E402

EXAMPLES = ROOT / "examples"
OUT = ROOT / "docs"
RESOLUTION = 60  # dots per inch: a page is 496 x 702 pixels on A4, enough to read the layout


def roster_pact() -> Pact:
    """The ad hoc pact as the roster's first person gets it."""
    first = load_roster(EXAMPLES / "adhoc-pps-2024-roster.csv").entries[0]
    return load_definition(EXAMPLES / "adhoc-pps-2024.yaml", roster=True).with_signer(first.party)


DOCUMENTS = {  # picture name -> the pact it shows
    "pakta-integritas": lambda: load_definition(EXAMPLES / "kpu-kediri-2026" / "pakta-integritas.yaml"),
    "pakta-integritas-ad-hoc": roster_pact,
    "pakta-integritas-saksi": lambda: load_definition(EXAMPLES / "bawaslu-netralitas-asn.yaml"),
    "pernyataan-bebas-benturan-kepentingan": lambda: load_definition(
        EXAMPLES / "kpu-kediri-2026" / "pernyataan-bebas-benturan-kepentingan.yaml"),
    "perjanjian-kinerja": lambda: load_definition(EXAMPLES / "kpu-kediri-2026" / "perjanjian-kinerja.yaml"),
}


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        for name, make in DOCUMENTS.items():
            for old in OUT.glob(f"{name}-*.png"):
                old.unlink()
            pact = make()
            unsigned = render(pact).pdf
            signed, _ = signed_by_everyone(pact, unsigned)
            for label, data in ((name, unsigned), (f"{name}-signed", signed)):
                pdf = Path(folder) / f"{label}.pdf"
                pdf.write_bytes(data)
                subprocess.run(["pdftoppm", "-png", "-r", str(RESOLUTION), str(pdf), str(OUT / label)], check=True)
            print(", ".join(p.name for p in sorted(OUT.glob(f"{name}-*.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
