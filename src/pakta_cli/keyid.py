"""The key id: how pakta names a public key everywhere (definitions, stamps, verdicts, `keys show`).

16 lowercase hex digits of the SHA-256 of the raw 32-byte Ed25519 public key: short enough to
read aloud and to pin in a definition (`key_id:`), long enough that nobody can make a key to match.
"""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def certificate_key_id(certificate: x509.Certificate) -> str | None:
    """The key id of a certificate's key, or None when it is not an Ed25519 key."""
    public_key = certificate.public_key()
    return key_id(public_key) if isinstance(public_key, Ed25519PublicKey) else None
