"""The jabatan a stamp prints is the certificate's title: it must name the office the pact gives the
party. Run as officials, a CA and an auditor run pakta.

A title may add or leave out words that only say where the party serves, as the pact names it
("Ketua" in the Komisi Pemilihan Umum Provinsi Bali is "Ketua KPU Provinsi Bali"); any other word
makes it another office. `pakta sign` refuses such a certificate, and `pakta verify` fails a pact
signed with one (by an older pakta, or by hand).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import pakta_cli.sign
from tests.conftest import AYU, MADE, rendered_pact, run_cli

# (pact position, area, certificate title, signs): one party of one pact each
CASES = [
    ("Ketua", None, "Ketua KPU Provinsi Bali", True),
    ("Ketua", None, "Ketua Komisi Pemilihan Umum Provinsi Bali", True),
    ("Sekretaris", None, "Sekretaris pada KPU Prov. Bali", True),
    ("Ketua KPPS", "TPS 001, Desa Dauh Puri", "Ketua KPPS TPS 1 Desa Dauh Puri", True),
    ("Anggota", None, None, True),  # no title: the stamp prints no jabatan
    ("Sekretaris KPU Provinsi Bali selaku Kuasa Pengguna Anggaran", None, "Sekretaris", True),
    ("Ketua Bawaslu Provinsi Bali", None, "Ketua Bawaslu Prov. Bali", True),
    ("Anggota", None, "Anggota selaku Ketua", False),
    ("Sekretaris", None, "Ketua KPU Provinsi Bali", False),
    ("Ketua", None, "Ketua Divisi Hukum", False),
    ("Ketua Divisi Hukum", None, "Ketua", False),
    ("Plt. Ketua", None, "Ketua", False),
    ("Ketua", None, "Ketua KPU RI", False),
    ("Ketua", None, "Ketua Bawaslu Provinsi Bali", False),
]
NIPS = [f"1980010{1 + n // 9}20100{1 + n % 9}1{n:03d}" for n in range(len(CASES))]


def ok(*args: str | Path) -> tuple[str, str]:
    code, out, err = run_cli(*args)
    assert code == 0, out + err
    return out, err


def ok_sign(pdf: Path, key: Path, out: Path, *extra: str | Path) -> Path:
    ok("sign", pdf, "--key", key, "-o", out, *extra)
    return out


def flat(text: str) -> str:
    return " ".join(text.split())


def party_check(report: str, field: str) -> dict[str, Any]:
    """The `party` check of one signature, from `verify --json` of one document."""
    signature = next(s for s in json.loads(report)["documents"][0]["signatures"] if s["field"] == field)
    check: dict[str, Any] = next(c for c in signature["checks"] if c["name"] == "party")
    return check


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pact whose witnesses hold the positions of CASES (a signer is required, so Ayu is one)."""
    witnesses = [{"role": "witness", "name": f"Saksi {n}", "nip": nip,
                  **({"position": position} if position else {}), **({"area": area} if area else {})}
                 for n, ((position, area, _, _), nip) in enumerate(zip(CASES, NIPS, strict=True))]
    # witnesses sign in any order: the title is what each test asks about, not the turn
    return rendered_pact(tmp_path_factory.mktemp("positions"), [AYU, *witnesses], signing_order="any")


def generate(folder: Path, prefix: str, name: str, nip: str, title: str | None) -> Path:
    ok("keys", "generate", "-o", folder / prefix, "--name", name, "--nip", nip, "--institution", "KPU Provinsi Bali",
       "--no-passphrase", *(("--position", title) if title else ()))
    return folder / prefix


@pytest.mark.parametrize(("number", "case"), list(enumerate(CASES)), ids=[f"{c[0]} as {c[2]}" for c in CASES])
def test_the_title_must_name_the_partys_office(many: Path, tmp_path: Path, number: int,
                                                case: tuple[str, str | None, str | None, bool]) -> None:
    position, _, title, signs = case
    name = f"Saksi {number}"
    key = generate(tmp_path, "saksi", name, NIPS[number], title)
    code, _, err = run_cli("sign", many, "--key", key.with_suffix(".key"), "-o", tmp_path / "signed.pdf")
    if not signs:
        assert code == 2 and not (tmp_path / "signed.pdf").exists()
        assert (f"error: {many}: refusing to sign as pakta-witness-{number + 1}: the certificate's title ({title}) "
                f"is not {name}'s position in the pact ({position})") in err
        assert "hint: the stamp prints your certificate's title" in err
        return
    assert code == 0, err
    code, report, _ = run_cli("verify", tmp_path / "signed.pdf", "--trust", key.with_suffix(".crt"), "--json")
    check = party_check(report, f"pakta-witness-{number + 1}")
    assert check["ok"], check
    said = [m["en"] for m in check["messages"]]
    if title:
        assert said[1] == f"the certificate's title ({title}) fits the position in the pact ({position})"
    else:
        assert len(said) == 1  # nothing printed, nothing compared


