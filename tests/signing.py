"""Signing a rendered pact by every party with keys made for the moment: for tests and for the
pictures in docs/ (`docs/make_images.py`). No key is written anywhere; each lives as long as the call."""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives import serialization

from pakta_cli.certificates import Identity, self_signed_certificate
from pakta_cli.definition.model import Pact
from pakta_cli.keys import generate_key
from pakta_cli.sign import Credentials, SignOptions, sign_pdf
from pakta_cli.zones import parse_zone

SIGNED_AT = dt.datetime(2026, 1, 8, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7), "WIB"))


def signed_by_everyone(pact: Pact, pdf: bytes, when: dt.datetime = SIGNED_AT) -> tuple[bytes, list[bytes]]:
    """`pdf` signed by each party in turn, each with a self-signed key in the party's name; returns the
    signed file and the certificates (DER) to trust."""
    certificates = []
    for party in pact.parties:
        key = generate_key()
        cert = self_signed_certificate(key, Identity(party.name, party.nip, party.position, pact.institution.name),
                                       now=when.astimezone(dt.UTC) - dt.timedelta(days=1))
        raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
        der = cert.public_bytes(serialization.Encoding.DER)
        certificates.append(der)
        pdf = sign_pdf(pdf, Credentials(raw, der), SignOptions(party=party.field_name, zone=parse_zone("WIB"),
                                                               when=when)).pdf
    return pdf, certificates
