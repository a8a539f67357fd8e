"""`pakta archive`: store in signed pacts the certificates and CRLs an auditor will need years later."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pakta_cli.cli.console import err, note
from pakta_cli.errors import EXIT_USAGE, PaktaError


def archive(
    pacts: Annotated[list[Path], typer.Argument(metavar="PACT.pdf...", help="Signed pacts.", show_default=False)],
    crl: Annotated[list[Path], typer.Option(
        "--crl", metavar="FILE", help="A CRL of the CA that issued a signer's certificate, issued after the last "
        "signature (pakta ca crl). Repeatable; required.")],
    cert: Annotated[list[Path] | None, typer.Option(
        "--cert", metavar="FILE", help="Another certificate to store (the CA root, a timestamp authority's root). "
        "Repeatable.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="OUT.pdf",
                                                help="Write the archived pact here (one input).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out-dir", metavar="DIR",
                                                 help="Write each archived pact into DIR under its own name.")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Replace each input with its archived copy.")] = False,
    force: Annotated[bool, typer.Option("--force", "-f", help="Overwrite existing outputs.")] = False,
) -> None:
    """Keep signed pacts checkable for years (PAdES B-LT): store the signers' certificates and the CA's
    CRL in each pact, so an auditor needs only the institution's root certificate, and no CRL file,
    to verify it after the certificates have expired."""
    from pakta_cli.archive import archive_file, load_crls, load_extra_certificates
    from pakta_cli.fsutil import make_folder
    from pakta_cli.sign import plan_jobs

    jobs = plan_jobs(pacts, output=output, out_dir=out_dir, in_place=in_place, force=force)
    crls = load_crls(crl)
    extra = load_extra_certificates(cert or [])
    created = make_folder(out_dir) if out_dir is not None else False
    failed = 0
    for job in jobs:
        try:
            done = archive_file(job.source, job.target, crls, extra, force=job.force)
        except PaktaError as exc:
            if len(jobs) == 1:
                if created and out_dir is not None:
                    out_dir.rmdir()
                raise
            failed += 1
            err.print(f"error: {exc.message}", style="red", markup=False)
            continue
        note(f"archived {job.source} -> {job.target}: {done.certificates} certificates, {done.crls} "
             f"CRL{'s' if done.crls != 1 else ''}")
    if failed:
        err.print(f"error: {failed} of {len(jobs)} pacts not archived", style="red", markup=False)
        raise typer.Exit(EXIT_USAGE)


def register(app: typer.Typer) -> None:
    """Add `pakta archive` to the pakta app."""
    app.command("archive")(archive)