def test_a_stamp_with_a_title_the_pact_does_not_state_says_so(tmp_path: Path) -> None:
    pdf = rendered_pact(tmp_path, [AYU, {"role": "witness", "name": "Saksi", "nip": NIPS[0]}], signing_order="any")
    key = generate(tmp_path, "saksi", "Saksi", NIPS[0], "Kepala Bagian Umum")
    ok("sign", pdf, "--key", key.with_suffix(".key"), "-o", tmp_path / "signed.pdf")
    _, report, _ = run_cli("verify", tmp_path / "signed.pdf", "--trust", key.with_suffix(".crt"), "--json")
    check = party_check(report, "pakta-witness-1")
    assert check["ok"] and check["messages"][1]["en"] == (
        "the pact states no position for Saksi; the stamp prints the certificate's title (Kepala Bagian Umum) "
        "with nothing to compare it to")


@pytest.fixture
def kpu(tmp_path: Path) -> Path:
    """A CA, Ayu (Sekretaris) and Made (Ketua), each certified by it; titles as their requests say."""
    ok("ca", "init", "-o", tmp_path / "kpu", "--institution", "KPU Provinsi Bali", "--no-passphrase")
    for prefix, person, title in (("ayu", AYU, "Ketua KPU Provinsi Bali"), ("made", MADE, "Ketua KPU Provinsi Bali")):
        generate(tmp_path, prefix, person["name"], person["nip"], title)
        ok("ca", "issue", "--ca", tmp_path / "kpu", tmp_path / f"{prefix}.crt", "-o", tmp_path / f"{prefix}.crt",
           "--force")
    return tmp_path / "kpu"


def test_a_sekretaris_with_a_ketua_certificate_fails_verification(
        kpu: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The adversary's TRUST-2: a careless CA certified the Sekretaris as "Ketua KPU Provinsi Bali";
    signed by a pakta that did not check, the pact's stamp would read Ketua under her name."""
    pact = rendered_pact(tmp_path)  # Ayu is the Sekretaris, Made the Ketua
    chain = ("--chain", kpu.with_suffix(".crt"))
    code, _, err = run_cli("sign", pact, "--key", tmp_path / "ayu.key", "-o", tmp_path / "half.pdf", *chain)
    assert code == 2 and "the certificate's title (Ketua KPU Provinsi Bali) is not" in err

    monkeypatch.setattr(pakta_cli.sign, "check_title", lambda *_: False)  # an older pakta
    ok("sign", pact, "--key", tmp_path / "ayu.key", "-o", tmp_path / "half.pdf", *chain)
    monkeypatch.undo()
    said = ("the certificate's title (Ketua KPU Provinsi Bali) is not Ni Luh Ayu Sukmawati's position in the pact "
            "(Sekretaris)")
    trust = ("--trust", kpu.with_suffix(".crt"), "--crl", kpu.with_suffix(".crl"))
    code, out, _ = run_cli("verify", tmp_path / "half.pdf", *trust)
    assert code == 1 and out.startswith("FAIL\t") and said in flat(out), out
    code, report, _ = run_cli("verify", tmp_path / "half.pdf", *trust, "--json")
    check = party_check(report, "pakta-signer-1")
    assert not check["ok"] and check["messages"][0]["key"] == "wrong_party"
    # her superior, the real Ketua, whose certificate says the same, is not asked to co-sign it
    code, _, err = run_cli("sign", tmp_path / "half.pdf", "--key", tmp_path / "made.key", "-o", tmp_path / "both.pdf")
    assert code == 2 and "refusing to sign: the certificate's title (Ketua KPU Provinsi Bali) is not Ni Luh" in err
    assert not (tmp_path / "both.pdf").exists()


def test_a_ca_title_longer_than_the_position_is_valid(kpu: Path, tmp_path: Path) -> None:
    """The CA certified both as "Ketua KPU Provinsi Bali"; a pact that calls both "Ketua" is VALID."""
    pact = rendered_pact(tmp_path, [{**AYU, "position": "Ketua"}, MADE])
    for who in ("ayu", "made"):
        pact = ok_sign(pact, tmp_path / f"{who}.key", tmp_path / f"by-{who}.pdf", "--chain", kpu.with_suffix(".crt"))
    code, out, _ = run_cli("verify", pact, "--trust", kpu.with_suffix(".crt"), "--crl", kpu.with_suffix(".crl"))
    assert code == 0 and out.startswith("VALID\t"), out
