"""`pakta sign`: an official fills their own signature field in one pact or hundreds."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from pakta_cli.cli.authority import TsaTimeout
from pakta_cli.cli.console import err, note, out
from pakta_cli.cli.language import command
from pakta_cli.cli.passphrase import PassphraseFile, passphrase_to_unlock
from pakta_cli.cli.progress import progress_bar
from pakta_cli.cli.targets import plan_jobs
from pakta_cli.cli.wording import said
from pakta_cli.errors import EXIT_USAGE, InputError, PaktaError
from pakta_cli.fsutil import make_folder
from pakta_cli.i18n import N_, _, ngettext
from pakta_cli.parallel import default_jobs
from pakta_cli.printable import visible
from pakta_cli.sign import (
    SignOptions,
    SignOutcome,
    default_cert_path,
    load_credentials,
    sign_file,
    sign_files,
)
from pakta_cli.timestamps import CONCURRENCY as TSA_CONCURRENCY
from pakta_cli.timestamps import TIMEOUT, Authority
from pakta_cli.zones import default_zone, parse_zone

MATCHES = {"key_id": N_("pinned key id"), "nip": "NIP", "nik": "NIK", "name": N_("name only (weak)"),
           "any-pdf": "--any-pdf"}
FILES_PER_WORKER = 12  # below this a process costs more to start than it saves


def sign(
    pacts: Annotated[list[Path], typer.Argument(metavar="PACT.pdf...",
        help=N_("The pacts to sign."), show_default=False)],
    key: Annotated[Path, typer.Option("--key", "-k", metavar="PREFIX.key", help=N_("Your private key."))],
    cert: Annotated[Path | None, typer.Option("--cert", "-c", metavar="PREFIX.crt",
                                              help=N_("Your certificate. [default: the .crt beside the key]"))] = None,
    chain: Annotated[list[Path] | None, typer.Option(
        "--chain", metavar="CA.crt", help=N_("Certificates to embed after yours (your CA's root, when "
                                             "it issued yours)."),
    )] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="OUT.pdf",
                                                help=N_("Write the signed pact here (one input)."))] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out-dir", metavar="DIR", help=N_("Write each signed pact into DIR under its own name."))] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help=N_("Replace each input with its signed copy."))] = False,
    party: Annotated[str | None, typer.Option(
        "--party", metavar="NAME_OR_FIELD",
        help=N_("Sign as this party: for parties with no NIP and no key id (the verdict calls the match weak)."),
    )] = None,
    any_pdf: Annotated[bool, typer.Option(
        "--any-pdf", help=N_("Also sign PDFs pakta did not render (an invisible signature, no party)."),
    )] = False,
    timezone: Annotated[str | None, typer.Option(
        "--timezone", "--tz", metavar="ZONE",
        help=N_("Time zone of the signing time in the stamp and the signature: WIB, WITA, WIT, an IANA name "
                "(Asia/Makassar) or +08:00. [default: $PAKTA_TIMEZONE, else WIB (Asia/Jakarta)]"),
    )] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help=N_("Processes for many pacts; 0 "
                                                                     "means all cores."))] = 0,
    tsa: Annotated[str | None, typer.Option(
        "--tsa", metavar="URL", envvar="PAKTA_TSA_URL", show_envvar=True,
        help=N_("An RFC 3161 timestamp authority: each signature gets its token, so the signing time "
                "is attested, not only claimed (PAdES B-T). Signing fails, writing nothing, when it "
                "gives none."),
    )] = None,
    tsa_timeout: TsaTimeout = TIMEOUT,
    tsa_optional: Annotated[bool, typer.Option(
        "--tsa-optional", help=N_("When the timestamp authority gives no token, sign without one and "
                                  "list those pacts."),
    )] = False,
    passphrase_file: PassphraseFile = None,
    force: Annotated[bool, typer.Option("--force", "-f", help=N_("Overwrite existing outputs."))] = False,
    as_json: Annotated[bool, typer.Option("--json", help=N_("Print the results as a JSON list on stdout."))] = False,
) -> None:
    jobs_list = plan_jobs(pacts, output=output, out_dir=out_dir, in_place=in_place, force=force)
    zone = parse_zone(timezone) if timezone else default_zone()
    passphrase = passphrase_to_unlock(key, passphrase_file)
    credentials = load_credentials(key, passphrase, cert or default_cert_path(key), chain or ())
    if key.stat().st_mode & 0o077:
        note(_("warning: {key} can be read by other users of this computer; `chmod 600 {key}` keeps it "
               "yours").format(key=key))
    if tsa_optional and not tsa:
        raise InputError(_("--tsa-optional needs a timestamp authority"), hint=_("pass --tsa URL or set "
                                                                              "PAKTA_TSA_URL"))
    authority = Authority(tsa, timeout=tsa_timeout) if tsa else None
    options = SignOptions(party=party, any_pdf=any_pdf, zone=zone, tsa=authority, tsa_optional=tsa_optional)

    created_dir = make_folder(out_dir) if out_dir is not None else False

    if len(jobs_list) == 1 and not as_json:
        try:
            signed = sign_file(jobs_list[0], credentials, options)
        except PaktaError:
            if created_dir and out_dir is not None:
                out_dir.rmdir()
            raise
        what = (_("{field} ({party}, matched by {match})").format(
            field=signed.field, party=signed.party, match=_(MATCHES[signed.match])) if signed.party else signed.field)
        note(_("signed {source} as {what} -> {target}").format(
            source=jobs_list[0].source, what=what, target=jobs_list[0].target))
        if signed.attested is not None:
            note(_("signing time attested by the timestamp authority: {attested:%Y-%m-%d %H:%M:%S} UTC").format(
                attested=signed.attested))
        if signed.match == "name":
            note(_("note: matched by name only; verifiers will call this match weak"))
        if out_dir is not None:
            _bring_manifest([job.source for job in jobs_list], out_dir)
        _warn_untimestamped([(str(jobs_list[0].source), signed.no_timestamp)])
        return

    workers = min(jobs or default_jobs(), max(1, len(jobs_list) // FILES_PER_WORKER))
    if authority is not None:  # one request at a time per process: no more processes than a TSA is asked to bear
        workers = min(workers, TSA_CONCURRENCY)
    with progress_bar(_("signing"), len(jobs_list)) as advance:
        outcomes = sign_files(jobs_list, credentials, options, workers=workers, progress=advance)
    failed = [o for o in outcomes if not o.ok]
    if created_dir and out_dir is not None and len(failed) == len(outcomes):
        out_dir.rmdir()
    elif out_dir is not None and len(failed) < len(outcomes):
        _bring_manifest([job.source for job in jobs_list], out_dir)
    if as_json:
        typer.echo(json.dumps([_as_dict(o) for o in outcomes], ensure_ascii=False, indent=1))
    else:
        _print_results(outcomes)
    _warn_untimestamped([(o.source, o.no_timestamp) for o in outcomes if o.ok])
    if failed:
        summary = (_("none of the {count} pacts was signed").format(count=len(outcomes)) if len(failed) == len(outcomes)
                   else _("{failed} of {count} pacts not signed; the others were").format(
                       failed=len(failed), count=len(outcomes)))
        err.print(_("error: {summary}").format(summary=summary), style="red", markup=False)
        raise typer.Exit(EXIT_USAGE)
    note(ngettext("signed {count} pact", "signed {count} pacts", len(outcomes)).format(count=len(outcomes)))


def _bring_manifest(sources: list[Path], out_dir: Path) -> None:
    """Pacts of one roster batch take its manifest.json along into --out-dir (never over another one)."""
    from pakta_cli.batch import batch_of, copy_batch_manifest  # the roster stack only for a batch

    manifest = batch_of(sources)
    if manifest is None:
        return
    target = out_dir / manifest.name
    done = copy_batch_manifest(manifest, out_dir)
    if done == "copied":
        note(_("copied {manifest} to {target}: {command}").format(
            manifest=manifest, target=target,
            command=f"pakta verify {shlex.quote(str(out_dir))} --manifest {shlex.quote(str(target))}"))
    elif done == "other":
        note(_("note: {target} differs from {manifest} and was left as it is; sign each batch into a "
               "folder of its own to check it there with --manifest").format(target=target, manifest=manifest))


def _warn_untimestamped(outcomes: list[tuple[str, str | None]]) -> None:
    """--tsa-optional: every pact signed without a token, named, so no one takes its time as attested."""
    missing = [(source, why) for source, why in outcomes if why is not None]
    if not missing:
        return
    err.print(ngettext("WARNING: {count} pact signed WITHOUT a timestamp (its signing time is only claimed by "
                       "the signer):", "WARNING: {count} pacts signed WITHOUT a timestamp (their signing time is "
                       "only claimed by the signer):", len(missing)).format(count=len(missing)),
              style="bold yellow", markup=False)
    for source, why in missing:
        err.print(f"  {visible(source)}: {visible(why)}", style="yellow", markup=False, highlight=False)


def _reason(outcome: SignOutcome) -> str:
    """Why a pact was not signed, in the command line's words (`pakta_cli.cli.wording`)."""
    return said(outcome.error or "", outcome.hint, outcome.about, dict(outcome.fields))[0]


