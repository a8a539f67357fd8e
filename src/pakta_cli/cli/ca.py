"""`pakta ca init / issue / revoke / crl`: an institution's own small certificate authority.

The CA's root certificate is what auditors trust; its key issues officials' certificates and signs
the revocation list. Keep PREFIX.key offline; hand out PREFIX.crt and PREFIX.crl.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives import serialization

from pakta_cli.ca import (
    CA_DAYS,
    CaPaths,
    CertificateAuthority,
    init_ca,
    issue,
    load_ca,
    read_request,
    refresh_crl,
    revoke,
)
from pakta_cli.certificates import DEFAULT_DAYS, MAX_DAYS, format_time
from pakta_cli.cli.console import note, out
from pakta_cli.cli.keys import aligned, command_group, identity_rows, verify_command
from pakta_cli.cli.passphrase import NoPassphrase, PassphraseFile, passphrase_for_new_key, passphrase_to_unlock
from pakta_cli.errors import InputError
from pakta_cli.fsutil import atomic_write
from pakta_cli.keyid import certificate_key_id
from pakta_cli.keys import refuse_folder_prefix
from pakta_cli.trust import REASONS
from pakta_cli.zones import parse_moment

ca_app = command_group(
    "ca", "An institution's certificate authority: root certificate, issued certificates, revocation list."
)

CaPrefix = Annotated[Path, typer.Option("--ca", metavar="PREFIX", help="The CA made by `pakta ca init -o PREFIX`.")]


def _load(prefix: Path, passphrase_file: Path | None) -> CertificateAuthority:
    return load_ca(prefix, passphrase_to_unlock(CaPaths.for_prefix(prefix).key, passphrase_file, "CA key"))


@ca_app.command("init")
def init(
    output: Annotated[Path, typer.Option("--output", "-o", metavar="PREFIX",
                                         help="Writes PREFIX.key (mode 0600), PREFIX.crt and PREFIX.crl.")],
    institution: Annotated[str, typer.Option("--institution", help="The institution the CA speaks for.")],
    days: Annotated[int, typer.Option("--days", min=1, max=MAX_DAYS, help="Days the root certificate is valid.")
                    ] = CA_DAYS,
    passphrase_file: PassphraseFile = None,
    no_passphrase: NoPassphrase = False,
    force: Annotated[bool, typer.Option("--force", "-f", help="Overwrite an existing CA.")] = False,
) -> None:
    """Create the CA's root key, its root certificate and an empty revocation list."""
    if not institution.strip():  # checked before the passphrase prompt, as is the folder below
        raise InputError("--institution must not be empty")
    refuse_folder_prefix(output)
    passphrase = passphrase_for_new_key(passphrase_file, no_passphrase, "CA key")
    ca = init_ca(output, institution, passphrase, days=days, force=force)
    note(f"wrote {ca.paths.key} (keep it offline), {ca.paths.cert} (the root auditors trust) and {ca.paths.crl} "
         f"(empty revocation list); valid until {format_time(ca.cert.not_valid_after_utc)}")
    out.print(f"key id: {certificate_key_id(ca.cert)}", markup=False)
    out.print(f"auditors verify with: {verify_command(ca.paths.cert, ca.paths.crl)}", markup=False)


@ca_app.command("issue")
def issue_command(
    ca_prefix: CaPrefix,
    request: Annotated[Path, typer.Argument(metavar="CERT_OR_CSR",
                                            help="The official's self-signed certificate (or a CSR).")],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="OUT.crt", help="The certificate to write.")],
    days: Annotated[int, typer.Option("--days", min=1, max=MAX_DAYS,
                                          help="Days the certificate is valid (never past the CA's).")
                    ] = DEFAULT_DAYS,
    passphrase_file: PassphraseFile = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="Overwrite OUT.crt (e.g. the self-signed one).")] = False,
) -> None:
    """Issue an official a certificate with the same identity and key, signed by the CA.

    Everything it certifies is shown before the CA key is unlocked: the name, NIP and position are
    what every stamp signed with the certificate prints, so the officer checks them (Ctrl-C at the
    passphrase prompt stops).
    """
    wanted = read_request(request)
    note(f"certifying {request} (key id {wanted.key_id}):")
    for line in aligned(identity_rows(wanted.identity, whole_nik=True), empty="-"):
        note(f"  {line}")
    ca = _load(ca_prefix, passphrase_file)
    cert = issue(ca, wanted, days=days)
    atomic_write(output, cert.public_bytes(serialization.Encoding.PEM), force=force, mode=0o644)
    note(f"issued {output} to {wanted.identity.describe()}, valid until {format_time(cert.not_valid_after_utc)}")
    out.print(f"key id: {certificate_key_id(cert)}", markup=False)
    out.print(f"sign with: pakta sign PACT.pdf --key KEY.key --cert {shlex.quote(str(output))} "
              f"--chain {shlex.quote(str(ca.paths.cert))}", markup=False)
    out.print(f"auditors verify with: {verify_command(ca.paths.cert, ca.paths.crl)}", markup=False)


@ca_app.command("revoke")
def revoke_command(
    ca_prefix: CaPrefix,
    cert: Annotated[Path, typer.Argument(metavar="CERT", help="A certificate this CA issued.")],
    reason: Annotated[str | None, typer.Option("--reason", help=f"One of: {', '.join(REASONS)}.")] = None,
    compromised_since: Annotated[str | None, typer.Option(
        "--compromised-since", metavar="WHEN",
        help="With a reason about the key: since when it may be in other hands (2026-05-01, 2026-05-01 10:00 WITA). "
             "Signatures a timestamp authority dates before then stay valid; without it none of the key's do.",
    )] = None,
    passphrase_file: PassphraseFile = None,
) -> None:
    """Revoke a certificate: add it to the CA's revocation list (PREFIX.crl) for auditors."""
    since = parse_moment(compromised_since) if compromised_since is not None else None
    ca = _load(ca_prefix, passphrase_file)
    revoked = revoke(ca, cert, reason=reason, compromised_since=since)
    note(f"revoked {revoked.name} (serial {revoked.serial:x}"
         + (f", key id {revoked.key_id}" if revoked.key_id else "") + f"); {ca.paths.crl} now lists "
         f"{revoked.count} certificate{'s' if revoked.count != 1 else ''}")
    if revoked.whole_key:
        note(f"the reason is about the key, so every certificate of key id {revoked.key_id} fails verification, "
             "the official's self-signed one and any other CA's included; this CA never certifies it again")
    else:
        note(f"only this certificate is revoked: a reason about the certificate leaves key id {revoked.key_id} "
             "usable in its other certificates (if the key leaked, revoke again with --reason key-compromise)")
    out.print(f"hand auditors the new {ca.paths.crl}: {verify_command(ca.paths.cert, ca.paths.crl)}", markup=False)


@ca_app.command("crl")
def crl_command(ca_prefix: CaPrefix, passphrase_file: PassphraseFile = None) -> None:
    """Sign the revocation list again with today's date (do this before its next-update date)."""
    ca = _load(ca_prefix, passphrase_file)
    crl = refresh_crl(ca)
    next_update = crl.next_update_utc
    note(f"wrote {ca.paths.crl}: {len(crl)} revoked, next update "
         f"{format_time(next_update) if next_update else 'not set'}")


def register(app: typer.Typer) -> None:
    """Add `pakta ca ...` to the pakta app."""
    app.add_typer(ca_app)
