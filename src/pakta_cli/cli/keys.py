"""`pakta keys generate` and `pakta keys show`: an official's own key and certificate."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pakta_cli.certificates import (
    DEFAULT_DAYS,
    MAX_DAYS,
    Identity,
    build_request,
    changed_identity,
    format_time,
    identity_of,
    identity_of_name,
    is_ca,
    is_self_signed,
    load_certificate,
    make_identity,
    parse_certificates,
    utcnow,
)
from pakta_cli.cli.console import note, out
from pakta_cli.cli.language import PaktaSubGroup, command
from pakta_cli.cli.passphrase import NoPassphrase, PassphraseFile, passphrase_for_new_key, passphrase_to_unlock
from pakta_cli.errors import InputError, KeyFileError
from pakta_cli.fsutil import atomic_write, check_writable
from pakta_cli.i18n import N_, _
from pakta_cli.identity_numbers import group_nip, mask_nik
from pakta_cli.keyid import key_id
from pakta_cli.keys import (
    KeyPaths,
    check_pair,
    generate_identity,
    key_is_encrypted,
    load_private_key,
    refuse_folder_prefix,
)
from pakta_cli.printable import visible
from pakta_cli.trust import parse_crl, revocation_reason, revoked_key, revokes_key


def command_group(name: str, help_text: str) -> typer.Typer:
    """A `pakta NAME ...` group of subcommands, set up like the main app (-h, no rich markup)."""
    return typer.Typer(name=name, help=help_text, cls=PaktaSubGroup, no_args_is_help=True, rich_markup_mode=None,
                       context_settings={"help_option_names": ["-h", "--help"]})


keys_app = command_group("keys", N_("An official's own signing key and certificate."))


def verify_command(trust: Path, crl: Path | None = None) -> str:
    """The exact command an auditor runs, quoted for a POSIX shell."""
    command = f"pakta verify PACT.pdf --trust {shlex.quote(str(trust))}"
    if crl is not None:
        command += f" --crl {shlex.quote(str(crl))}"
    return command


@command(keys_app, "generate", N_(
    "Make an Ed25519 signing key (encrypted PKCS#8) and a self-signed certificate with your identity.\n\n"
    "Prints the key id (pin it in a pact with `key_id:`) and the command auditors run to verify pacts you sign. "
    "Give PREFIX.crt to auditors, or to your institution's CA (`pakta ca issue`); never give anyone PREFIX.key."))
def generate(
    output: Annotated[Path, typer.Option("--output", "-o", metavar="PREFIX",
                                         help=N_("Writes PREFIX.key (mode 0600) and PREFIX.crt."))],
    name: Annotated[str, typer.Option("--name", help=N_("Your name as the pacts print it (certificate CN)."))],
    nip: Annotated[str | None, typer.Option("--nip", help=N_("Your NIP (18 digits; grouping spaces allowed)."))] = None,
    nik: Annotated[str | None, typer.Option(
        "--nik", help=N_("Your NIK (16 digits), when you have no NIP (ad hoc members): your roster "
                         "pact finds you by it."),
    )] = None,
    position: Annotated[str | None, typer.Option("--position", help=N_("Your position (jabatan)."))] = None,
    institution: Annotated[str | None, typer.Option("--institution", help=N_("Your institution (instansi)."))] = None,
    unit: Annotated[str | None, typer.Option("--unit", help=N_("Your unit (unit kerja)."))] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=MAX_DAYS, help=N_("Days the certificate is valid."))
                    ] = DEFAULT_DAYS,
    passphrase_file: PassphraseFile = None,
    no_passphrase: NoPassphrase = False,
    force: Annotated[bool, typer.Option("--force", "-f",
        help=N_("Overwrite an existing key and certificate."))] = False,
) -> None:
    identity = make_identity(name, nip, position, institution, unit, nik)
    refuse_folder_prefix(output)  # before the passphrase prompt: typing it twice for nothing helps no one
    passphrase = passphrase_for_new_key(passphrase_file, no_passphrase, _("key"))
    new = generate_identity(output, identity, passphrase, days=days, force=force)
    note(_("wrote {key} (Ed25519, {encryption}, mode 0600) and {cert} (self-signed for {identity}, valid until "
           "{until})").format(key=new.paths.key, encryption=_("encrypted") if new.encrypted else _("UNENCRYPTED"),
                              cert=new.paths.cert, identity=identity.describe(),
                              until=format_time(new.certificate.not_valid_after_utc)))
    out.print(_("key id: {key_id}").format(key_id=new.key_id), markup=False)
    out.print(_("auditors verify with: {command}").format(command=verify_command(new.paths.cert)), markup=False)
    note(_("to pin this key in a pact definition, give the party `key_id: {key_id}`").format(key_id=new.key_id))


@command(keys_app, "csr", N_(
    "Ask your institution's CA for a new certificate for the key you already have.\n\n"
    "To renew a certificate before it expires, or after a promotion: the request (PKCS#10) carries your current "
    "certificate's identity, with what the options change, and is signed by your key, which proves to the CA "
    "that you hold it. The CA answers with `pakta ca issue`. For a new key instead (a lost or leaked one), run "
    "`pakta keys generate` again."))
def csr(
    key: Annotated[Path, typer.Option("--key", "-k", metavar="PREFIX.key", help=N_("Your private key."))],
    cert: Annotated[Path | None, typer.Option(
        "--cert", "-c", metavar="PREFIX.crt",
        help=N_("Your current certificate, whose identity the request repeats. [default: the .crt "
                "beside the key]"),
    )] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="OUT.csr", help=N_("The request to write. [default: the key's name "
                                                     "with .csr]"),
    )] = None,
    name: Annotated[str | None, typer.Option("--name", help=N_("A new name, instead of the certificate's."))] = None,
    nip: Annotated[str | None, typer.Option("--nip", help=N_("A new NIP (it replaces a NIK)."))] = None,
    nik: Annotated[str | None, typer.Option("--nik", help=N_("A NIK, for a person with no NIP."))] = None,
    position: Annotated[str | None, typer.Option("--position", help=N_("A new position (jabatan)."))] = None,
    institution: Annotated[str | None, typer.Option("--institution", help=N_("A new institution (instansi)."))] = None,
    unit: Annotated[str | None, typer.Option("--unit", help=N_("A new unit (unit kerja)."))] = None,
    passphrase_file: PassphraseFile = None,
    force: Annotated[bool, typer.Option("--force", "-f", help=N_("Overwrite an existing request."))] = False,
) -> None:
    cert_path = cert or KeyPaths.for_prefix(key).cert
    target = output or key.with_suffix(".csr")
    check_writable(target, force=force)  # before the passphrase prompt, as every refusal that needs none
    current = load_certificate(cert_path) if cert_path.exists() or cert is not None else None
    if current is None and name is None:
        raise InputError(_("{cert}: certificate not found, so there is no identity to ask for").format(cert=cert_path),
                         hint=_("give your certificate with --cert, or your identity with --name (and "
                                "--nip or --nik, --position, --institution, --unit)"))
    changes = {"name": name, "nip": nip, "nik": nik, "position": position, "institution": institution, "unit": unit}
    identity = (changed_identity(identity_of(current), **changes) if current is not None
                else make_identity(name or "", nip, position, institution, unit, nik))
    private_key = load_private_key(key, passphrase_to_unlock(key, passphrase_file))
    if current is not None:
        check_pair(private_key, current, key, cert_path)
    request = build_request(private_key, identity)
    atomic_write(target, request.public_bytes(serialization.Encoding.PEM), force=force, mode=0o644)
    note(_("wrote {target}: a request for {identity}, key id {key_id}").format(
        target=target, identity=identity.describe(), key_id=key_id(private_key.public_key())))
    out.print(_("the CA issues it with: {command}").format(
        command=f"pakta ca issue --ca CA {shlex.quote(str(target))} -o {shlex.quote(str(cert_path))} --force"),
        markup=False)


def _validity(cert: x509.Certificate) -> str:
    now = utcnow()
    state = (_("not valid yet") if now < cert.not_valid_before_utc
             else _("EXPIRED") if now > cert.not_valid_after_utc else _("valid now"))
    return _("{start} to {end} ({state})").format(start=format_time(cert.not_valid_before_utc),
                                                  end=format_time(cert.not_valid_after_utc), state=state)


def aligned(rows: list[tuple[str, str | None]], *, empty: str | None = None) -> list[str]:
    """`label: value` lines with the values in one column; a row with no value is left out, or
    shows `empty` when given (what a CA is about to certify shows what it leaves out, too). Labels are
    marked `N_` and shown in the run's language."""
    # a certificate's or CRL's names come from whoever made it: shown with its escapes visible, so no
    # terminal sequence in a name can repaint the screen (printable.visible)
    shown = [(_(label), visible(value) if value is not None else empty) for label, value in rows]
    width = max(len(label) for label, _value in shown)
    return [f"{label + ':':<{width + 1}} {value}" for label, value in shown if value is not None]


