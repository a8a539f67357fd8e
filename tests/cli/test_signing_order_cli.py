"""The order a pact is signed in, as the people who sign and check it meet it.

A definition may state `signing_order: sequential | any`; every built-in template signs in turn
(the signer, then the superior, then the witnesses). The rendered pact records the steps in its
manifest, `pakta sign` refuses whoever comes too early, and `pakta verify` judges the order of the
revisions: out of turn is FAIL, a correct beginning still waiting for the rest is INCOMPLETE.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pakta_cli.sign import SignJob, SignOptions, load_credentials, sign_file
from tests.conftest import AYU, MADE, PASSPHRASE, listing, make_identity, one_error, pact_definition, run_cli, sha256

W1 = {"role": "witness", "name": "Kadek Saksi Pertama", "nip": "198001012005011003"}
W2 = {"role": "witness", "name": "Komang Saksi Kedua", "nip": "198202022006042004"}
PEOPLE = (AYU, MADE, W1, W2)


def render(folder: Path, order: str | None = None, parties: tuple[dict[str, str], ...] = PEOPLE) -> Path:
    """`pakta render` of a Pakta Integritas with these parties, and `signing_order: ORDER` when given."""
    folder.mkdir(parents=True, exist_ok=True)
    definition = folder / "pakta.yaml"
    definition.write_text(pact_definition(parties) + (f"signing_order: {order}\n" if order else ""), encoding="utf-8")
    code, _, err = run_cli("render", definition, "-o", folder / "pakta.pdf")
    assert code == 0, err
    return folder / "pakta.pdf"


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, tuple[Path, Path]]:
    return {person["name"]: make_identity(tmp_path / "keys", person["name"], person["nip"]) for person in PEOPLE}


def sign(pdf: Path, key: tuple[Path, Path], out: Path) -> tuple[int, str]:
    code, _, err = run_cli("sign", pdf, "--key", key[0], "-o", out)
    return code, err


def trust(keys: dict[str, tuple[Path, Path]]) -> list[str | Path]:
    return [arg for _, cert in keys.values() for arg in ("--trust", cert)]


def flat(text: str) -> str:
    return " ".join(text.split())


def sign_out_of_turn(monkeypatch: pytest.MonkeyPatch, pdf: Path, key: tuple[Path, Path], out: Path) -> None:
    """Sign as a pakta that skips the order checks would: what a verifier must catch."""
    import pakta_cli.sign
    import pakta_cli.verify

    with monkeypatch.context() as patched:
        patched.setattr(pakta_cli.sign, "refuse_out_of_turn", lambda *args: None)
        patched.setattr(pakta_cli.verify, "INTEGRITY_CHECKS",
                        tuple(c for c in pakta_cli.verify.INTEGRITY_CHECKS if c != "signing_order"))
        sign_file(SignJob(pdf, out), load_credentials(key[0], PASSPHRASE, key[1]), SignOptions())


def test_check_says_the_order_and_a_definition_may_change_it(tmp_path: Path) -> None:
    definition = tmp_path / "pakta.yaml"
    definition.write_text(pact_definition(PEOPLE), encoding="utf-8")
    code, out, err = run_cli("check", definition)
    assert code == 0, err
    assert ("signing order: sequential (the template's default): the signer (Ni Luh Ayu Sukmawati), then the "
            "superior (I Made Wiratama), then the 2 witnesses (in any order among them)") in flat(out)
    definition.write_text(pact_definition(PEOPLE) + "signing_order: any\n", encoding="utf-8")
    code, out, err = run_cli("check", definition)
    assert code == 0, err
    assert "signing order: any (as the definition states): the parties sign in any order" in flat(out)
    text = pact_definition(PEOPLE) + "signing_order: by rank\n"
    definition.write_text(text, encoding="utf-8")
    line = text.count("\n")
    code, out, err = run_cli("check", definition)
    one_error(code, err, f"pakta.yaml:{line}:16: signing_order must be one of sequential, any, not 'by rank'")


def test_the_manifest_records_the_steps(tmp_path: Path) -> None:
    """An auditor with poppler reads the order from the pact itself, as README "Verifying without pakta" does."""
    for order, steps in ((None, [["pakta-signer-1"], ["pakta-superior-1"], ["pakta-witness-1", "pakta-witness-2"]]),
                         ("any", [["pakta-signer-1", "pakta-superior-1", "pakta-witness-1", "pakta-witness-2"]])):
        pdf = render(tmp_path / str(order), order)
        subprocess.run(["pdfdetach", "-saveall", "-o", str(pdf.parent), str(pdf)], check=True)
        manifest = json.loads((pdf.parent / "pakta-manifest.json").read_text(encoding="utf-8"))
        assert manifest["signing_order"] == steps


def test_sign_refuses_whoever_comes_too_early_and_names_who_signs_first(
        tmp_path: Path, keys: dict[str, tuple[Path, Path]], keys_env: dict[str, str]) -> None:
    pdf = render(tmp_path / "p")
    before, files = sha256(pdf), listing(tmp_path / "p")
    code, err = sign(pdf, keys[MADE["name"]], tmp_path / "p" / "made.pdf")
    one_error(code, err, f"{pdf}: pakta-signer-1 ({AYU['name']}, NIP {AYU['nip']}) must sign before "
                         f"pakta-superior-1 ({MADE['name']}): this pact is signed in turn (signer, then superior, "
                         "then witnesses)")
    assert "hint: sign the copy that carries their signature" in err
    assert sha256(pdf) == before and listing(tmp_path / "p") == files
    assert sign(pdf, keys[AYU["name"]], tmp_path / "1.pdf")[0] == 0
    code, err = sign(tmp_path / "1.pdf", keys[W2["name"]], tmp_path / "x.pdf")
    one_error(code, err, f"pakta-superior-1 ({MADE['name']}, NIP {MADE['nip']}) must sign before pakta-witness-2")
    assert not (tmp_path / "x.pdf").exists()


def test_a_witness_who_never_signs_holds_up_nobody(tmp_path: Path, keys: dict[str, tuple[Path, Path]],
                                                   keys_env: dict[str, str]) -> None:
    pdf = render(tmp_path / "p")
    for number, person in enumerate((AYU, MADE, W2), start=1):
        code, err = sign(pdf, keys[person["name"]], tmp_path / f"{number}.pdf")
        assert code == 0, err
        pdf = tmp_path / f"{number}.pdf"
    code, out, err = run_cli("verify", pdf, *trust(keys))
    assert code == 1
    assert out.startswith("INCOMPLETE\t") and "\t3/4\t" in out
    assert f"not yet signed by {W1['name']}" in out
    code, out, _ = run_cli("verify", pdf, *trust(keys), "--allow-incomplete", "--json")
    assert code == 0
    (document,) = json.loads(out)["documents"]
    order = next(c for c in document["checks"] if c["name"] == "signing_order")
    assert order["ok"] and order["messages"][0]["en"] == "signed in the required order"
    assert [s["revision"] for s in document["signatures"]] == [2, 3, 4]


def test_signing_order_any_lets_anyone_sign_first(tmp_path: Path, keys: dict[str, tuple[Path, Path]],
                                                  keys_env: dict[str, str]) -> None:
    pdf = render(tmp_path / "p", "any", (AYU, MADE))
    assert sign(pdf, keys[MADE["name"]], tmp_path / "1.pdf")[0] == 0
    code, err = sign(tmp_path / "1.pdf", keys[AYU["name"]], tmp_path / "2.pdf")
    assert code == 0, err
    code, out, err = run_cli("verify", tmp_path / "2.pdf", *trust(keys))
    assert code == 0, out + err
    assert out.startswith("VALID\t")


def test_verify_fails_signatures_that_landed_out_of_turn(tmp_path: Path, keys: dict[str, tuple[Path, Path]],
                                                         keys_env: dict[str, str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = render(tmp_path / "p", parties=(AYU, MADE))
    sign_out_of_turn(monkeypatch, pdf, keys[MADE["name"]], tmp_path / "1.pdf")
    late = f"{MADE['name']} signed before {AYU['name']}, who must sign first"
    code, out, _ = run_cli("verify", tmp_path / "1.pdf", *trust(keys), "--allow-incomplete")
    assert code == 1  # not INCOMPLETE: no later signature can put this one in its place
    assert out.startswith("FAIL\t") and late in out
    # an official is not asked to co-sign it
    code, err = sign(tmp_path / "1.pdf", keys[AYU["name"]], tmp_path / "2.pdf")
    one_error(code, err, f"refusing to sign: {MADE['name']} signed before {AYU['name']}, who must sign first")
    # signed by everyone, the order is still wrong
    sign_out_of_turn(monkeypatch, tmp_path / "1.pdf", keys[AYU["name"]], tmp_path / "2.pdf")
    code, out, _ = run_cli("verify", tmp_path / "2.pdf", *trust(keys))
    assert code == 1
    assert out.startswith("FAIL\t") and "\t2/2\t" in out and late in out


def test_a_witness_before_the_superior_fails(tmp_path: Path, keys: dict[str, tuple[Path, Path]],
                                             keys_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = render(tmp_path / "p")
    assert sign(pdf, keys[AYU["name"]], tmp_path / "1.pdf")[0] == 0
    sign_out_of_turn(monkeypatch, tmp_path / "1.pdf", keys[W1["name"]], tmp_path / "2.pdf")
    code, out, _ = run_cli("verify", tmp_path / "2.pdf", *trust(keys))
    assert code == 1
    assert out.startswith("FAIL\t")
    assert f"{W1['name']} signed before {MADE['name']}, who must sign first" in out
