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
from pakta_cli.cli.language import command
from pakta_cli.cli.passphrase import NoPassphrase, PassphraseFile, passphrase_for_new_key, passphrase_to_unlock
from pakta_cli.errors import InputError
from pakta_cli.fsutil import atomic_write
from pakta_cli.i18n import N_, _, ngettext
from pakta_cli.keyid import certificate_key_id
from pakta_cli.keys import refuse_folder_prefix
from pakta_cli.zones import describe_time, parse_moment

ca_app = command_group(
    "ca", N_("An institution's certificate authority: root certificate, issued certificates, revocation list.")
)

CaPrefix = Annotated[Path, typer.Option("--ca", metavar="PREFIX", help=N_("The CA made by `pakta ca "
                                                                          "init -o PREFIX`."))]


def _load(prefix: Path, passphrase_file: Path | None) -> CertificateAuthority:
    return load_ca(prefix, passphrase_to_unlock(CaPaths.for_prefix(prefix).key, passphrase_file, _("CA key")))


@command(ca_app, "init", N_("Create the CA's root key, its root certificate and an empty revocation list."))
def init(
    output: Annotated[Path, typer.Option("--output", "-o", metavar="PREFIX",
                                         help=N_("Writes PREFIX.key (mode 0600), PREFIX.crt and PREFIX.crl."))],
    institution: Annotated[str, typer.Option("--institution", help=N_("The institution the CA speaks for."))],
    days: Annotated[int, typer.Option("--days", min=1, max=MAX_DAYS, help=N_("Days the root certificate is valid."))
                    ] = CA_DAYS,
    passphrase_file: PassphraseFile = None,
    no_passphrase: NoPassphrase = False,
    force: Annotated[bool, typer.Option("--force", "-f", help=N_("Overwrite an existing CA."))] = False,
) -> None:
    if not institution.strip():  # checked before the passphrase prompt, as is the folder below
        raise InputError(_("--institution must not be empty"))
    refuse_folder_prefix(output)
    passphrase = passphrase_for_new_key(passphrase_file, no_passphrase, _("CA key"))
    ca = init_ca(output, institution, passphrase, days=days, force=force)
    note(_("wrote {key} (keep it offline), {cert} (the root auditors trust) and {crl} (empty revocation list); "
           "valid until {until}").format(key=ca.paths.key, cert=ca.paths.cert, crl=ca.paths.crl,
                                          until=format_time(ca.cert.not_valid_after_utc)))
    out.print(_("key id: {key_id}").format(key_id=certificate_key_id(ca.cert)), markup=False)
    out.print(_("auditors verify with: {command}").format(command=verify_command(ca.paths.cert, ca.paths.crl)),
              markup=False)


@command(ca_app, "issue", N_(
    "Issue an official a certificate with the same identity and key, signed by the CA.\n\n"
    "Everything it certifies is shown before the CA key is unlocked: the name, NIP and position are what every "
    "stamp signed with the certificate prints, so the officer checks them (Ctrl-C at the passphrase prompt "
    "stops)."))
def issue_command(
    ca_prefix: CaPrefix,
    request: Annotated[Path, typer.Argument(metavar="CERT_OR_CSR",
                                            help=N_("The official's self-signed certificate (or a CSR)."))],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="OUT.crt", help=N_("The certificate to write."))],
    days: Annotated[int, typer.Option("--days", min=1, max=MAX_DAYS,
                                          help=N_("Days the certificate is valid (never past the CA's)."))
                    ] = DEFAULT_DAYS,
    passphrase_file: PassphraseFile = None,
    force: Annotated[bool, typer.Option("--force", "-f", help=N_("Overwrite OUT.crt (e.g. the self-signed one)."))
                     ] = False,
) -> None:
    wanted = read_request(request)
    note(_("certifying {request} (key id {key_id}):").format(request=request, key_id=wanted.key_id))
    for line in aligned(identity_rows(wanted.identity, whole_nik=True), empty="-"):
        note(f"  {line}")
    ca = _load(ca_prefix, passphrase_file)
    cert = issue(ca, wanted, days=days)
    atomic_write(output, cert.public_bytes(serialization.Encoding.PEM), force=force, mode=0o644)
    note(_("issued {output} to {identity}, valid until {until}").format(
        output=output, identity=wanted.identity.describe(), until=format_time(cert.not_valid_after_utc)))
    out.print(_("key id: {key_id}").format(key_id=certificate_key_id(cert)), markup=False)
    out.print(_("sign with: {command}").format(
        command=f"pakta sign PACT.pdf --key KEY.key --cert {shlex.quote(str(output))} "
                f"--chain {shlex.quote(str(ca.paths.cert))}"), markup=False)
    out.print(_("auditors verify with: {command}").format(command=verify_command(ca.paths.cert, ca.paths.crl)),
              markup=False)


