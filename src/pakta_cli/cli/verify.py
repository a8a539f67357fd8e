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
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from pakta_cli.cli.language import command
from pakta_cli.cli.trusting import CrlOption, TrustOption, TsaTrustOption, load_trust_options, load_tsa_trust
from pakta_cli.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from pakta_cli.verify import Policy, Verdict

T = TypeVar("T")
U = TypeVar("U")


def verify(
    paths: Annotated[
        list[Path],
        typer.Argument(help=N_("Signed pact PDFs, or folders searched recursively for *.pdf."), metavar="PATH...",
                       show_default=False),
    ],
    trust: TrustOption = None,
    crl: CrlOption = None,
    tsa_trust: TsaTrustOption = None,
    manifest: Annotated[
        Path | None,
        typer.Option("--manifest", "-m", help=N_("The manifest.json of a roster render: report "
                                                 "missing, unsigned and unknown pacts."), metavar="DIR/manifest.json"),
    ] = None,
    definition: Annotated[
        Path | None,
        typer.Option("--definition", "-d", help=N_("The pact definition the documents must carry (a "
                                                   "roster definition matches each roster row)."), metavar="DEF.yaml"),
    ] = None,
    reproduce: Annotated[
        bool, typer.Option("--reproduce/--no-reproduce", help=N_(
            "Re-render each embedded definition and require the same bytes: the proof that every viewer "
            "shows what was signed. --no-reproduce is faster, but its VALID does not prove the pages."))
    ] = True,
    template: Annotated[
        Path | None,
        typer.Option("--template", help=N_("The template file a pact was rendered with, when it is not a "
                                           "built-in one (its hash must match the pact's manifest)."),
                     metavar="FILE.xml.j2"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=N_("Print every check of every document as JSON."))] = False,
    allow_incomplete: Annotated[
        bool, typer.Option("--allow-incomplete", help=N_("Exit 0 while parties are still to sign: "
                                                         "INCOMPLETE pacts (every signature present "
                                                         "valid, nothing changed) do not fail the run."))
    ] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help=N_("Processes; 0 means all cores."))] = 0,
) -> None:
    from pakta_cli.cli.console import note
    from pakta_cli.errors import InputError
    from pakta_cli.parallel import default_jobs
    from pakta_cli.verify import Policy

    if template is not None and not reproduce:
        raise InputError(_("--template is for re-rendering, which --no-reproduce turns off"))
    if not reproduce:
        note(_("note: --no-reproduce: pages are checked against pakta's grammar, not re-rendered; a VALID "
               "does not prove that every viewer shows what was signed"))
    time_roots = load_tsa_trust(tsa_trust)  # every trust file read before the notes that follow from them
    roots, crls = load_trust_options(trust, crl, "verify")
    wanted, logo = canonical_definition(definition) if definition is not None else (None, None)
    batch = None
    if manifest is not None:
        from pakta_cli.batch import read_batch_manifest  # the roster stack only when a manifest is named

        batch = read_batch_manifest(manifest)
    files, skipped = collect(paths)
    if skipped:
        note(ngettext("note: {count} file not ending in .pdf skipped", "note: {count} files not ending in .pdf skipped",
                      skipped).format(count=skipped))
    if not files and batch is None:
        raise InputError(_("no PDF files found in {paths}").format(paths=", ".join(str(p) for p in paths)))
    custom = None
    if template is not None:
        from pakta_cli.fsutil import read_file

        try:
            custom = read_file(template, N_("template")).decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(_("{template}: not a template (it is not UTF-8 text)").format(template=template)) from None
    policy = Policy(tuple(roots), tuple(crls), definition=wanted, definition_logo=logo,
                    reproduce=reproduce, template=custom, tsa_trust=tuple(time_roots))

    try:
        failed = present(files, policy, jobs or default_jobs(), as_json=as_json,
                         batch=batch, manifest=str(manifest), allow_incomplete=allow_incomplete)
    except BrokenPipeError:
        # the reader went away (`| head`): say nothing more, as command-line tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(1) from None
    if failed:
        raise typer.Exit(1)


UNTRUSTED_TIME = ("timestamp_untrusted", "archive_timestamp_untrusted")  # verdict keys --tsa-trust may answer


