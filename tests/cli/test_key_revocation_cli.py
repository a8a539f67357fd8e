"""Revoking a key, not only a certificate, run as a CA officer and an auditor run pakta.

One key can sit in several certificates: the official's self-signed one (made before the institution
had a CA, and handed to auditors), the CA's, a second CA certificate for the same key. When the CA
revokes a certificate for something wrong with the key (compromise, a hold, no reason given), every
certificate of that key fails; a reason about the certificate only (superseded, affiliation changed,
cessation of operation) leaves the key's other certificates valid.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pakta_cli.ca import load_ca
from pakta_cli.certificates import load_certificate
from pakta_cli.keyid import certificate_key_id
from pakta_cli.keys import load_private_key
from pakta_cli.trust import revoked_key_extension
from tests.conftest import AYU, MADE, listing, one_error, rendered_pact, run_cli

INSTITUTION = "KPU Provinsi Bali"


def flat(text: str) -> str:
    return " ".join(text.split())


def ok(*args: str | Path) -> tuple[str, str]:
    code, out, err = run_cli(*args)
    assert code == 0, out + err
    return out, err


@dataclass(frozen=True)
class Officials:
    folder: Path
    pact: Path  # rendered, unsigned: Ayu signs, Made is her superior
    self_signed: Path  # signed by Ayu with her self-signed certificate, then by Made

    def __getitem__(self, name: str) -> Path:
        return self.folder / name


def sign(pdf: Path, key: Path, out: Path, *extra: str | Path) -> Path:
    ok("sign", pdf, "--key", key, "-o", out, *extra)
    return out


@pytest.fixture(scope="module")
def officials(tmp_path_factory: pytest.TempPathFactory) -> Officials:
    folder = tmp_path_factory.mktemp("officials")
    for prefix, person in (("ayu", AYU), ("made", MADE)):
        ok("keys", "generate", "-o", folder / prefix, "--name", person["name"], "--nip", person["nip"],
           "--position", person["position"], "--institution", INSTITUTION, "--no-passphrase")
    pact = rendered_pact(folder)
    half = sign(pact, folder / "ayu.key", folder / "half.pdf")
    return Officials(folder, pact, sign(half, folder / "made.key", folder / "self-signed.pdf"))


def make_ca(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    ok("ca", "init", "-o", folder / "kpu", "--institution", INSTITUTION, "--no-passphrase")
    return folder / "kpu"


def verify(pdf: Path, *trust: Path, crl: Path | None = None, json_output: bool = False) -> tuple[int, str]:
    """`pakta verify` as an auditor runs it: the exit code and stdout (the JSON alone with --json)."""
    args: list[str | Path] = ["verify", pdf]
    for cert in trust:
        args += ["--trust", cert]
    if crl is not None:
        args += ["--crl", crl]
    if json_output:
        args.append("--json")
    code, out, _ = run_cli(*args)
    return code, out


def signature_check(report: str, field: str, name: str) -> dict[str, Any]:
    """One check of one signature, from `verify --json` of one document."""
    signature = next(s for s in json.loads(report)["documents"][0]["signatures"] if s["field"] == field)
    check: dict[str, Any] = next(c for c in signature["checks"] if c["name"] == name)
    return check


def test_a_key_revoked_for_compromise_fails_in_the_officials_self_signed_certificate(
        officials: Officials, tmp_path: Path) -> None:
    """The adversary's TRUST-1: the CA revokes Ayu's certificate for key compromise; the leaked key
    then signs with her older self-signed certificate, which the auditor also trusts."""
    kpu = make_ca(tmp_path)
    ok("ca", "issue", "--ca", kpu, officials["ayu.crt"], "-o", tmp_path / "ayu-kpu.crt")
    trust = (kpu.with_suffix(".crt"), officials["ayu.crt"], officials["made.crt"])
    code, report = verify(officials.self_signed, *trust, crl=kpu.with_suffix(".crl"), json_output=True)
    assert code == 0, report  # before the revocation: the auditor's own trust, and the CA's CRL says nothing
    check = signature_check(report, "pakta-signer-1", "not_revoked")
    assert check["ok"] and "its key is revoked by none of the 1 CRLs given" in json.dumps(check)

    _, err = ok("ca", "revoke", "--ca", kpu, tmp_path / "ayu-kpu.crt", "--reason", "key-compromise")
    key = certificate_key_id(load_certificate(officials["ayu.crt"]))
    assert f"every certificate of key id {key} fails verification" in flat(err)
    code, report = verify(officials.self_signed, *trust, crl=kpu.with_suffix(".crl"))
    assert code == 1 and report.startswith("FAIL\t")
    text = flat(report)
    serial = f"{load_certificate(tmp_path / 'ayu-kpu.crt').serial_number:x}"
    assert (f"key {key} of {AYU['name']} was revoked by CA {INSTITUTION} (pakta CA) on " in text
            and f"reason: key-compromise (certificate serial {serial}); every certificate of this key is revoked"
            in text)
    code, report = verify(officials.self_signed, *trust, crl=kpu.with_suffix(".crl"), json_output=True)
    check = signature_check(report, "pakta-signer-1", "not_revoked")
    assert not check["ok"] and check["messages"][0]["key"] == "key_revoked"
    assert check["messages"][0]["id"].startswith(f"kunci {key} milik {AYU['name']} dicabut oleh CA {INSTITUTION}")
    # Made's signature, whose key nobody revoked, is unaffected
    assert signature_check(report, "pakta-superior-1", "not_revoked")["ok"]


@pytest.mark.parametrize(("reason", "whole_key"), [
    ("key-compromise", True),
    (None, True),  # no reason says nothing is right with the key (RFC 5280: unspecified)
    ("certificate-hold", True),
    ("superseded", False),
    ("affiliation-changed", False),
    ("cessation-of-operation", False),
])
def test_the_reason_decides_whether_the_key_or_the_certificate_is_revoked(
        officials: Officials, tmp_path: Path, reason: str | None, whole_key: bool) -> None:
    kpu = make_ca(tmp_path)
    ok("ca", "issue", "--ca", kpu, officials["ayu.crt"], "-o", tmp_path / "ayu-kpu.crt")
    _, err = ok("ca", "revoke", "--ca", kpu, tmp_path / "ayu-kpu.crt", *(("--reason", reason) if reason else ()))
    key = certificate_key_id(load_certificate(officials["ayu.crt"]))
    scope = "every certificate of this key" if whole_key else "this certificate only"
    assert (f"every certificate of key id {key} fails verification" in flat(err)) is whole_key
    assert (f"only this certificate is revoked: a reason about the certificate leaves key id {key} usable"
            in flat(err)) is not whole_key
    out, _ = ok("keys", "show", kpu.with_suffix(".crl"))
    assert f"key id {key}: {scope}" in out

    code, report = verify(officials.self_signed, kpu.with_suffix(".crt"), officials["ayu.crt"],
                          officials["made.crt"], crl=kpu.with_suffix(".crl"))
    assert (code, report.split("\t")[0]) == ((1, "FAIL") if whole_key else (0, "VALID")), report
    assert ("every certificate of this key is revoked" in flat(report)) is whole_key


def second_after_revoking_first(officials: Officials, folder: Path, reason: str) -> tuple[Path, int, str]:
    """A CA in `folder` certifies Ayu's key twice (first.crt, second.crt), she signs a pact with the
    second, the CA revokes the first for `reason`: the CA's prefix, and what verify says of the pact."""
    kpu = make_ca(folder)
    for name in ("first.crt", "second.crt"):
        ok("ca", "issue", "--ca", kpu, officials["ayu.crt"], "-o", folder / name)
    half = sign(officials.pact, officials["ayu.key"], folder / "half.pdf", "--cert", folder / "second.crt",
                "--chain", kpu.with_suffix(".crt"))
    pdf = sign(half, officials["made.key"], folder / "second.pdf")
    ok("ca", "revoke", "--ca", kpu, folder / "first.crt", "--reason", reason)
    return kpu, *verify(pdf, kpu.with_suffix(".crt"), officials["made.crt"], crl=kpu.with_suffix(".crl"))