@command(ca_app, "revoke", N_("Revoke a certificate: add it to the CA's revocation list (PREFIX.crl) for auditors."))
def revoke_command(
    ca_prefix: CaPrefix,
    cert: Annotated[Path, typer.Argument(metavar="CERT", help=N_("A certificate this CA issued."))],
    reason: Annotated[str | None, typer.Option("--reason", help=N_(
        "One of: unspecified, key-compromise, affiliation-changed, superseded, cessation-of-operation, "
        "certificate-hold."))] = None,
    compromised_since: Annotated[str | None, typer.Option(
        "--compromised-since", metavar="WHEN",
        help=N_("With a reason about the key: since when it may be in other hands (2026-05-01, "
                "2026-05-01 10:00 WITA). Signatures a timestamp authority dates before then stay "
                "valid; without it none of the key's do."),
    )] = None,
    passphrase_file: PassphraseFile = None,
) -> None:
    since = parse_moment(compromised_since) if compromised_since is not None else None
    ca = _load(ca_prefix, passphrase_file)
    revoked = revoke(ca, cert, reason=reason, compromised_since=since)
    serial = (_("serial {serial:x}, key id {key_id}") if revoked.key_id else _("serial {serial:x}")).format(
        serial=revoked.serial, key_id=revoked.key_id)
    note(ngettext("revoked {name} ({serial}); {crl} now lists {count} certificate",
                  "revoked {name} ({serial}); {crl} now lists {count} certificates", revoked.count).format(
        name=revoked.name, serial=serial, crl=ca.paths.crl, count=revoked.count))
    if revoked.whole_key and since is not None:
        note(_("the reason is about the key, so every certificate of key id {key_id} fails verification, "
               "the official's self-signed one and any other CA's included, except for signatures a timestamp "
               "authority dates before {since}; this CA never certifies it again").format(
            key_id=revoked.key_id, since=describe_time(since)))
    elif revoked.whole_key:
        note(_("the reason is about the key, so every certificate of key id {key_id} fails "
               "verification, the official's self-signed one and any other CA's included; this CA "
               "never certifies it again").format(key_id=revoked.key_id))
    else:
        note(_("only this certificate is revoked: a reason about the certificate leaves key id "
               "{key_id} usable in its other certificates (if the key leaked, revoke again with "
               "--reason key-compromise)").format(key_id=revoked.key_id))
    out.print(_("hand auditors the new {crl}: {command}").format(
        crl=ca.paths.crl, command=verify_command(ca.paths.cert, ca.paths.crl)), markup=False)


@command(ca_app, "crl", N_("Sign the revocation list again with today's date (do this before its next-update "
                           "date)."))
def crl_command(ca_prefix: CaPrefix, passphrase_file: PassphraseFile = None) -> None:
    ca = _load(ca_prefix, passphrase_file)
    crl = refresh_crl(ca)
    next_update = crl.next_update_utc
    note(_("wrote {crl}: {count} revoked, next update {next_update}").format(
        crl=ca.paths.crl, count=len(crl), next_update=format_time(next_update) if next_update else _("not set")))


def register(app: typer.Typer) -> None:
    """Add `pakta ca ...` to the pakta app."""
    app.add_typer(ca_app)
