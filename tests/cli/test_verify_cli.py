"""`pakta verify` run as an auditor runs it: what is printed, on which stream, and the exit code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pakta_cli.ca import revoke
from pakta_cli.cli.app import app
from tests.conftest import AYU, MADE, make_ca, make_identity, pact_definition, rendered_pact, run_cli, signed_pact

runner = CliRunner()


def run(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["verify", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def flat(text: str) -> str:
    return " ".join(text.split())


def identity(folder: Path, person: dict[str, str], **kwargs: object) -> tuple[Path, Path]:
    return make_identity(folder, person["name"], person.get("nip"), passphrase=None, **kwargs)  # type: ignore[arg-type]


def sign(folder: Path, pdf: Path, *signers: tuple[Path, Path], name: str | None = None) -> Path:
    return signed_pact(folder, pdf, list(signers), passphrase=None, name=name)


@pytest.fixture
def people(tmp_path: Path) -> tuple[tuple[Path, Path], tuple[Path, Path]]:
    keys = tmp_path / "keys"
    return identity(keys, AYU), identity(keys, MADE)


@pytest.fixture
def both_signed(tmp_path: Path, people: tuple[tuple[Path, Path], tuple[Path, Path]]) -> Path:
    ayu, made = people
    return sign(tmp_path, rendered_pact(tmp_path / "pacts"), ayu, made, name="both.pdf")


def test_a_pact_signed_by_both_parties_is_valid(
    both_signed: Path, people: tuple[tuple[Path, Path], tuple[Path, Path]]
) -> None:
    (_, ayu_cert), (_, made_cert) = people
    code, out, err = run(both_signed, "--trust", ayu_cert, "--trust", made_cert)
    assert code == 0, out + err
    text = flat(out)
    assert out.startswith("VALID\t") and "FAIL" not in out
    assert "both.pdf" in text and AYU["name"] in text and MADE["name"] in text
    assert "\t2/2\t" in out
    # piped, stdout holds only the documents; the summary is for people, on stderr
    assert "1 document: 1 VALID, 0 INCOMPLETE, 0 FAIL" in err


def test_trust_may_be_a_folder_and_a_ca_root(tmp_path: Path) -> None:
    ca = make_ca(tmp_path / "ca", passphrase=None)
    ayu = identity(tmp_path / "keys", AYU, ca=ca)
    signed = sign(tmp_path, rendered_pact(tmp_path / "pacts", [AYU]), ayu)
    roots = tmp_path / "roots"
    roots.mkdir()
    (roots / "kpu.crt").write_bytes(ca.paths.cert.read_bytes())
    code, out, _ = run(signed, "--trust", roots, "--crl", ca.paths.crl)
    assert code == 0, out

    revoke(ca, ayu[1])
    code, out, _ = run(signed, "--trust", roots, "--crl", ca.paths.crl)
    assert code == 1
    assert "revoked on" in flat(out) and "dicabut" not in flat(out)  # one language: English here


def test_half_signed_names_who_has_not_signed(
    tmp_path: Path, people: tuple[tuple[Path, Path], tuple[Path, Path]]
) -> None:
    ayu, made = people
    half = sign(tmp_path, rendered_pact(tmp_path / "pacts"), ayu)
    code, out, _ = run(half, "--trust", ayu[1], "--trust", made[1])
    assert code == 1
    assert f"not yet signed by {MADE['name']}" in out
    assert "1/2" in out


def test_a_folder_with_mixed_files_accounts_for_every_pdf(
    tmp_path: Path, both_signed: Path, people: tuple[tuple[Path, Path], tuple[Path, Path]]
) -> None:
    (_, ayu_cert), (_, made_cert) = people
    folder = tmp_path / "audit"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.pdf").write_bytes(both_signed.read_bytes())
    (folder / "sub" / "unsigned.PDF").write_bytes((tmp_path / "pacts" / "pakta.pdf").read_bytes())
    (folder / "not-a-pdf.pdf").write_bytes(b"GIF89a, a picture with the wrong name")
    (folder / "truncated.pdf").write_bytes(both_signed.read_bytes()[:3000])
    (folder / "notes.txt").write_text("not a pact")
    code, out, err = run(folder, "--trust", ayu_cert, "--trust", made_cert, "--jobs", "2")
    assert code == 1
    rows = [line.split("\t") for line in out.splitlines()]
    assert all(len(row) == 5 for row in rows)  # status, file, parties, signers, reasons: always five columns
    lines = {row[1]: row for row in rows}
    assert sorted(Path(p).name for p in lines) == ["good.pdf", "not-a-pdf.pdf", "truncated.pdf", "unsigned.PDF"]
    assert lines[str(folder / "good.pdf")][0] == "VALID"
    assert "not a PDF file" in lines[str(folder / "not-a-pdf.pdf")][4]
    assert "damaged or truncated PDF" in lines[str(folder / "truncated.pdf")][4]
    unsigned = lines[str(folder / "sub" / "unsigned.PDF")]
    assert unsigned[0] == "INCOMPLETE" and unsigned[2] == "0/2" and "not yet signed by" in unsigned[4]
    assert "4 documents: 1 VALID, 1 INCOMPLETE, 2 FAIL" in err
    assert "1 file not ending in .pdf skipped" in err


def test_json_prints_every_check_of_every_document(
    tmp_path: Path, both_signed: Path, people: tuple[tuple[Path, Path], tuple[Path, Path]]
) -> None:
    (_, ayu_cert), _ = people
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"junk")
    code, out, _ = run(both_signed, junk, "--trust", ayu_cert, "--json")
    assert code == 1
    data = json.loads(out)
    assert data["summary"] == {"documents": 2, "valid": 0, "incomplete": 0, "failed": 2, "ok": False}
    signed, unreadable = data["documents"]
    assert [c["name"] for c in signed["checks"]] == [
        "readable", "all_parties_signed", "signing_order", "unchanged_after_signing", "as_rendered", "embedded_hashes",
        "reproduces"]
    assert [c["name"] for c in signed["signatures"][0]["checks"]] == [
        "byte_range", "digest", "signature", "timestamp", "trusted", "valid_at_signing_time", "not_revoked", "party",
        "stamp"]
    trusted = {s["field"]: s["checks"][4]["ok"] for s in signed["signatures"]}
    assert trusted == {"pakta-signer-1": True, "pakta-superior-1": False}
    assert unreadable["checks"] == [{"name": "readable", "ok": False, "messages": [
        {"key": "not_pdf", "id": "bukan berkas PDF", "en": "not a PDF file"}]}]
    assert unreadable["status"] == "FAIL"


def test_definition_and_reproduce(
    tmp_path: Path, both_signed: Path, people: tuple[tuple[Path, Path], tuple[Path, Path]]
) -> None:
    (_, ayu_cert), (_, made_cert) = people
    trust = ["--trust", ayu_cert, "--trust", made_cert]
    definition = tmp_path / "pakta.yaml"
    definition.write_text(pact_definition())
    code, out, _ = run(both_signed, *trust, "--definition", definition, "--reproduce", "--json")
    assert code == 0, out
    names = [c["name"] for c in json.loads(out)["documents"][0]["checks"]]
    assert names[-2:] == ["definition", "reproduces"]

    definition.write_text(pact_definition().replace("Denpasar", "Tabanan"))
    code, out, _ = run(both_signed, *trust, "--definition", definition)
    assert code == 1
    assert "the embedded definition differs from the definition the auditor gave" in flat(out)


def test_roster_completeness_with_the_batch_manifest(
    tmp_path: Path, people: tuple[tuple[Path, Path], tuple[Path, Path]]
) -> None:
    _, made = people
    ayu = identity(tmp_path / "keys", AYU)
    other = {"role": "signer", "name": "Ni Kadek Lestari", "nip": "199001012020122001"}
    kadek = identity(tmp_path / "keys", other)
    definition = tmp_path / "roster.yaml"
    definition.write_text(pact_definition([MADE]))
    roster = tmp_path / "people.csv"
    roster.write_text(f"name,nip\n{AYU['name']},{AYU['nip']}\n{other['name']},{other['nip']}\n")
    folder = tmp_path / "batch"
    result = runner.invoke(app, ["render", str(definition), "--roster", str(roster), "-o", str(folder)])
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((folder / "manifest.json").read_text())
    files = [folder / p["file"] for p in manifest["pacts"]]
    trust = ["--trust", ayu[1], "--trust", kadek[1], "--trust", made[1]]

    # the signed copies come back in another folder, under the names the manifest lists
    back = tmp_path / "returned"
    back.mkdir()
    sign(back, files[0], ayu, made, name=files[0].name)
    sign(back, files[1], kadek, name=files[1].name)
    for extra in back.glob("*-signed-*.pdf"):
        extra.unlink()
    returned = [back / f.name for f in files]
    (back / "stray.pdf").write_bytes(returned[0].read_bytes())
    code, out, err = run(back, *trust, "--manifest", folder / "manifest.json")
    assert code == 1
    text = flat(out + err)
    assert "2/2 pacts present" in text
    assert f"1 not fully signed: {returned[1]}" in text
    assert "more than one file for the same pact" in text
    assert "roster: INCOMPLETE" in text

    (back / "stray.pdf").unlink()
    returned[1].unlink()
    code, out, err = run(back, *trust, "--manifest", folder / "manifest.json", "--json")
    assert code == 1
    assert json.loads(out)["roster"]["missing"] == [files[1].name]

    sign(back, rendered_pact(tmp_path / "elsewhere", [AYU]), ayu, name="foreign.pdf")
    code, out, err = run(back, *trust, "--manifest", folder / "manifest.json", "--json")
    assert json.loads(out)["roster"]["unknown"] == [str(back / "foreign.pdf")]
    (back / "foreign.pdf").unlink()
    sign(back, files[1], kadek, made, name=files[1].name)
    for extra in back.glob("*-signed-*.pdf"):
        extra.unlink()
    code, out, err = run(back, *trust, "--manifest", folder / "manifest.json")
    assert code == 0, out
    assert "roster: complete" in flat(out + err)


# -- usage errors: exit 2, one line on stderr ------------------------------------------------------


def test_no_trust_is_a_usage_error(both_signed: Path) -> None:
    code, out, err = run(both_signed)
    assert (code, out) == (2, "")
    assert "error: no trust given" in err and "--trust" in err


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: ["--trust", tmp / "missing.crt"], "trust file not found"),
        (lambda tmp: ["--trust", tmp / "keys" / "ni-luh-ayu-sukmawati.key"], "certificate"),
        (lambda tmp: ["--trust", tmp / "keys" / "ni-luh-ayu-sukmawati.crt", "--crl", tmp / "nothing.crl"],
         "CRL not found"),
        (lambda tmp: ["--trust", tmp / "keys" / "ni-luh-ayu-sukmawati.crt",
                      "--crl", tmp / "keys" / "ni-luh-ayu-sukmawati.crt"], "not a certificate revocation list"),
    ],
)
def test_unusable_trust_or_crl_is_a_usage_error(
    tmp_path: Path, both_signed: Path, make: object, message: str
) -> None:
    code, out, err = run(both_signed, *make(tmp_path))  # type: ignore[operator]
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err


def test_a_crl_from_an_untrusted_ca_is_refused(tmp_path: Path, both_signed: Path,
                                               people: tuple[tuple[Path, Path], tuple[Path, Path]]) -> None:
    stranger = make_ca(tmp_path / "stranger", passphrase=None)
    code, _, err = run(both_signed, "--trust", people[0][1], "--crl", stranger.paths.crl)
    assert code == 2 and "not signed by any of the trusted certificates" in err


def test_a_missing_path_is_a_usage_error(tmp_path: Path, people: tuple[tuple[Path, Path], tuple[Path, Path]]) -> None:
    code, _, err = run(tmp_path / "nowhere.pdf", "--trust", people[0][1])
    assert code == 2 and "nowhere.pdf: not found" in err


def test_an_empty_folder_is_a_usage_error(tmp_path: Path, people: tuple[tuple[Path, Path], tuple[Path, Path]]) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = run(tmp_path / "empty", "--trust", people[0][1])
    assert code == 2 and "no PDF files found" in err


# -- as a process, piped --------------------------------------------------------------------------


def test_piped_output_is_plain_and_every_reason_stays_on_one_line(
    tmp_path: Path, people: tuple[tuple[Path, Path], tuple[Path, Path]]
) -> None:
    ayu, made = people
    half = sign(tmp_path, rendered_pact(tmp_path / "pacts"), ayu)
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "60"}
    result = subprocess.run(
        [sys.executable, "-m", "pakta_cli", "verify", str(half), "--trust", str(ayu[1]), "--trust", str(made[1])],
        capture_output=True, env=env, check=False,
    )
    assert result.returncode == 1
    out = result.stdout.decode()
    assert "\x1b[" not in out and "\x1b[" not in result.stderr.decode()
    (line,) = out.splitlines()  # one line for the document, however narrow the terminal says it is
    assert line.startswith("INCOMPLETE\t")
    assert line.endswith(f"\tnot yet signed by {MADE['name']}")
    assert "1 INCOMPLETE" in result.stderr.decode()


def test_trusting_a_ca_without_its_crl_says_revocation_is_not_checked(tmp_path: Path) -> None:
    from tests.conftest import make_ca, make_identity, rendered_pact, signed_pact

    ca = make_ca(tmp_path / "ca", passphrase=None)
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, passphrase=None)
    signed = signed_pact(tmp_path, rendered_pact(tmp_path, [AYU]), [ayu], passphrase=None)
    code, _, err = run(signed, "--trust", ca.paths.cert)
    assert code == 0 and "note: no --crl given: a certificate the CA revoked is caught only where a pact carries" in err
    code, _, err = run(signed, "--trust", ca.paths.cert, "--crl", ca.paths.crl)
    assert code == 0 and "no --crl" not in err


def test_a_name_that_is_an_escape_sequence_reaches_no_terminal(tmp_path: Path) -> None:
    """A certificate anyone can make names its holder `ESC[1A ... SAH / VALID`: printed raw, it would
    repaint a FAIL as a green VALID. Every string from a document is shown with its controls escaped."""
    import io

    from rich.console import Console

    from pakta_cli import report
    from pakta_cli.verify import Policy, verify_file

    forger = "\x1b[1A\x1b[2K  \x1b[1;32mSAH / VALID\x1b[0m\u202e\n"
    keys = tmp_path / "keys"
    evil, made = make_identity(keys, forger, AYU["nip"], stem="evil", passphrase=None), identity(keys, MADE)
    signed = sign(tmp_path, rendered_pact(tmp_path / "pacts"), evil, made, name="evil.pdf")
    verdict = verify_file(signed, Policy((), ()))
    screen = io.StringIO()
    Console(file=screen, force_terminal=True, color_system=None, width=80).print(report.block(
        report.Row.of(verdict), 80))
    shown = screen.getvalue()
    assert "FAIL" in shown and "\\x1b[1;32mSAH / VALID\\x1b[0m\\u202e\\x0a" in shown  # the name, escaped
    assert "\x1b" not in shown and "\u202e" not in shown
    piped = report.line(verdict)
    assert piped.startswith("FAIL\t") and "\x1b" not in piped and len(piped.splitlines()) == 1
    code, out, _ = run(signed, "--trust", made[1])  # the command, piped
    assert code == 1 and "\x1b" not in out


def test_definition_holds_the_letterhead_logo_to_the_file_beside_it(tmp_path: Path) -> None:
    """The definition names its logo by file name only: the preparer keeps every word of the office's
    definition and renders it beside another picture (a seal saying BATAL). `--definition` compares the
    logo the pact carries with the file beside the definition the auditor holds."""
    from PIL import Image, ImageOps

    examples = Path(__file__).parents[2] / "examples"
    office, preparer = tmp_path / "office", tmp_path / "preparer"
    for folder in (office, preparer):
        folder.mkdir()
        shutil.copy(examples / "kpu-bali-2024.yaml", folder / "pakta.yaml")
    shutil.copy(examples / "logo-kpu.png", office / "logo-kpu.png")
    ImageOps.mirror(Image.open(examples / "logo-kpu.png")).save(preparer / "logo-kpu.png")
    cert = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], passphrase=None)[1]
    checks = {}
    for folder in (office, preparer):
        assert run_cli("render", folder / "pakta.yaml", "-o", folder / "pakta.pdf")[0] == 0
        _, out, _ = run(folder / "pakta.pdf", "--trust", cert, "--definition", office / "pakta.yaml", "--json")
        (document,) = json.loads(out)["documents"]
        checks[folder.name] = {c["name"]: c for c in document["checks"]}
    assert checks["office"]["definition"]["ok"] and checks["office"]["reproduces"]["ok"]
    forged = checks["preparer"]
    assert forged["reproduces"]["ok"]  # the pages are the rendering of what the pact carries...
    assert not forged["definition"]["ok"]  # ...but not of what the office agreed
    assert forged["definition"]["messages"][0]["en"] == \
        "the pact's letterhead logo is not the logo file beside the definition the auditor gave"


def test_a_manifest_nested_past_any_pact_is_refused_in_one_line(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text("[" * 100_000 + "]" * 100_000)
    cert = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], passphrase=None)[1]
    code, _, err = run(tmp_path, "--trust", cert, "--manifest", manifest)
    assert code == 2 and err.startswith(f"error: {manifest}: not a pakta manifest.json (nested deeper than any pact)")
    assert "Traceback" not in err and "internal error" not in err


@pytest.mark.parametrize(("certified", "differs"), [("Ni Luh Ayu Sukmawati, S.H.", False),
                                                    ("Dr. Ni Luh Ayu Sukmawati", False),
                                                    ("Ni Luh Ayu Sukmadewi", True)])
def test_a_signer_matched_by_nip_under_another_name_is_said(certified: str, differs: bool, tmp_path: Path,
                                                           keys_env: dict[str, str]) -> None:
    """The NIP decides who the signer is, and the stamp prints the certificate's name: when that name is
    not the pact's (titles and degrees aside), the verdict and the table say both."""
    ca = make_ca(tmp_path / "ca")
    key, cert = make_identity(tmp_path / "keys", certified, AYU["nip"], ca, position=AYU["position"])
    signed = tmp_path / "signed.pdf"
    code, _, err = run_cli("sign", rendered_pact(tmp_path / "pacts", [AYU]), "--key", key, "--cert", cert,
                           "-o", signed)
    assert code == 0, err
    code, out, _ = run_cli("verify", signed, "--trust", ca.paths.cert, "--json")
    document = json.loads(out)["documents"][0]
    assert code == 0 and document["status"] == "VALID"
    party = next(c for c in document["signatures"][0]["checks"] if c["name"] == "party")
    said = " ".join(m["en"] for m in party["messages"])
    assert ("the pact names Ni Luh Ayu Sukmawati" in said) is differs, said
    code, out, _ = run_cli("verify", signed, "--trust", ca.paths.cert)
    assert ("the pact names Ni Luh Ayu Sukmawati" in out) is differs, out