def test_a_certificate_superseded_by_another_of_its_key_leaves_that_one_valid(
        officials: Officials, tmp_path: Path) -> None:
    _, code, report = second_after_revoking_first(officials, tmp_path, "superseded")
    assert code == 0 and report.startswith("VALID\t"), report


def test_a_key_compromised_in_one_ca_certificate_is_revoked_in_the_other(
        officials: Officials, tmp_path: Path) -> None:
    """...and the CA never certifies that key again."""
    kpu, code, report = second_after_revoking_first(officials, tmp_path, "key-compromise")
    assert code == 1 and report.startswith("FAIL\t"), report
    first_serial = f"{load_certificate(tmp_path / 'first.crt').serial_number:x}"
    assert f"reason: key-compromise (certificate serial {first_serial}); every certificate of this key is revoked" \
        in flat(report)

    before = listing(tmp_path)
    code, _, err = run_cli("ca", "issue", "--ca", kpu, officials["ayu.crt"], "-o", tmp_path / "third.crt")
    key = certificate_key_id(load_certificate(officials["ayu.crt"]))
    one_error(code, err, f"key id {key} was revoked by this CA on ")
    assert "(key-compromise); it can never be certified again" in err
    assert "hint: the official makes a new key" in err
    assert listing(tmp_path) == before


