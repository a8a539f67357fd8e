"""An official's private key file: Ed25519 in encrypted PKCS#8, and writing a new key with its certificate.

Private keys are Ed25519 in PKCS#8, encrypted with a passphrase (PBES2: PBKDF2-HMAC-SHA256 with
600,000 iterations, AES-256-CBC). We build the EncryptedPrivateKeyInfo ourselves because
cryptography's `BestAvailableEncryption` uses 2,048 PBKDF2 iterations, which a stolen key file
would not survive for long; OpenSSL and cryptography read the result as any encrypted PKCS#8. Key
files are written with mode 0600 and never over an existing file unless asked. What a certificate
says and when it may sign lives in `certificates.py`. Every failure is a `KeyFileError` with one
line a person can act on ("wrong passphrase", "not an Ed25519 key", "does not belong to this
certificate").
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import algos as asn1_algos
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from cryptography import x509
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from pakta_cli.certificates import DEFAULT_DAYS, Identity, ed25519_public_key, self_signed_certificate
from pakta_cli.errors import InputError, KeyFileError
from pakta_cli.fsutil import read_file
from pakta_cli.i18n import N_, _
from pakta_cli.keyid import key_id

KDF_ITERATIONS = 600_000  # OWASP's 2023 figure for PBKDF2-HMAC-SHA256; about 0.1 s per load
MIN_PASSPHRASE = 8


# --- private keys -------------------------------------------------------------------------------


def generate_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def encode_private_key(key: Ed25519PrivateKey, passphrase: bytes | None, *,
                       iterations: int = KDF_ITERATIONS) -> bytes:
    """PEM PKCS#8; encrypted (PBES2, see the module docstring) unless `passphrase` is None."""
    plain = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    if passphrase is None:
        return bytes(asn1_pem.armor("PRIVATE KEY", plain))
    salt, iv = os.urandom(16), os.urandom(16)
    derived = PBKDF2HMAC(hashes.SHA256(), 32, salt, iterations).derive(passphrase)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(derived), modes.CBC(iv)).encryptor()
    encrypted = encryptor.update(padded) + encryptor.finalize()
    info = asn1_keys.EncryptedPrivateKeyInfo({
        "encryption_algorithm": {
            "algorithm": "pbes2",
            "parameters": {
                "key_derivation_func": {
                    "algorithm": "pbkdf2",
                    "parameters": {
                        "salt": asn1_algos.Pbkdf2Salt(name="specified", value=salt),
                        "iteration_count": iterations,
                        "prf": {"algorithm": "sha256"},
                    },
                },
                "encryption_scheme": {"algorithm": "aes256_cbc", "parameters": iv},
            },
        },
        "encrypted_data": encrypted,
    })
    return bytes(asn1_pem.armor("ENCRYPTED PRIVATE KEY", info.dump()))


def key_is_encrypted(path: Path) -> bool:
    """Whether loading this key file needs a passphrase (so a prompt is only shown when it does)."""
    data = read_file(path, N_("key"))
    if b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in data:
        return True
    if b"-----BEGIN" in data:
        return False
    try:  # DER: an EncryptedPrivateKeyInfo starts with an AlgorithmIdentifier, a PrivateKeyInfo with a version
        return isinstance(asn1_keys.EncryptedPrivateKeyInfo.load(data)["encryption_algorithm"].native, dict)
    except Exception:
        return False


def _describe_key(key: object) -> str:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, rsa

    if isinstance(key, rsa.RSAPrivateKey):
        return f"an RSA {key.key_size}-bit key"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return f"an elliptic-curve key ({key.curve.name})"
    if isinstance(key, ed448.Ed448PrivateKey):
        return "an Ed448 key"
    if isinstance(key, dsa.DSAPrivateKey):
        return "a DSA key"
    return f"a {type(key).__name__}"


