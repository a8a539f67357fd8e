"""Ad hoc members (PPS, KPPS) have a NIK and no NIP: their own key carries the NIK, so each signs
their own roster pact without `--party`, and the NIK, personal data, is never printed whole.
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