def compromised_crl(path: Path, issuer: x509.Certificate, issuer_key: Ed25519PrivateKey, revoked: x509.Certificate,
                    *, name_the_key: bool) -> Path:
    """A CRL made by hand, not by `pakta ca revoke`: `issuer_key` revokes `revoked` for key compromise,
    naming its key in the entry or not (as pakta did before it recorded keys)."""
    now = dt.datetime.now(dt.UTC)
    entry = (x509.RevokedCertificateBuilder().serial_number(revoked.serial_number).revocation_date(now)
             .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False))
    public_key = revoked.public_key()
    if name_the_key and isinstance(public_key, Ed25519PublicKey):
        entry = entry.add_extension(revoked_key_extension(public_key), critical=False)
    crl = (x509.CertificateRevocationListBuilder().issuer_name(issuer.subject).last_update(now)
           .next_update(now + dt.timedelta(days=1)).add_revoked_certificate(entry.build()).sign(issuer_key, None))
    path.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    return path


def test_only_a_trusted_ca_revokes_a_key(officials: Officials, tmp_path: Path) -> None:
    """An official's own certificate given to --trust is no CA: a CRL its key signed, naming another
    official's key, revokes nothing (a CA's is needed to speak for keys)."""
    crl = compromised_crl(tmp_path / "made.crl", load_certificate(officials["made.crt"]),
                          load_private_key(officials["made.key"], None), load_certificate(officials["ayu.crt"]),
                          name_the_key=True)
    code, report = verify(officials.self_signed, officials["ayu.crt"], officials["made.crt"], crl=crl)
    assert code == 0 and report.startswith("VALID\t"), report


def test_a_certificate_revoked_for_itself_is_revoked_again_for_its_key(officials: Officials, tmp_path: Path) -> None:
    """The CA first revokes a certificate as superseded, then learns the key leaked."""
    kpu = make_ca(tmp_path)
    ok("ca", "issue", "--ca", kpu, officials["ayu.crt"], "-o", tmp_path / "ayu-kpu.crt")
    ok("ca", "revoke", "--ca", kpu, tmp_path / "ayu-kpu.crt", "--reason", "superseded")
    trust = (kpu.with_suffix(".crt"), officials["ayu.crt"], officials["made.crt"])
    assert verify(officials.self_signed, *trust, crl=kpu.with_suffix(".crl"))[0] == 0
    code, _, err = run_cli("ca", "revoke", "--ca", kpu, tmp_path / "ayu-kpu.crt", "--reason", "affiliation-changed")
    one_error(code, err, "already revoked on")

    _, err = ok("ca", "revoke", "--ca", kpu, tmp_path / "ayu-kpu.crt", "--reason", "key-compromise")
    assert "now lists 1 certificate" in flat(err)  # the entry replaced, not a second one added
    code, report = verify(officials.self_signed, *trust, crl=kpu.with_suffix(".crl"))
    assert code == 1 and "reason: key-compromise" in flat(report), report
    code, _, err = run_cli("ca", "revoke", "--ca", kpu, tmp_path / "ayu-kpu.crt", "--reason", "key-compromise")
    one_error(code, err, "already revoked on")


def test_a_crl_from_before_keys_were_recorded_is_brought_up_to_date_by_revoking_again(
        officials: Officials, tmp_path: Path) -> None:
    """An earlier pakta revoked by serial only: its entry names no key, so the self-signed certificate
    of a compromised key still verifies, until the CA revokes the certificate again."""
    kpu = make_ca(tmp_path)
    ok("ca", "issue", "--ca", kpu, officials["ayu.crt"], "-o", tmp_path / "ayu-kpu.crt")
    ca = load_ca(kpu, None)
    compromised_crl(kpu.with_suffix(".crl"), ca.cert, ca.key, load_certificate(tmp_path / "ayu-kpu.crt"),
                    name_the_key=False)
    trust = (kpu.with_suffix(".crt"), officials["ayu.crt"], officials["made.crt"])
    assert verify(officials.self_signed, *trust, crl=kpu.with_suffix(".crl"))[0] == 0

    ok("ca", "revoke", "--ca", kpu, tmp_path / "ayu-kpu.crt", "--reason", "key-compromise")
    code, report = verify(officials.self_signed, *trust, crl=kpu.with_suffix(".crl"))
    assert code == 1 and "every certificate of this key is revoked" in flat(report), report
