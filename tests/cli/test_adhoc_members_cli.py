"""Ad hoc members (PPS, KPPS) have a NIK and no NIP: their own key carries the NIK, so each signs
their own roster pact without `--party`, and the NIK, personal data, is never printed whole.

Also what follows a roster batch through signing: `sign --out-dir` takes the batch's
manifest.json along, so the auditor checks the signed folder against it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cryptography.x509.oid import NameOID

from pakta_cli.certificates import load_certificate
from tests.conftest import AYU, WITNESS, listing, make_identity, one_error, rendered_pact, run_cli, sha256

EXAMPLES = Path(__file__).parents[2] / "examples"
ARFAH = ("Andi Muhammad Arfah", "7322122109951991")
SITTI = ("Hj. Sitti Nurhayati", "7322125112680509")
ROSTER = f"name,nik,position\n{ARFAH[0]},{ARFAH[1]},Ketua PPS\n{SITTI[0]},{SITTI[1]},Anggota PPS\n"


def masked(nik: str) -> str:
    return nik[:4] + "********" + nik[-4:]


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """Two members' pacts rendered from the ad hoc example, as `pakta render --roster` leaves them."""
    for name in ("adhoc-pps-2024.yaml", "logo-kpu.png"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    (tmp_path / "people.csv").write_text(ROSTER, encoding="utf-8")
    code, _, err = run_cli("render", tmp_path / "adhoc-pps-2024.yaml", "--roster", tmp_path / "people.csv",
                           "-o", tmp_path / "pps")
    assert code == 0, err
    return tmp_path / "pps"


def member_key(folder: Path, person: tuple[str, str]) -> Path:
    code, out, err = run_cli("keys", "generate", "-o", folder / "arfah", "--name", person[0], "--nik", person[1])
    assert code == 0, err
    assert person[1] not in out + err and masked(person[1]) in err
    return folder / "arfah.key"


def pact_of(batch: Path, person: tuple[str, str]) -> Path:
    manifest = json.loads((batch / "manifest.json").read_text(encoding="utf-8"))
    return batch / next(p["file"] for p in manifest["pacts"] if p["name"] == person[0])


def test_keys_generate_nik_puts_it_in_the_certificate_and_shows_it_masked(tmp_path: Path,
                                                                         keys_env: dict[str, str]) -> None:
    key = member_key(tmp_path, ARFAH)
    certificate = load_certificate(key.with_suffix(".crt"))
    assert certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == f"PNOID-{ARFAH[1]}"
    code, out, _ = run_cli("keys", "show", key.with_suffix(".crt"))
    assert code == 0 and f"NIK:         {masked(ARFAH[1])}\n" in out and ARFAH[1] not in out


@pytest.mark.parametrize(("extra", "message"), [
    (("--nik", "7322129909951991"), "NIK 7322129909951991: digits 7-12 must be a birth date DDMMYY"),
    (("--nik", "73221221099519"), "NIK must have 16 digits"),
    (("--nik", ARFAH[1], "--nip", AYU["nip"]), "a certificate carries a NIP or a NIK, not both"),
])
def test_a_wrong_nik_is_refused_and_nothing_is_written(tmp_path: Path, keys_env: dict[str, str],
                                                       extra: tuple[str, ...], message: str) -> None:
    code, _, err = run_cli("keys", "generate", "-o", tmp_path / "k", "--name", ARFAH[0], *extra)
    one_error(code, err, message)
    assert listing(tmp_path) == []


def test_a_member_signs_their_own_roster_pact_by_nik(tmp_path: Path, batch: Path, keys_env: dict[str, str]) -> None:
    key = member_key(tmp_path, ARFAH)
    mine = pact_of(batch, ARFAH)
    code, _, err = run_cli("sign", mine, "--key", key, "--in-place")
    assert code == 0, err
    assert f"as pakta-signer-1 ({ARFAH[0]}, matched by NIK)" in err
    code, out, err = run_cli("verify", mine, "--trust", key.with_suffix(".crt"), "--json")
    assert code == 0, err
    (document,) = json.loads(out)["documents"]
    assert document["status"] == "VALID" and document["signatures"][0]["match"] == "nik"
    # someone else's pact: refused, with the member's NIK masked and no --party hint (the name is not theirs)
    theirs = pact_of(batch, SITTI)
    before = sha256(theirs)
    code, _, err = run_cli("sign", theirs, "--key", key, "--in-place")
    one_error(code, err, "this signer (key id ")
    assert f"NIK {masked(ARFAH[1])}" in err and ARFAH[1] not in err and SITTI[1] not in err
    assert "--party" not in err and sha256(theirs) == before


def test_the_party_hint_is_only_for_the_person_the_party_names(tmp_path: Path, keys_env: dict[str, str]) -> None:
    pdf = rendered_pact(tmp_path / "p", [AYU, WITNESS])
    stranger = make_identity(tmp_path / "k", "Ni Made Ayu Kusumawati")
    code, _, err = run_cli("sign", pdf, "--key", stranger[0], "-o", tmp_path / "x.pdf")
    one_error(code, err, "is none of the parties this pact expects")
    assert "--party" not in err and "hint: sign with the key of a party of this pact" in err


def test_sign_out_dir_takes_the_batch_manifest_along(tmp_path: Path, batch: Path, keys_env: dict[str, str]) -> None:
    key = member_key(tmp_path, ARFAH)
    signed = tmp_path / "signed"
    code, _, err = run_cli("sign", pact_of(batch, ARFAH), "--key", key, "--out-dir", signed)
    assert code == 0, err
    assert (signed / "manifest.json").read_bytes() == (batch / "manifest.json").read_bytes()
    assert f"copied {batch / 'manifest.json'} to {signed / 'manifest.json'}" in " ".join(err.split())
    code, _, err = run_cli("verify", signed, "--trust", key.with_suffix(".crt"), "--manifest",
                             signed / "manifest.json")
    assert code == 1  # one of the two is missing from the signed folder
    assert "1/2" in err and pact_of(batch, SITTI).name in err


def test_sign_out_dir_never_replaces_another_manifest(tmp_path: Path, batch: Path, keys_env: dict[str, str]) -> None:
    key = member_key(tmp_path, ARFAH)
    signed = tmp_path / "signed"
    signed.mkdir()
    (signed / "manifest.json").write_text('{"pakta_batch": 1, "pacts": []}\n', encoding="utf-8")
    before = sha256(signed / "manifest.json")
    code, _, err = run_cli("sign", pact_of(batch, ARFAH), "--key", key, "--out-dir", signed)
    assert code == 0, err
    assert sha256(signed / "manifest.json") == before
    assert f"note: {signed / 'manifest.json'} differs from {batch / 'manifest.json'} and was left as it is" \
        in " ".join(err.split())


def test_pacts_from_elsewhere_bring_no_manifest(tmp_path: Path, batch: Path, keys_env: dict[str, str]) -> None:
    key = member_key(tmp_path, ARFAH)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(pact_of(batch, ARFAH), elsewhere)
    code, _, err = run_cli("sign", elsewhere / pact_of(batch, ARFAH).name, "--key", key, "--out-dir",
                           tmp_path / "signed")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "signed").iterdir()) == [pact_of(batch, ARFAH).name]
    assert "manifest" not in err