def _rows(rows: list[tuple[str, str | None]]) -> None:
    for line in aligned(rows):
        out.print(line, markup=False)


def identity_rows(identity: Identity, *, whole_nik: bool = False) -> list[tuple[str, str | None]]:
    """The identity a certificate states, as `keys show` and `ca issue` print it (the stamp prints
    the name, the NIP and the position). A NIK is personal data (UU 27/2022): shown masked, except
    to the CA officer who must check it before certifying it."""
    nik = (identity.nik if whole_nik else mask_nik(identity.nik)) if identity.nik else None
    return [
        (N_("name"), identity.name),
        ("NIK", nik) if identity.nik and not identity.nip
        else ("NIP", group_nip(identity.nip) if identity.nip else None),
        (N_("position"), identity.position),
        (N_("institution"), identity.institution),
        (N_("unit"), identity.unit),
    ]


KIND, KEY_ID, CERTIFICATE = N_("kind"), N_("key id"), N_("certificate")


def _certificate_rows(cert: x509.Certificate) -> list[tuple[str, str | None]]:
    identity = identity_of(cert)
    public_key = cert.public_key()
    if is_ca(cert):
        kind = _("CA root certificate") if is_self_signed(cert) else _("CA certificate")
    else:
        kind = _("certificate, self-signed") if is_self_signed(cert) else _("certificate")
    issuer = None if is_self_signed(cert) else cert.issuer.rfc4514_string()
    return [
        (KIND, kind),
        *identity_rows(identity),
        (N_("issued by"), issuer),
        (KEY_ID, key_id(public_key) if isinstance(public_key, Ed25519PublicKey)
         else _("none: not an Ed25519 key ({kind})").format(kind=type(public_key).__name__)),
        (N_("valid"), _validity(cert)),
        (N_("serial"), format(cert.serial_number, "x")),
        ("sha256", cert.fingerprint(hashes.SHA256()).hex()),
    ]