def load_private_key(path: Path, passphrase: bytes | None) -> Ed25519PrivateKey:
    """Load an Ed25519 key (PEM or DER PKCS#8); a passphrase given for a plain key is ignored."""
    data = read_file(path, N_("key"))
    if b"-----BEGIN CERTIFICATE-----" in data and b"PRIVATE KEY-----" not in data:
        raise KeyFileError(_("{path}: is a certificate, not a private key").format(path=path),
                           hint=_("the key is the .key file"), about="key_file")
    if b"-----BEGIN PUBLIC KEY-----" in data:
        raise KeyFileError(_("{path}: is a public key, not a private key").format(path=path),
                           hint=_("the key is the .key file"), about="key_file")
    loader = serialization.load_pem_private_key if b"-----BEGIN" in data else serialization.load_der_private_key
    encrypted = key_is_encrypted(path)
    try:
        key = loader(data, passphrase if encrypted else None)
    except TypeError:
        raise KeyFileError(
            _("{path}: the key is encrypted and needs a passphrase").format(path=path),
            hint=_("give the passphrase"), about="passphrase",
        ) from None
    except ValueError as exc:
        if "MalformedFraming" in str(exc):  # the PEM armour itself is broken: no passphrase would help
            raise KeyFileError(_("{path}: damaged key file (its PEM text is cut or altered)").format(path=path),
                               hint=_("use an intact copy of the key file")) from None
        if encrypted:
            raise KeyFileError(_("{path}: wrong passphrase for this key").format(path=path)) from None
        raise KeyFileError(_("{path}: not a private key file ({exc})").format(path=path, exc=exc)) from None
    except Exception as exc:  # cryptography's UnsupportedAlgorithm and friends
        raise KeyFileError(_("{path}: not a usable private key ({exc})").format(path=path, exc=exc)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(_("{path}: not an Ed25519 key (it is {key})").format(path=path, key=_describe_key(key)),
                           hint=_("pakta signs with Ed25519 keys made by `pakta keys generate`"))
    return key


def check_pair(key: Ed25519PrivateKey, cert: x509.Certificate, key_path: Path | str, cert_path: Path | str) -> None:
    """The key and the certificate must hold the same public key."""
    public_key = ed25519_public_key(cert, cert_path)
    if public_key != key.public_key():
        raise KeyFileError(
            _("{key_path} and {cert_path} do not belong together (key id {key_id}, "
              "certificate's key id {cert_key_id})").format(
                key_path=key_path, cert_path=cert_path, key_id=key_id(key.public_key()),
                cert_key_id=key_id(public_key)),
            hint=_("use the certificate made for this key"), about="cert_for_key",
        )


# --- writing a new identity -----------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPaths:
    key: Path
    cert: Path

    @classmethod
    def for_prefix(cls, prefix: Path) -> KeyPaths:
        """`me` and `me.key` both name the pair `me.key` + `me.crt`."""
        base = prefix.with_suffix("") if prefix.suffix in (".key", ".crt") else prefix
        return cls(base.with_name(base.name + ".key"), base.with_name(base.name + ".crt"))


def refuse_folder_prefix(prefix: Path) -> None:
    """`-o keys/` means "put them in keys/", not "write keys.key beside it": ask for a name."""
    if prefix.is_dir():
        raise InputError(_("{prefix}: is a folder; the output is named by a prefix, the start of the file "
                           "names").format(prefix=prefix),
                         hint=_("the prefix {prefix} writes {key} and {cert}").format(
                                  prefix=prefix / "NAME", key=prefix / "NAME.key", cert=prefix / "NAME.crt"),
                         about="folder_prefix", prefix=prefix / "NAME", key=prefix / "NAME.key",
                         cert=prefix / "NAME.crt", folder=prefix)


def write_files(files: Sequence[tuple[Path, bytes, int | None]], *, force: bool) -> None:
    """Write several files as one step: all targets are checked first, and a failure removes the
    ones already written, so a key never exists without its certificate."""
    from pakta_cli.fsutil import atomic_write, check_writable

    for path, _data, _mode in files:
        check_writable(path, force=force)
    written: list[Path] = []
    try:
        for path, data, mode in files:
            atomic_write(path, data, force=force, mode=mode)
            written.append(path)
    except BaseException:
        if not force:
            for path in written:
                path.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class NewIdentity:
    paths: KeyPaths
    key_id: str
    certificate: x509.Certificate
    encrypted: bool


def generate_identity(prefix: Path, identity: Identity, passphrase: bytes | None, *, days: int = DEFAULT_DAYS,
                      force: bool = False) -> NewIdentity:
    """Write PREFIX.key (mode 0600) and a self-signed PREFIX.crt for a new Ed25519 key."""
    if days < 1:
        raise InputError(_("a certificate is valid for at least one day"), about="days")
    if passphrase is not None and len(passphrase) < MIN_PASSPHRASE:
        raise KeyFileError(_("the passphrase must have at least {count} characters").format(
                               count=MIN_PASSPHRASE),
                           hint=_("a sentence you remember is better than a short word"))
    paths = KeyPaths.for_prefix(prefix)
    refuse_folder_prefix(prefix)
    key = generate_key()
    cert = self_signed_certificate(key, identity, days=days)
    write_files([
        (paths.key, encode_private_key(key, passphrase), 0o600),
        (paths.cert, cert.public_bytes(serialization.Encoding.PEM), 0o644),
    ], force=force)
    return NewIdentity(paths, key_id(key.public_key()), cert, passphrase is not None)