def present(files: list[tuple[Path, str]], policy: Policy, workers: int, *, as_json: bool,
            batch: dict[str, Any] | None, manifest: str, allow_incomplete: bool = False) -> bool:
    """Verify `files`, print what the auditor asked for, and say whether the run failed."""
    from collections import Counter

    from pakta_cli import report
    from pakta_cli.cli.console import out
    from pakta_cli.cli.progress import progress_bar
    from pakta_cli.verify import Status, check_roster, fully_signed, verify_paths

    counts: Counter[Status] = Counter()
    untrusted_time = False
    signed_state: list[tuple[str, str, bool, str | None]] = []
    terminal = out.is_terminal
    if as_json:
        sys.stdout.write('{"documents": [\n')
    with progress_bar(_("verifying"), len(files), out if terminal and not as_json else _stderr()) as advance:
        results = verify_paths([f for f, _ in files], policy, jobs=workers, progress=advance)
        for index, verdict, digest in in_order(results):
            counts[verdict.status] += 1
            untrusted_time = untrusted_time or any(message.key in UNTRUSTED_TIME for _, message in verdict.failures)
            # streamed, whatever the output: a run over a whole region never holds every verdict in memory
            if as_json:
                sys.stdout.write(("" if index == 0 else ",\n") + report.json_document(verdict))
            elif terminal:
                out.print(report.block(report.Row.of(verdict), out.width))
            else:
                typer.echo(report.line(verdict))
            if batch is not None:
                signed_state.append((verdict.path, files[index][1], fully_signed(verdict), digest))
    roster = check_roster(batch, manifest, signed_state) if batch is not None else None
    if as_json:
        tail = json.dumps(report.json_tail(counts, roster, allow_incomplete=allow_incomplete), ensure_ascii=False,
                          indent=1)
        sys.stdout.write("\n],\n" + tail[1:] + "\n")
        sys.stdout.flush()
    else:
        # the roster and the summary are for people: on the terminal with the verdicts, on stderr when the
        # verdicts are piped (stdout then holds one line per document and nothing else)
        target = out if terminal else _stderr()
        if roster is not None:
            target.print(report.roster_lines(roster, target.width if terminal else 100_000), end="")
        target.print(report.summary(counts.elements(), roster=roster))
    if untrusted_time:
        from pakta_cli.cli.console import note

        note(_("hint: {hint}").format(hint=_("a timestamp authority was not trusted: if you trust it, pass its "
                                             "root certificate with --tsa-trust")))
    failed = counts[Status.FAIL] + (0 if allow_incomplete else counts[Status.INCOMPLETE])
    return bool(failed or (roster is not None and not roster.ok))


def _stderr() -> Any:
    from pakta_cli.cli.console import err

    return err


def print_verdicts(verdicts: Sequence[Verdict]) -> None:
    """Verdicts as `pakta verify` shows them: blocks in a terminal, tab-separated lines when piped."""
    from pakta_cli import report
    from pakta_cli.cli.console import out

    if out.is_terminal:
        out.print(report.blocks(verdicts, out.width))
    else:
        typer.echo(report.plain(verdicts))


def in_order(results: Iterable[tuple[int, T, U]]) -> Iterator[tuple[int, T, U]]:
    """Results that arrive in any order, given back in index order (holding only those that are early)."""
    waiting: dict[int, tuple[T, U]] = {}
    expected = 0
    for index, first, second in results:
        waiting[index] = (first, second)
        while expected in waiting:
            yield (expected, *waiting.pop(expected))
            expected += 1


def collect(paths: list[Path]) -> tuple[list[tuple[Path, str]], int]:
    """The files to verify, each with its name relative to the folder it was found in.

    A file named on the command line is verified whatever its suffix; a folder contributes its *.pdf
    files (any case), recursively, in a stable order, following links to folders (each folder once,
    so a link loop ends). Returns them and the number of other files seen. Something that is not a
    regular file (a FIFO, a device) is listed too: it FAILs as unreadable instead of hanging the run.
    """
    from pakta_cli.errors import InputError

    files: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    skipped = 0
    for path in paths:
        if path.is_dir():
            walked: set[Path] = set()
            for folder, dirs, names in os.walk(path, followlinks=True):
                real = Path(folder).resolve()
                if real in walked:
                    dirs.clear()
                    continue
                walked.add(real)
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
            raise InputError(_("{path}: not found").format(path=path), hint=_("give a signed PDF or a folder of them"))
    return files, skipped


def canonical_definition(path: Path) -> tuple[bytes, str | None]:
    """The definition as a pact embeds it (a roster definition, with no signer, is accepted as it is),
    and the sha256 of the logo file it names, if any."""
    import hashlib

    from pakta_cli.definition import load_definition
    from pakta_cli.render import canonical_definition as canonical

    pact = load_definition(path, roster=True)
    logo = pact.institution.logo
    digest = hashlib.sha256((Path(pact.base_dir) / logo).read_bytes()).hexdigest() if logo else None
    return canonical(pact), digest


def register(app: typer.Typer) -> None:
    """Add this module's commands to the pakta app."""
    command(app, "verify", N_("Verify signed pacts: signatures, trust, parties, and that nothing changed after "
                              "signing."))(verify)