def _show_crl(path: Path, data: bytes) -> None:
    crl = parse_crl(data, path)
    try:
        number = str(crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)
    except x509.ExtensionNotFound:
        number = None
    next_update = crl.next_update_utc
    stale = next_update is not None and next_update < utcnow()
    _rows([
        (KIND, _("certificate revocation list (CRL)")),
        (N_("issuer"), crl.issuer.rfc4514_string()),
        (N_("number"), number),
        (N_("updated"), format_time(crl.last_update_utc)),
        (N_("next update"), (format_time(next_update) + (_(" (STALE: run `pakta ca crl`)") if stale else ""))
         if next_update else None),
        (N_("revoked"), str(len(crl))),
    ])
    for entry in crl:
        reason = revocation_reason(entry)
        public_key = revoked_key(entry)
        scope = "" if public_key is None else (
            _(", key id {key_id}: every certificate of this key") if revokes_key(entry)
            else _(", key id {key_id}: this certificate only")).format(key_id=key_id(public_key))
        out.print(_("  serial {serial:x} revoked {when}").format(
            serial=entry.serial_number, when=format_time(entry.revocation_date_utc))
            + (f" ({reason})" if reason else "") + scope, markup=False)


def _show_key(path: Path, passphrase_file: Path | None) -> None:
    encrypted = key_is_encrypted(path)
    key = load_private_key(path, passphrase_to_unlock(path, passphrase_file))
    rows: list[tuple[str, str | None]] = [
        (KIND, _("Ed25519 private key ({encryption})").format(
            encryption=_("encrypted") if encrypted else _("UNENCRYPTED"))),
        (KEY_ID, key_id(key.public_key())),
    ]
    sibling = path.with_suffix(".crt")
    if sibling.exists():
        try:
            cert = load_certificate(sibling)
        except Exception:
            cert = None
        if cert is not None and cert.public_key() == key.public_key():
            rows.append((CERTIFICATE, str(sibling)))
            rows += [row for row in _certificate_rows(cert) if row[0] not in (KIND, KEY_ID)]
        else:
            rows.append((CERTIFICATE, _("{file} does NOT belong to this key").format(file=sibling)))
    _rows(rows)


