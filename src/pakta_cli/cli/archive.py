"""`pakta archive`: store in signed pacts the certificates and CRLs an auditor will need years later."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pakta_cli.cli.authority import TsaTimeout
from pakta_cli.cli.console import err, note
from pakta_cli.cli.language import command
from pakta_cli.errors import EXIT_USAGE, PaktaError
from pakta_cli.i18n import N_, _, ngettext
from pakta_cli.pactfile import ARCHIVED_CRL_TOLERANCE
from pakta_cli.timestamps import TIMEOUT


def archive(
    pacts: Annotated[list[Path], typer.Argument(metavar="PACT.pdf...", help=N_("Signed pacts."), show_default=False)],
    crl: Annotated[list[Path], typer.Option(
        "--crl", metavar="FILE", help=N_("A CRL of the CA that issued a signer's certificate, issued "
                                         "after the last signature (pakta ca crl). Repeatable; required."))],
    cert: Annotated[list[Path] | None, typer.Option(
        "--cert", metavar="FILE", help=N_("Another certificate to store (the CA root, a timestamp "
                                          "authority's root). Repeatable."))] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="OUT.pdf",
                                                help=N_("Write the archived pact here (one input)."))] = None,
    out_dir: Annotated[Path | None, typer.Option("--out-dir", metavar="DIR",
                                                 help=N_("Write each archived pact into DIR under its "
                                                         "own name."))] = None,
    in_place: Annotated[bool, typer.Option("--in-place",
        help=N_("Replace each input with its archived copy."))] = False,
    tsa: Annotated[str | None, typer.Option(
        "--tsa", metavar="URL", envvar="PAKTA_TSA_URL", show_envvar=True,
        help=N_("An RFC 3161 timestamp authority: each pact also gets an archive timestamp over all it "
                "holds (PAdES B-LTA). Archiving fails, writing nothing, when it gives none."),
    )] = None,
    tsa_timeout: TsaTimeout = TIMEOUT,
    force: Annotated[bool, typer.Option("--force", "-f", help=N_("Overwrite existing outputs."))] = False,
) -> None:
    from pakta_cli.archive import archive_file, load_crls, load_extra_certificates
    from pakta_cli.cli.targets import plan_jobs
    from pakta_cli.fsutil import make_folder
    from pakta_cli.timestamps import Authority, TimestampError

    jobs = plan_jobs(pacts, output=output, out_dir=out_dir, in_place=in_place, force=force)
    authority = Authority(tsa, timeout=tsa_timeout) if tsa else None
    crls = load_crls(crl)
    extra = load_extra_certificates(cert or [])
    created = make_folder(out_dir) if out_dir is not None else False
    failed = 0
    for number, job in enumerate(jobs):
        try:
            done = archive_file(job.source, job.target, crls, extra, force=job.force, authority=authority)
        except PaktaError as exc:
            if len(jobs) == 1:
                if created and out_dir is not None:
                    out_dir.rmdir()
                raise
            failed += 1
            named = exc.message if exc.message.startswith(str(job.source)) else f"{job.source}: {exc.message}"
            err.print(_("error: {message}").format(message=named), style="red", markup=False)
            if isinstance(exc, TimestampError):  # the next pacts would wait for the same authority in vain
                untried = len(jobs) - number - 1
                failed += untried
                if untried:
                    err.print(ngettext("error: the timestamp authority failed, so {count} more pact was not tried",
                                       "error: the timestamp authority failed, so {count} more pacts were not tried",
                                       untried).format(count=untried), style="red", markup=False)
                if exc.hint:
                    err.print(_("hint: {hint}").format(hint=exc.hint), markup=False)
                break
            continue
        stored = (ngettext("{count} certificate", "{count} certificates", done.certificates).format(
                      count=done.certificates),
                  ngettext("{count} CRL", "{count} CRLs", done.crls).format(count=done.crls))
        note(_("archived {source} -> {target}: {certificates}, {crls}").format(
            source=job.source, target=job.target, certificates=stored[0], crls=stored[1]))
        if done.timestamp is not None:
            note(_("  archive timestamp {time:%Y-%m-%d %H:%M:%S} UTC by {authority}").format(
                time=done.timestamp.time, authority=done.timestamp.authority))
        for issuer in done.stale:
            note(_("note: the CRL of {issuer} was issued more than {minutes} minutes before the archive timestamp: "
                   "it will not answer for the signatures without a timestamp of their own; archive again with a "
                   "CRL issued just before (pakta ca crl)").format(
                issuer=issuer, minutes=int(ARCHIVED_CRL_TOLERANCE.total_seconds() // 60)))
    if failed:
        err.print(_("error: {failed} of {count} pacts not archived").format(failed=failed, count=len(jobs)),
                  style="red", markup=False)
        raise typer.Exit(EXIT_USAGE)


def register(app: typer.Typer) -> None:
    """Add `pakta archive` to the pakta app."""
    command(app, "archive", N_("Keep signed pacts checkable for years (PAdES B-LT): store the signers' "
                               "certificates and the CA's CRL in each pact, so an auditor needs only the "
                               "institution's root certificate, and no CRL file, to verify it after the "
                               "certificates have expired. With --tsa, add an archive timestamp over it all "
                               "(PAdES B-LTA)."))(archive)
