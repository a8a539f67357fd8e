"""The verifier as a library: verdicts for honest pacts, for broken input, and the Policy knobs.

Attacks on signed pacts live in tests/test_attacks.py; this module proves the honest paths hold
(one party, two in order, a CA-issued certificate, revocation, pinned keys, weak name matches),
that bad input is a FAIL with a reason and never an exception, and that the pieces the CLI builds
on (Policy pickling for worker processes, roster completeness, JSON) behave.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import random
from pathlib import Path

import pytest
from cryptography import x509

from pakta_cli.ca import read_crl, revoke
from pakta_cli.certificates import load_certificate
from pakta_cli.definition import parse_definition
from pakta_cli.pdf import syntax
from pakta_cli.render import canonical_definition
from pakta_cli.verify import (
    SIGNATURE_CHECKS,
    Policy,
    Verdict,
    check_roster,
    fully_signed,
    verify_bytes,
    verify_file,
    verify_paths,
)
from tests.conftest import AYU, MADE, WITNESS, make_ca, make_identity, pact_definition, rendered_pact, signed_pact

DOCUMENT_CHECKS = ["readable", "all_parties_signed", "signing_order", "unchanged_after_signing", "as_rendered",
                   "embedded_hashes"]


def identity(folder: Path, person: dict[str, str], **kwargs: object) -> tuple[Path, Path]:
    """A key pair for a person of the default pact; unencrypted, so tests need no slow KDF."""
    return make_identity(folder, person["name"], person.get("nip"), passphrase=None, **kwargs)  # type: ignore[arg-type]


def sign(folder: Path, pdf: Path, *signers: tuple[Path, Path], **kwargs: object) -> Path:
    return signed_pact(folder, pdf, list(signers), passphrase=None, **kwargs)  # type: ignore[arg-type]


def policy(*certs: Path, **kwargs: object) -> Policy:
    return Policy(tuple(load_certificate(c) for c in certs), **kwargs)  # type: ignore[arg-type]


def checks(verdict: Verdict) -> dict[str, bool]:
    return {c.name: c.ok for c in verdict.checks}


def failed(verdict: Verdict) -> set[str]:
    names = {c.name for c in verdict.checks if not c.ok}
    return names | {c.name for s in verdict.signatures for c in s.checks if not c.ok}


def test_the_signature_block_size_has_one_home() -> None:
    # layout draws the block, verify bounds a field by it: both read pakta_cli.pactfile
    from pakta_cli import layout, pactfile

    assert pytest.approx(
        (pactfile.SIGNATURE_WIDTH, pactfile.SIGNATURE_HEIGHT)) == (layout.SIGNATURE_WIDTH, layout.SIGNATURE_HEIGHT)
    assert layout.WIDGET_FLAGS == pactfile.WIDGET_FLAGS


# -- honest pacts -------------------------------------------------------------------------------


def test_one_party_signed_by_a_self_signed_certificate_is_valid(tmp_path: Path) -> None:
    pdf = rendered_pact(tmp_path, [AYU])
    ayu = identity(tmp_path / "keys", AYU)
    verdict = verify_file(sign(tmp_path, pdf, ayu), policy(ayu[1], reproduce=True))
    assert verdict.ok, verdict.reasons
    assert [c.name for c in verdict.checks] == [*DOCUMENT_CHECKS, "reproduces"]
    (sig,) = verdict.signatures
    assert [c.name for c in sig.checks] == list(SIGNATURE_CHECKS)
    assert (sig.field, sig.party, sig.signer, sig.match) == ("pakta-signer-1", AYU["name"], AYU["name"], "nip")
    assert sig.key_id is not None and len(sig.key_id) == 16
    assert sig.signing_time is not None and sig.signing_time.tzinfo is not None
    assert verdict.reasons == ()
    assert verdict.parties == (AYU["name"],)


def test_two_parties_signed_in_order_are_valid_and_half_signed_is_not(tmp_path: Path) -> None:
    pdf = rendered_pact(tmp_path)
    ayu, made = identity(tmp_path / "keys", AYU), identity(tmp_path / "keys", MADE)
    first = sign(tmp_path, pdf, ayu, name="first.pdf")
    both = sign(tmp_path, first, made, name="both.pdf")
    trust = policy(ayu[1], made[1])

    verdict = verify_file(both, trust)
    assert verdict.ok, verdict.reasons
    assert [s.field for s in verdict.signatures] == ["pakta-signer-1", "pakta-superior-1"]

    half = verify_file(first, trust)
    assert not half.ok and half.status.value == "INCOMPLETE"
    assert failed(half) == {"all_parties_signed"}
    assert half.reasons == (f"belum ditandatangani oleh {MADE['name']} / not yet signed by {MADE['name']}",)
    assert half.pending == (MADE["name"],)


def test_a_certificate_issued_by_a_trusted_ca_is_valid_until_revoked(tmp_path: Path) -> None:
    ca = make_ca(tmp_path / "ca", passphrase=None)
    ayu = identity(tmp_path / "keys", AYU, ca=ca)
    signed = sign(tmp_path, rendered_pact(tmp_path, [AYU]), ayu)
    crl = read_crl(ca)
    assert crl is not None

    verdict = verify_file(signed, policy(ca.paths.cert, crls=(crl,)))
    assert verdict.ok, verdict.reasons
    trusted = next(c for c in verdict.signatures[0].checks if c.name == "trusted")
    assert "issued by trusted CA" in trusted.detail

    # the official's own certificate is not enough when it is not self-signed and no CA is trusted
    assert "trusted" not in failed(verify_file(signed, policy(ca.paths.cert)))

    revoke(ca, ayu[1], reason="key-compromise")
    revoked = read_crl(ca)
    assert revoked is not None
    verdict = verify_file(signed, policy(ca.paths.cert, crls=(revoked,)))
    assert failed(verdict) == {"not_revoked"}
    assert "dicabut" in verdict.reasons[0] and "revoked on" in verdict.reasons[0]


def test_revocation_asked_for_but_not_answerable_fails(tmp_path: Path) -> None:
    """--crl from one trusted CA says nothing of a certificate another trusted CA issued (even
    under the same name): that is not 'not revoked'."""
    ca = make_ca(tmp_path / "ca", passphrase=None)
    other = make_ca(tmp_path / "other", passphrase=None)  # same institution name, another key
    ayu = identity(tmp_path / "keys", AYU, ca=ca)
    signed = sign(tmp_path, rendered_pact(tmp_path, [AYU]), ayu)
    other_crl = read_crl(other)
    assert other_crl is not None
    verdict = verify_file(signed, policy(ca.paths.cert, other.paths.cert, crls=(other_crl,)))
    assert failed(verdict) == {"not_revoked"}
    assert "no CRL from the CA that issued this certificate" in verdict.reasons[0]
    # no --crl at all: the auditor chose not to check, and the check says so
    unchecked = verify_file(signed, policy(ca.paths.cert))
    assert unchecked.ok
    assert any("revocation not checked" in c.detail for c in unchecked.signatures[0].checks)


def test_a_ca_that_did_not_issue_the_certificate_is_no_trust(tmp_path: Path) -> None:
    ca, other = make_ca(tmp_path / "ca", passphrase=None), make_ca(tmp_path / "other", passphrase=None)
    ayu = identity(tmp_path / "keys", AYU, ca=ca)
    signed = sign(tmp_path, rendered_pact(tmp_path, [AYU]), ayu)
    verdict = verify_file(signed, policy(other.paths.cert))
    assert "trusted" in failed(verdict)
    assert any("not trusted" in reason for reason in verdict.reasons)


def test_a_party_without_nip_is_matched_by_name_and_the_verdict_says_it_is_weak(tmp_path: Path) -> None:
    witness = identity(tmp_path / "keys", WITNESS)
    # in any order: the witness signs first, and the match is what this test is about
    signed = sign(tmp_path, rendered_pact(tmp_path, [AYU, WITNESS], signing_order="any"), witness,
                  party=WITNESS["name"])
    (sig,) = verify_file(signed, policy(witness[1])).signatures
    assert sig.ok and sig.match == "name"
    party = next(c for c in sig.checks if c.name == "party")
    assert "lemah" in party.detail and "weak" in party.detail


def test_a_pinned_key_id_matches_only_that_key(tmp_path: Path) -> None:
    ayu = identity(tmp_path / "keys", AYU)
    pinned_id = verify_file(sign(tmp_path, rendered_pact(tmp_path, [AYU]), ayu), policy(ayu[1])).signatures[0].key_id
    pinned = rendered_pact(tmp_path / "pinned", [{**AYU, "key_id": pinned_id}])
    (sig,) = verify_file(sign(tmp_path / "pinned", pinned, ayu), policy(ayu[1])).signatures
    assert sig.ok and sig.match == "key_id"


# -- what the auditor holds ---------------------------------------------------------------------


def test_definition_given_by_the_auditor(tmp_path: Path) -> None:
    ayu = identity(tmp_path / "keys", AYU)
    signed = sign(tmp_path, rendered_pact(tmp_path, [AYU]), ayu)
    same = canonical_definition(parse_definition(pact_definition([AYU]), "t.yaml", tmp_path))
    other = canonical_definition(parse_definition(pact_definition([AYU]).replace("Denpasar", "Badung"), "t.yaml",
                                                  tmp_path))
    assert checks(verify_file(signed, policy(ayu[1], definition=same)))["definition"]
    verdict = verify_file(signed, policy(ayu[1], definition=other))
    assert failed(verdict) == {"definition"}


def test_a_roster_definition_matches_each_rows_pact(tmp_path: Path) -> None:
    """A roster definition names no signer: each pact must be it with one row as the signer."""
    ayu = identity(tmp_path / "keys", AYU)
    signed = sign(tmp_path, rendered_pact(tmp_path, [AYU, MADE]), ayu)
    roster = parse_definition(pact_definition([MADE]), "t.yaml", tmp_path, roster=True)
    verdict = verify_file(signed, policy(ayu[1], definition=canonical_definition(roster)))
    assert checks(verdict)["definition"], verdict.reasons
    wrong = parse_definition(pact_definition([{**MADE, "name": "Orang Lain"}]), "t.yaml", tmp_path, roster=True)
    assert not checks(verify_file(signed, policy(ayu[1], definition=canonical_definition(wrong))))["definition"]


# -- bad input is a FAIL with a reason, never an exception ----------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"hello, not a pdf", "not a PDF"),
        (b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "startxref"),
        (b"%PDF-1.4\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 >>\nstartxref\n9\n%%EOF\n", "catalog"),
    ],
)
def test_unreadable_input_fails_readable_with_a_reason(data: bytes, words: str) -> None:
    verdict = verify_bytes(data, Policy(()), name="x.pdf")
    assert not verdict.ok and verdict.signatures == ()
    assert [(c.name, c.ok) for c in verdict.checks] == [("readable", False)]
    assert words in verdict.reasons[0]


def test_an_unsigned_pact_is_incomplete_with_every_party_named(tmp_path: Path) -> None:
    verdict = verify_file(rendered_pact(tmp_path), Policy(()))
    assert failed(verdict) == {"all_parties_signed"} and verdict.status.value == "INCOMPLETE"
    assert verdict.reasons == (f"belum ditandatangani oleh {AYU['name']}, {MADE['name']} / "
                               f"not yet signed by {AYU['name']}, {MADE['name']}",)


def test_a_missing_file_is_a_failed_verdict(tmp_path: Path) -> None:
    verdict = verify_file(tmp_path / "nowhere.pdf", Policy(()))
    assert not verdict.ok and "cannot read the file" in verdict.reasons[0]


def test_truncated_anywhere_never_raises(tmp_path: Path) -> None:
    ayu = identity(tmp_path / "keys", AYU)
    data = sign(tmp_path, rendered_pact(tmp_path, [AYU]), ayu).read_bytes()
    trust = policy(ayu[1])
    for cut in range(0, len(data), max(1, len(data) // 97)):
        verdict = verify_bytes(data[:cut], trust)
        assert not verdict.ok and verdict.reasons, cut


def test_random_byte_damage_never_raises_and_is_never_valid(tmp_path: Path) -> None:
    ayu = identity(tmp_path / "keys", AYU)
    data = sign(tmp_path, rendered_pact(tmp_path, [AYU]), ayu).read_bytes()
    trust = policy(ayu[1])
    rng = random.Random(4)
    for _ in range(300):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if bytes(damaged) == data:
            continue
        verdict = verify_bytes(bytes(damaged), trust)
        # every byte is signed but the /Contents hex, whose letters may change case harmlessly
        if verdict.ok:
            assert bytes(damaged).lower() == data.lower()
        else:
            assert verdict.reasons


def test_deep_nesting_is_refused_without_recursion(tmp_path: Path) -> None:
    lexer = syntax.Lexer(b"[" * 100_000)
    with pytest.raises(syntax.PdfError, match="nested too deeply"):
        lexer.value(0)


# -- the pieces the CLI builds on -----------------------------------------------------------------


def test_policy_travels_to_worker_processes(tmp_path: Path) -> None:
    ca = make_ca(tmp_path / "ca", passphrase=None)
    crl = read_crl(ca)
    assert crl is not None
    original = Policy((ca.cert,), (crl,), definition=b"{}", reproduce=True)
    copy = pickle.loads(pickle.dumps(original))
    assert copy == original
    assert isinstance(copy.trust[0], x509.Certificate)


def test_verdict_json_holds_every_check(tmp_path: Path) -> None:
    ayu = identity(tmp_path / "keys", AYU)
    verdict = verify_file(sign(tmp_path, rendered_pact(tmp_path), ayu), policy(ayu[1]))
    data = json.loads(json.dumps(verdict.to_json()))
    assert data["status"] == "INCOMPLETE" and data["ok"] is False
    assert [c["name"] for c in data["checks"]] == DOCUMENT_CHECKS
    assert [c["name"] for c in data["signatures"][0]["checks"]] == list(SIGNATURE_CHECKS)
    assert data["signatures"][0]["signing_time"].endswith("+08:00")  # WITA, as the signer signed
    # each reason keeps a stable key and both languages apart, never joined into one string
    assert data["reasons"] == [{"check": "all_parties_signed", "key": "not_yet_signed",
                                "id": f"belum ditandatangani oleh {MADE['name']}",
                                "en": f"not yet signed by {MADE['name']}"}]
    assert data["pending"] == [MADE["name"]]


def test_roster_completeness(tmp_path: Path) -> None:
    ayu = identity(tmp_path / "keys", AYU)
    pact = rendered_pact(tmp_path, [AYU])
    signed = sign(tmp_path, pact, ayu, name="ayu.pdf")
    other = rendered_pact(tmp_path, [{**AYU, "name": "Orang Lain"}], name="made.pdf")
    trust = policy(ayu[1])
    manifest = {"pakta_batch": 1, "pacts": [
        {"file": "ayu.pdf", "sha256": hashlib.sha256(pact.read_bytes()).hexdigest()},
        {"file": "gone.pdf", "sha256": "0" * 64},
        {"file": "made.pdf", "sha256": "1" * 64},
    ]}
    paths = [signed, other, tmp_path / "pakta.pdf"]
    results = [(paths[i].name, paths[i].name, fully_signed(verdict), digest)
               for i, verdict, digest in sorted(verify_paths(paths, trust, jobs=1), key=lambda r: r[0])]
    report = check_roster(manifest, "manifest.json", results)
    assert not report.ok
    assert report.present == 1 and report.expected == 3
    assert report.missing == ("gone.pdf", "made.pdf")
    assert report.altered == ("made.pdf",)  # named as a listed pact, but not its rendered bytes
    # the unsigned copy of ayu's pact is the same listed pact as the signed one
    assert report.duplicates == ("ayu.pdf, pakta.pdf",)
    assert report.incomplete == ("pakta.pdf",)
    assert report.to_json()["ok"] is False


def test_a_signer_is_shown_in_the_zone_they_signed_in(tmp_path: Path) -> None:
    from pakta_cli.report import Row

    ayu = identity(tmp_path / "keys", AYU)
    verdict = verify_file(sign(tmp_path, rendered_pact(tmp_path), ayu, zone="WIT"), policy(ayu[1]))
    (signer,) = Row.of(verdict).signers
    assert signer.name == AYU["name"]
    assert signer.when is not None and signer.when.endswith(" WIT") and "UTC" not in signer.when


@pytest.mark.parametrize("width", [80, 120])
def test_terminal_blocks_fit_the_terminal(tmp_path: Path, width: int) -> None:
    """One block per document: the whole file name, the verdict, a line per signer, then each reason in
    Indonesian with its English beneath; nothing wider than the terminal, no word cut."""
    from rich.console import Console

    from pakta_cli.report import Row, block

    ayu = identity(tmp_path / "keys", AYU)
    deep = tmp_path / ("folder-with-a-long-name-" * 3) / "kabupaten-badung" / "kecamatan-kuta"
    deep.mkdir(parents=True)
    half = sign(deep, rendered_pact(tmp_path / "p"), ayu, name="pakta-integritas-ni-luh-ayu-sukmawati.pdf")
    verdict = verify_file(half, policy(ayu[1]))
    console = Console(width=width, color_system=None, force_terminal=True)
    with console.capture() as captured:
        console.print(block(Row.of(verdict), width))
    lines = captured.get().splitlines()
    assert all(len(line) <= width for line in lines), lines
    assert "".join(lines[: len(lines) - 5]).replace(" ", "").startswith(str(half)[:40])
    text = "\n".join(lines)
    assert "INCOMPLETE" in text and "1/2" in text and "BELUM" not in text  # one language, English here
    assert any("not yet signed by" in line for line in lines)
    words = set(" ".join(lines).split())
    for word in ("Sukmawati", "Wiratama", "signed"):
        assert any(word in w for w in words), word  # whole words, never split across lines
    assert "\x1b[" not in captured.get()