@command(keys_app, "show", N_(
    "Print the identity, key id and validity of a key, certificate, request or CRL.\n\n"
    "An encrypted key needs its passphrase to show its key id (the public key is inside it)."))
def show(
    file: Annotated[Path, typer.Argument(help=N_("A key, certificate, certificate request or CRL."), metavar="FILE")],
    passphrase_file: PassphraseFile = None,
) -> None:
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise InputError(_("{file}: not found").format(file=file)) from None
    except IsADirectoryError:
        raise InputError(_("{file}: is a folder").format(file=file)) from None
    if b"X509 CRL-----" in data:
        _show_crl(file, data)
    elif b"CERTIFICATE REQUEST-----" in data:
        try:
            csr = x509.load_pem_x509_csr(data)
        except ValueError:
            raise KeyFileError(_("{file}: damaged certificate signing request (its PEM text is cut or altered)").format(
                                   file=file)
                               ) from None
        public_key = csr.public_key()
        _rows([(KIND, _("certificate signing request")), *identity_rows(identity_of_name(csr.subject)),
               (KEY_ID, key_id(public_key) if isinstance(public_key, Ed25519PublicKey) else _("not Ed25519"))])
    elif b"PRIVATE KEY-----" in data:
        _show_key(file, passphrase_file)
    elif b"CERTIFICATE-----" in data:
        certs = parse_certificates(data, file)
        for index, cert in enumerate(certs):
            if index:
                out.print("", markup=False)
            _rows(_certificate_rows(cert))
    else:
        _show_der(file, data, passphrase_file)


def _show_der(file: Path, data: bytes, passphrase_file: Path | None) -> None:
    """DER files carry no label: try a certificate, a CRL, then a key."""
    try:
        _rows(_certificate_rows(x509.load_der_x509_certificate(data)))
        return
    except ValueError:
        pass
    try:
        x509.load_der_x509_crl(data)
    except ValueError:
        pass
    else:
        _show_crl(file, data)
        return
    if key_is_encrypted(file) or _plain_der_key(data):
        _show_key(file, passphrase_file)
        return
    raise InputError(_("{file}: not a key, certificate, request or CRL that pakta can read").format(file=file))


def _plain_der_key(data: bytes) -> bool:
    try:
        serialization.load_der_private_key(data, None)
    except (ValueError, TypeError):
        return False
    except Exception:
        return True  # a key, but not one cryptography supports: the loader says which
    return True


def register(app: typer.Typer) -> None:
    """Add `pakta keys ...` to the pakta app."""
    app.add_typer(keys_app)