def _as_dict(outcome: SignOutcome) -> dict[str, object]:
    return {
        "file": outcome.source,
        "output": outcome.target if outcome.ok else None,
        "ok": outcome.ok,
        "field": outcome.field,
        "party": outcome.party,
        "match": outcome.match,
        "error": _reason(outcome),
        "sha256": outcome.sha256,
        "timestamp": outcome.attested.isoformat() if outcome.attested else None,
        "no_timestamp": outcome.no_timestamp,
    }


def _rows(outcomes: list[SignOutcome]) -> list[tuple[str, str, str, str, str]]:
    """Per pact: file, result, party, matched by, output or reason, each safe to show (`visible`: a
    party's name comes from the pact, a file's from anyone who named it)."""
    return [(visible(a), b, visible(c), d, visible(e)) for a, b, c, d, e in _raw_rows(outcomes)]


def _raw_rows(outcomes: list[SignOutcome]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for outcome in outcomes:
        if outcome.ok:
            rows.append((outcome.source, _("signed"), f"{outcome.field} {outcome.party or ''}".strip(),
                         _(MATCHES[outcome.match]) if outcome.match in MATCHES else "", outcome.target))
        else:
            reason = _reason(outcome)
            prefix = f"{outcome.source}: "
            rows.append((outcome.source, _("FAILED"), "", "", reason[len(prefix):] if reason.startswith(prefix)
                         else reason))
    return rows


def _print_results(outcomes: list[SignOutcome]) -> None:
    """A table on a terminal; one tab-separated line per pact when piped, as `pakta verify` prints."""
    if not out.is_terminal:
        for row in _rows(outcomes):
            typer.echo("\t".join(row))
        return
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for column in (_("file"), _("result"), _("party"), _("matched by"), _("output / reason")):
        table.add_column(column, overflow="fold")
    for source, result, party, matched, last in _rows(outcomes):
        # Text, not str: a file name or a party's name must never be read as rich markup
        table.add_row(Text(source), Text(result, style="red" if result == _("FAILED") else ""), Text(party),
                      Text(matched), Text(last))
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add `pakta sign` to the pakta app."""
    command(app, "sign", N_(
        "Sign pacts with your Ed25519 key, in the signature block the pact reserved for you.\n\n"
        "pakta finds which party you are: the party whose key_id is your key's, else whose NIP (or NIK) is your "
        "certificate's; it refuses when you are none of them, and when a party who signs before you has not "
        "signed yet. Each signature is a new incremental update that leaves earlier signatures valid. Many "
        "pacts: one passphrase prompt, all cores, a result table; a bad file does not stop the others but makes "
        "the exit code 2. With --out-dir, pacts from one roster batch folder take its manifest.json along."))(sign)
