"""`pakta demo`: render, certify, sign, verify and tamper with the bundled examples in a fresh folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pakta_cli.cli.language import command
from pakta_cli.i18n import N_, _


def demo(
    folder: Annotated[
        Path,
        typer.Argument(help=N_("A new or empty folder, or an earlier demo's (it is replaced)."), metavar="[DIR]"),
    ] = Path("pakta-demo"),
) -> None:
    from pakta_cli import report
    from pakta_cli.cli.console import note, out
    from pakta_cli.cli.verify import print_verdicts
    from pakta_cli.demo import narration, run_demo

    result = run_demo(folder, say=_told)
    note("")
    note(narration(_("auditor"), f"pakta verify {folder / 'pacts'} --trust {result.ca_cert}"))
    print_verdicts(result.verdicts)
    out.print(report.summary(v.status for v in result.verdicts))
    note("")
    note(narration(_("auditor"), f"pakta verify {folder / 'tampered'} --trust {result.ca_cert}"))
    print_verdicts([result.tampered])
    out.print(report.summary([result.tampered.status]))
    note("")
    expected = all(v.ok for v in result.verdicts) and not result.tampered.ok
    if not expected:
        raise typer.Exit(1)
    note(_("Everything is in {folder}/: the definitions, the keys (demo keys, no passphrase), the "
           "signed pacts.").format(folder=folder))
    note(_("Try: {command}").format(
        command=f"pakta verify {folder / 'pacts'} --trust {result.ca_cert} --crl {result.ca_cert.with_suffix('.crl')} "
                "--json"))


def _told(line: str) -> None:
    """One step of the story; on a terminal, folded under its text column rather than under the role."""
    import textwrap

    from pakta_cli.cli.console import err, note
    from pakta_cli.demo import NARRATION_COLUMN

    folded = [line]
    if err.is_terminal and len(line) > err.width >= 40:
        folded = textwrap.wrap(line, width=err.width, subsequent_indent=" " * NARRATION_COLUMN,
                               break_long_words=False, break_on_hyphens=False)
    for part in folded:  # each its own line: `note` shows a line break in a message as \x0a
        note(part)


def register(app: typer.Typer) -> None:
    command(app, "demo", N_("Run the whole flow on the bundled examples: render, keys and CA, sign, verify, "
                            "tamper."))(demo)
