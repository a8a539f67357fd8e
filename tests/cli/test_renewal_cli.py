"""Renewing an official's certificate: `pakta keys csr` for the key they have, `pakta ca issue` from
that request, or a new key certified the same way; the pacts signed before stay valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from pakta_cli.certificates import identity_of, load_certificate
from tests.conftest import AYU, listing, one_error, rendered_pact, run_cli

INSTITUTION = "Komisi Pemilihan Umum Provinsi Bali"


@pytest.fixture
def office(tmp_path: Path, keys_env: dict[str, str]) -> Path:
    """A CA, and Ayu's key with the certificate the CA issued her (her self-signed one replaced)."""
    assert run_cli("ca", "init", "-o", tmp_path / "kpu", "--institution", INSTITUTION)[0] == 0
    code, _, err = run_cli("keys", "generate", "-o", tmp_path / "ayu", "--name", AYU["name"], "--nip", AYU["nip"],
                           "--position", "Sekretaris", "--institution", INSTITUTION)
    assert code == 0, err
    code, _, err = run_cli("ca", "issue", "--ca", tmp_path / "kpu", tmp_path / "ayu.crt", "-o", tmp_path / "ayu.crt",
                           "--force")
    assert code == 0, err
    return tmp_path


def test_a_ca_issued_certificate_is_renewed_from_a_request_for_the_same_key(office: Path) -> None:
    old = load_certificate(office / "ayu.crt")
    pdf = rendered_pact(office / "pacts", [AYU])
    assert run_cli("sign", pdf, "--key", office / "ayu.key", "--chain", office / "kpu.crt", "--in-place")[0] == 0
    # the CA-issued certificate proves nothing about the key any more: the CA says what to do instead
    code, _, err = run_cli("ca", "issue", "--ca", office / "kpu", office / "ayu.crt", "-o", office / "new.crt")
    one_error(code, err, "not signed by its own key, so it does not prove the official holds the key")
    assert "`pakta keys csr`" in err
    code, out, err = run_cli("keys", "csr", "--key", office / "ayu.key")
    assert code == 0, err
    assert f"wrote {office / 'ayu.csr'}: a request for {AYU['name']} (NIP 19860926 201505 1 001), key id" in err
    assert f"pakta ca issue --ca CA {office / 'ayu.csr'} -o {office / 'ayu.crt'} --force" in out
    code, _, err = run_cli("ca", "issue", "--ca", office / "kpu", office / "ayu.csr", "-o", office / "ayu.crt",
                           "--force")
    assert code == 0, err
    new = load_certificate(office / "ayu.crt")
    assert new.serial_number != old.serial_number and new.public_key() == old.public_key()
    assert identity_of(new) == identity_of(old)
    # the old signature stays valid; the renewed certificate signs the next pact
    code, out, err = run_cli("verify", pdf, "--trust", office / "kpu.crt", "--crl", office / "kpu.crl")
    assert code == 0, out + err
    again = rendered_pact(office / "more", [AYU])
    assert run_cli("sign", again, "--key", office / "ayu.key", "--chain", office / "kpu.crt", "--in-place")[0] == 0
    code, out, err = run_cli("verify", again, "--trust", office / "kpu.crt", "--crl", office / "kpu.crl")
    assert code == 0, out + err


def test_a_request_may_change_the_identity_and_shows_no_whole_nik(office: Path) -> None:
    code, _, err = run_cli("keys", "csr", "--key", office / "ayu.key", "-o", office / "promoted.csr",
                           "--position", "Kepala Bagian")
    assert code == 0, err
    code, _, err = run_cli("ca", "issue", "--ca", office / "kpu", office / "promoted.csr", "-o", office / "p.crt")
    assert code == 0, err
    assert identity_of(load_certificate(office / "p.crt")).position == "Kepala Bagian"
    # a NIK replaces the NIP (and is shown masked everywhere)
    code, _, err = run_cli("keys", "csr", "--key", office / "ayu.key", "-o", office / "nik.csr",
                           "--nik", "5171044509860003")
    assert code == 0, err
    code, out, _ = run_cli("keys", "show", office / "nik.csr")
    assert "NIK:         5171********0003" in out and "5171044509860003" not in out + err
    assert "NIP" not in out


def test_a_request_refuses_what_it_cannot_stand_for(office: Path) -> None:
    before = listing(office)
    code, _, err = run_cli("keys", "csr", "--key", office / "ayu.key", "--cert", office / "kpu.crt")
    one_error(code, err, "do not belong together")
    code, _, err = run_cli("keys", "csr", "--key", office / "ayu.key", "--cert", office / "none.crt")
    one_error(code, err, "none.crt: certificate not found")
    (office / "ayu.crt").rename(office / "elsewhere.crt")
    code, _, err = run_cli("keys", "csr", "--key", office / "ayu.key")
    one_error(code, err, "ayu.crt: certificate not found, so there is no identity to ask for")
    assert "--name" in err
    (office / "elsewhere.crt").rename(office / "ayu.crt")
    assert listing(office) == before
    assert run_cli("keys", "csr", "--key", office / "ayu.key")[0] == 0
    code, _, err = run_cli("keys", "csr", "--key", office / "ayu.key")
    one_error(code, err, "ayu.csr: already exists")


def test_a_new_key_is_certified_like_the_first(office: Path) -> None:
    code, _, err = run_cli("keys", "generate", "-o", office / "ayu-2027", "--name", AYU["name"], "--nip", AYU["nip"],
                           "--institution", INSTITUTION)
    assert code == 0, err
    code, _, err = run_cli("ca", "issue", "--ca", office / "kpu", office / "ayu-2027.crt", "-o",
                           office / "ayu-2027.crt", "--force")
    assert code == 0, err
    pdf = rendered_pact(office / "pacts", [AYU])
    code, _, err = run_cli("sign", pdf, "--key", office / "ayu-2027.key", "--chain", office / "kpu.crt",
                           "--in-place")
    assert code == 0, err
    code, out, err = run_cli("verify", pdf, "--trust", office / "kpu.crt", "--crl", office / "kpu.crl")
    assert code == 0, out + err
