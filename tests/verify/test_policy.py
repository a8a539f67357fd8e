"""`pakta_cli.verify.policy`: what a Policy remembers stays true for the certificate asked about."""

from __future__ import annotations

import gc
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

from pakta_cli.certificates import load_certificate
from pakta_cli.verify.policy import MEMO_SIZE, Policy
from tests.conftest import make_ca, make_identity


def test_a_certificate_gone_never_lends_its_answers_to_a_new_one(tmp_path: Path) -> None:
    """A run meets each signer's certificate as a new object: one that took the memory address of an
    earlier, collected one must not get that one's bytes, trust root or revocation."""
    ca = make_ca(tmp_path / "ca")
    policy = Policy((ca.cert,), ())
    paths = [make_identity(tmp_path / "keys", f"Pejabat {i}", ca=ca, passphrase=None)[1] for i in range(12)]
    for _ in range(3):
        for path in paths:
            certificate = load_certificate(path)
            assert policy.der(certificate) == certificate.public_bytes(Encoding.DER)
            assert policy.anchor(policy.der(certificate), certificate) is ca.cert
            del certificate
            gc.collect()
    assert policy.der(ca.cert) == ca.cert.public_bytes(Encoding.DER)


def test_the_memory_of_a_policy_is_bounded(tmp_path: Path) -> None:
    ca = make_ca(tmp_path / "ca")
    policy = Policy((ca.cert,), ())
    certificate = load_certificate(make_identity(tmp_path / "keys", "Pejabat", ca=ca, passphrase=None)[1])
    for index in range(MEMO_SIZE + 10):
        policy.anchor(b"%d" % index, certificate)
    assert len(policy._memo["anchor"]) == MEMO_SIZE
