"""`pakta verify`: the auditor's command. Parse, load trust, verify over all cores, present.

Exit codes: 0 only when every document is VALID (and, with --manifest, the roster is complete);
1 when any check fails; 2 for usage errors (no --trust, a trust file or CRL that cannot be used, a
path that does not exist). A file that is not a PDF, truncated or unsigned is never a usage error:
it is a document that FAILs, with its reason, so a folder run always accounts for every file.

Imports stay inside the command: `pakta verify one.pdf` is often run one file at a time by scripts,
and its start-up time is paid for every file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer


def verify(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Signed pact PDFs, or folders searched recursively for *.pdf.", metavar="PATH...",
                       show_default=False),
    ],
    trust: Annotated[
        list[Path] | None,
        typer.Option("--trust", "-t", help="A certificate to trust (an official's, or an institution's CA root), "
                     "or a folder of them. Repeatable; required.", metavar="CERT_OR_DIR"),
    ] = None,
    crl: Annotated[
        list[Path] | None,
        typer.Option("--crl", help="A revocation list signed by a --trust CA. Repeatable.", metavar="FILE"),
    ] = None,
    manifest: Annotated[
        Path | None,
        typer.Option("--manifest", "-m", help="The manifest.json of a roster render: report missing, unsigned "
                     "and unknown pacts.", metavar="DIR/manifest.json"),
    ] = None,
    definition: Annotated[
        Path | None,
        typer.Option("--definition", "-d", help="The pact definition the documents must carry (a roster "
                     "definition matches each roster row).", metavar="DEF.yaml"),
    ] = None,
    reproduce: Annotated[
        bool, typer.Option("--reproduce", help="Re-render each embedded definition and require the same bytes.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print every check of every document as JSON.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="Processes; 0 means all cores.")] = 0,
) -> None:
    """Verify signed pacts: signatures, trust, parties, and that nothing changed after signing."""
    from pakta_cli.batch import default_jobs, read_batch_manifest
    from pakta_cli.cli.console import note, out
    from pakta_cli.cli.progress import progress_bar
    from pakta_cli.errors import InputError
    from pakta_cli.trust import load_crls, load_trust
    from pakta_cli.verify import Policy, Verdict, check_roster, verify_paths

    if not trust:
        raise InputError("no trust given: pakta verify trusts only the certificates you name",
                         hint="pass --trust CERT (an official's certificate or an institution's CA root)")
    roots = load_trust(trust)
    crls = load_crls(crl or [], roots)
    wanted = canonical_definition(definition) if definition is not None else None
    batch = read_batch_manifest(manifest) if manifest is not None else None
    files, skipped = collect(paths)
    if skipped:
        note(f"note: {skipped} file{'s' if skipped != 1 else ''} not ending in .pdf skipped")
    if not files and batch is None:
        raise InputError(f"no PDF files found in {', '.join(str(p) for p in paths)}")
    policy = Policy(tuple(roots), tuple(crls), definition=wanted, reproduce=reproduce)

    verdicts: list[Verdict | None] = [None] * len(files)
    digests: list[str | None] = [None] * len(files)
    workers = jobs or default_jobs()
    with progress_bar("verifying", len(files)) as advance:
        for index, verdict, digest in verify_paths([f for f, _ in files], policy, jobs=workers, progress=advance):
            verdicts[index] = verdict
            digests[index] = digest
    done = [v for v in verdicts if v is not None]
    roster = None
    if batch is not None and manifest is not None:
        results = [(v.path, rel, v, d) for (_, rel), v, d in zip(files, done, digests, strict=True)]
        roster = check_roster(batch, str(manifest), results)

    from pakta_cli import report

    if as_json:
        typer.echo(json.dumps(report.to_json(done, roster), ensure_ascii=False, indent=1))
    else:
        if done and out.is_terminal:
            out.print(report.table(done))
        elif done:  # piped or saved: every reason whole on one line, for grep and diff
            from rich.console import Console

            grid = report.table(done, wrap=False)
            wide = Console(width=100_000, highlight=False)
            wide = Console(width=wide.measure(grid).maximum, highlight=False, no_color=True)
            with wide.capture() as captured:
                wide.print(grid)
            typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()).strip("\n"))
        if roster is not None:
            out.print(report.roster_lines(roster))
        out.print(report.summary(done, roster))
    if not all(v.ok for v in done) or (roster is not None and not roster.ok):
        raise typer.Exit(1)


def collect(paths: list[Path]) -> tuple[list[tuple[Path, str]], int]:
    """The files to verify, each with its name relative to the folder it was found in.

    A file named on the command line is verified whatever its suffix; a folder contributes its *.pdf
    files (any case), recursively, in a stable order. Returns them and the number of other files seen.
    """
    from pakta_cli.errors import InputError

    files: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    skipped = 0
    for path in paths:
        if path.is_dir():
            for folder, dirs, names in os.walk(path):
                dirs.sort()
                for name in sorted(names):
                    found = Path(folder) / name
                    if not name.lower().endswith(".pdf"):
                        skipped += name != "manifest.json"
                        continue
                    if found.resolve() not in seen:
                        seen.add(found.resolve())
                        files.append((found, found.relative_to(path).as_posix()))
        elif path.exists():
            if path.resolve() not in seen:
                seen.add(path.resolve())
                files.append((path, path.name))
        else:
            raise InputError(f"{path}: not found", hint="give a signed PDF or a folder of them")
    return files, skipped


def canonical_definition(path: Path) -> bytes:
    """The definition as a pact embeds it; a roster definition (no signer) is accepted as it is."""
    from pakta_cli.definition import load_definition
    from pakta_cli.render import canonical_definition as canonical

    return canonical(load_definition(path, roster=True))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the pakta app."""
    app.command("verify")(verify)
