"""The attack suite (issue #4, item 9): `pakta verify` must not be fooled.

Every case starts from a pact rendered and signed at test time, applies one attack from
`tests.attacks.tamper`, and asserts that the verdict is not valid *and* that it fails for the right
reason (the named check), since a verifier that rejects everything for the wrong reason would hide
the one attack it lets through. A few cases also check the wording auditors read, and a few run
through `pakta verify` itself. The honest cases at the end prove the suite is not vacuous.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from PIL import Image
from typer.testing import CliRunner

from pakta_cli.cli.app import app
from pakta_cli.definition import parse_definition
from pakta_cli.render import render
from pakta_cli.verify import Policy, Verdict, verify_bytes
from tests.attacks import identities, tamper
from tests.attacks.identities import Identity
from tests.attacks.pdf import single_revision

SIGNER = "pakta-signer-1"
SUPERIOR = "pakta-superior-1"
NIP = "198609262015051001"

ONE_PARTY = f"""\
pakta: 1
template: pakta-integritas
institution:
  name: Komisi Pemilihan Umum Kota Contoh
  address: Jl. Contoh No. 1, Denpasar
number: 3/PP.04.2-SD/51/Prov/I/2024
place: Denpasar
date: 2024-01-02
context: penyelenggaraan Pemilu Serentak Tahun 2024
commitments:
  - Tidak meminta atau menerima pemberian berupa suap, hadiah, bantuan, atau bentuk lainnya;
  - Bersikap transparan, jujur, obyektif, dan akuntabel dalam melaksanakan tugas;
parties:
  - role: signer
    name: Putu Contoh
    nip: {NIP}
    position: Sekretaris
"""
TWO_PARTIES = ONE_PARTY + """\
  - role: superior
    name: Made Atasan
    nip: 197501012000031002
    position: Ketua
"""


# -- pacts and people, made at test time -----------------------------------------------------------


def rendered(text: str = ONE_PARTY, base: Path = Path(".")) -> bytes:
    return render(parse_definition(text, "t.yaml", base)).pdf


def sign(pdf: bytes, field: str, identity: Identity) -> bytes:
    """Sign one party's field with pakta's own signer (`pakta_cli.sign.sign_pdf`), as an official
    does; the key stays in memory rather than in an encrypted file, which only `pakta sign` reads."""
    return identities.pakta_sign(pdf, field, identity)


def sign_prepared(pdf: bytes, field: str, identity: Identity) -> bytes:
    """Sign a pact tampered with before its first signature. pakta sign refuses (asserted here);
    the signature is made without that check, as a careless or colluding signer's tool would."""
    from pakta_cli.errors import SigningError

    with pytest.raises(SigningError, match="refusing to sign"):
        sign(pdf, field, identity)
    return identities.careless_pakta_sign(pdf, field, identity)


@pytest.fixture(scope="module")
def putu() -> Identity:
    return identities.self_signed("Putu Contoh", NIP, "Sekretaris")


@pytest.fixture(scope="module")
def made_atasan() -> Identity:
    return identities.self_signed("Made Atasan", "197501012000031002", "Ketua")


@pytest.fixture(scope="module")
def mallory() -> Identity:
    """Someone nobody trusts."""
    return identities.self_signed("Mallory", "199001012020121001", "Sekretaris")


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    """A one-party pact as `pakta render` makes it."""
    return rendered()


@pytest.fixture(scope="module")
def signed(unsigned: bytes, putu: Identity) -> bytes:
    """A one-party pact, signed by its party with a key the auditor trusts: the attacks' target."""
    return sign(unsigned, SIGNER, putu)


@pytest.fixture(scope="module")
def logo_pact(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A pact whose letterhead has a logo: an image XObject on page 1."""
    folder = tmp_path_factory.mktemp("logo")
    Image.new("RGB", (24, 24), (200, 30, 30)).save(folder / "logo.png")
    text = ONE_PARTY.replace("  address:", "  logo: logo.png\n  address:")
    return rendered(text, folder)


# -- verdicts --------------------------------------------------------------------------------------


def verdict(data: bytes, *trusted: Identity | x509.Certificate, **policy: object) -> Verdict:
    certs = tuple(t.cert if isinstance(t, Identity) else t for t in trusted)
    return verify_bytes(data, Policy(trust=certs, **policy), name="attack.pdf")  # type: ignore[arg-type]


def failed_checks(v: Verdict) -> set[str]:
    """The names of every failed check, of the document and of each signature."""
    failed = {c.name for c in v.checks if not c.ok}
    for sig in v.signatures:
        failed |= {c.name for c in sig.checks if not c.ok}
    return failed


def failed_details(v: Verdict) -> str:
    details = [c.detail for c in v.checks if not c.ok]
    details += [c.detail for sig in v.signatures for c in sig.checks if not c.ok]
    return "\n".join(details).lower()


def assert_rejected(v: Verdict, check: str, *also_right: str) -> None:
    """Not valid, and `check` (or one of `also_right`, where either reason is honest) failed."""
    failed = failed_checks(v)
    assert not v.ok, "the verifier ACCEPTED an attack"
    assert failed & {check, *also_right}, f"expected {check!r} to fail; failed: {sorted(failed)}: {v.reasons}"


def assert_says(v: Verdict, *words: str) -> None:
    """A failed check's detail says what happened, in English or Indonesian."""
    details = failed_details(v)
    assert any(w in details for w in words), f"no failed check mentions {words}: {details}"


# -- attacks on a signed pact: each with the checks that rightly fail -------------------------------

Attack = Callable[[bytes], bytes]


def on_field(attack: Callable[[bytes, str], bytes]) -> Attack:
    return lambda pdf: attack(pdf, SIGNER)


ON_SIGNED: dict[str, tuple[Attack, tuple[str, ...]]] = {
    # a byte changed inside the signed range
    "byte changed in page content": (tamper.flip_page_content_byte, ("digest",)),
    "byte changed in the embedded definition": (
        lambda pdf: tamper.flip_definition_byte(pdf, b"Putu Contoh", b"Putu Cantoh"), ("digest",)),
    # incremental saving after signing (ISA)
    "new /Contents stream for page 1": (tamper.replace_page_contents, ("unchanged_after_signing",)),
    "stream appended to page 1's /Contents": (tamper.append_page_contents, ("unchanged_after_signing",)),
    "page 1 redefined inside an object stream": (
        tamper.replace_page_in_object_stream, ("unchanged_after_signing",)),
    "page 1 cropped to the letterhead": (tamper.crop_page, ("unchanged_after_signing",)),
    "catalog gains an /OpenAction script": (tamper.add_open_action, ("unchanged_after_signing",)),
    "signature stamp (/AP) replaced": (
        on_field(tamper.replace_signature_appearance), ("unchanged_after_signing",)),
    # the signed revision stays in the file but out of the /Prev chain a reader follows
    "update chained past the signed revision": (tamper.skip_signed_revision, ("unchanged_after_signing",)),
    "embedded definition redefined": (
        lambda pdf: tamper.replace_embedded_definition(pdf, b'{"pakta": 1, "parties": []}\n'),
        ("unchanged_after_signing",)),
    # signature wrapping (SWA)
    "/ByteRange moved to a copy of the signed bytes": (on_field(tamper.wrap_byte_range), ("byte_range",)),
    "signed revision copied into a later update": (tamper.append_signed_revision_copy, ("unchanged_after_signing",)),
    # no xref names the appended copy: pyHanko's diff analysis sees no revision after the signature
    "second copy of the signed file appended": (tamper.duplicate_file, ("unchanged_after_signing",)),
    "/Contents gap carries objects besides the hex": (on_field(tamper.objects_in_gap), ("byte_range",)),
    # a bare xref update points page 1 into the unsigned gap: either reason is the truth
    "replacement page hidden in the /Contents gap": (
        on_field(tamper.page_hidden_in_gap), ("byte_range", "unchanged_after_signing")),
    # universal signature forgery (USF); an empty or missing /Contents no longer spans the gap the
    # byte range leaves, so "the byte range is wrong" is as true as "there is no signature"
    "empty /Contents <>": (on_field(tamper.empty_contents), ("signature", "byte_range")),
    "zeroed /Contents": (on_field(tamper.zeroed_contents), ("signature",)),
    "missing /Contents": (on_field(tamper.without_contents), ("signature", "byte_range")),
    "missing /ByteRange": (on_field(tamper.without_byte_range), ("byte_range",)),
    "/ByteRange [0 0 0 0]": (on_field(tamper.byte_range_zero), ("byte_range",)),
    "negative /ByteRange": (on_field(tamper.byte_range_negative), ("byte_range",)),
    "overlapping /ByteRange": (on_field(tamper.byte_range_overlapping), ("byte_range",)),
    # the CMS's certificates are not signed: a damaged one must give a verdict, not a crash
    "certificate in the CMS with an unknown key type": (
        on_field(tamper.certificate_key_type_unknown), ("signature", "digest")),
    "certificate in the CMS with an invalid version": (
        on_field(tamper.certificate_version_invalid), ("signature", "digest")),
    # shadow attacks made entirely after signing
    "FreeText annotation covering the text": (
        lambda pdf: tamper.covering_annotation(pdf, "/FreeText"), ("unchanged_after_signing",)),
    "Stamp annotation covering the text": (
        lambda pdf: tamper.covering_annotation(pdf, "/Stamp"), ("unchanged_after_signing",)),
    "trailer /Root swapped for a catalog with other /Pages": (tamper.swap_root, ("unchanged_after_signing",)),
    "comment (/Text) added": (tamper.comment_annotation, ("unchanged_after_signing",)),
    "empty signature field added": (tamper.add_signature_field, ("unchanged_after_signing",)),
    # truncation: the unsigned revision is what is left
    "truncated right after the first %%EOF": (tamper.truncate_after_first_eof, ("all_parties_signed",)),
    # an unreadable end, or (reading the revision before it) an unsigned pact, or a byte range that
    # runs past the end of the file: each says truthfully that this is not the signed pact
    "truncated mid-signature": (on_field(tamper.truncate_mid_signature), ("readable", "all_parties_signed")),
    "truncated mid-xref": (tamper.truncate_mid_xref, ("readable", "all_parties_signed")),
    "last byte cut off": (tamper.truncate_last_byte, ("byte_range", "readable")),
}


@pytest.mark.parametrize("attack", ON_SIGNED)
def test_attack_on_a_signed_pact_is_rejected_for_its_reason(attack: str, signed: bytes, putu: Identity) -> None:
    make, reasons = ON_SIGNED[attack]
    assert_rejected(verdict(make(signed), putu), *reasons)


WORDING: dict[str, tuple[Attack, tuple[str, ...]]] = {
    "new /Contents stream for page 1": (tamper.replace_page_contents, ("page", "halaman")),
    "stream appended to page 1's /Contents": (tamper.append_page_contents, ("page", "halaman")),
    "FreeText annotation": (tamper.covering_annotation, ("annotation", "anotasi")),
    "empty signature field added": (tamper.add_signature_field, ("signature field", "kolom tanda tangan")),
    "truncated right after the first %%EOF": (tamper.truncate_after_first_eof, (
        "not signed", "unsigned", "no signature", "belum ditandatangani", "tidak ditandatangani")),
}


@pytest.mark.parametrize("attack", WORDING)
def test_the_reason_says_what_happened(attack: str, signed: bytes, putu: Identity) -> None:
    make, words = WORDING[attack]
    assert_says(verdict(make(signed), putu), *words)


# -- shadow attacks planted before signing, sprung after ---------------------------------------------
# The attacker hands the signer a pact with the shadow already inside, rewritten as one revision
# so it looks rendered that way. pakta sign refuses it and as_rendered fails it; signed all the same
# (by a careless tool), what must never pass either is the update that springs the shadow.

SHADOWS: dict[str, tuple[Attack, Attack, tuple[str, ...]]] = {
    "optional content switched on": (tamper.prepare_hidden_layer, tamper.reveal_hidden_layer,
                                     ("optional", "opsional")),
    # pyHanko's own policy calls this form filling and allows it after an approval signature
    "text field value and appearance changed": (tamper.prepare_text_field, tamper.change_text_field,
                                                (tamper.TEXT_FIELD, "form field")),
}


@pytest.mark.parametrize("shadow", SHADOWS)
def test_shadow_sprung_after_signing(shadow: str, unsigned: bytes, putu: Identity) -> None:
    plant, spring, words = SHADOWS[shadow]
    signed_with_shadow = sign_prepared(single_revision(plant(unsigned)), SIGNER, putu)
    assert_rejected(verdict(signed_with_shadow, putu), "as_rendered")
    v = verdict(spring(signed_with_shadow), putu)
    assert_rejected(v, "unchanged_after_signing")
    assert_says(v, *words)
    assert not any("signed field" in reason for reason in v.reasons)  # a text field holds no signature


def test_planted_shadow_does_not_reproduce(unsigned: bytes, putu: Identity) -> None:
    """Signed with the hidden layer inside, the pact verifies but is no longer its own rendering."""
    signed_with_layer = sign_prepared(single_revision(tamper.prepare_hidden_layer(unsigned)), SIGNER, putu)
    assert_rejected(verdict(signed_with_layer, putu, reproduce=True), "reproduces")


def test_logo_xobject_redefined_by_object_number(logo_pact: bytes, putu: Identity) -> None:
    v = verdict(tamper.redefine_image(sign(logo_pact, SIGNER, putu)), putu)
    assert_rejected(v, "unchanged_after_signing")


# -- signature fields and signatures added, moved, forged ------------------------------------------


def test_signature_by_an_untrusted_key_in_a_new_field(signed: bytes, putu: Identity, mallory: Identity) -> None:
    """pakta sign only signs a party's field; an attacker's own PAdES tool signs anything."""
    v = verdict(identities.pyhanko_sign(signed, "pakta-witness-9", mallory), putu)
    assert_rejected(v, "trusted")


def test_first_signature_copied_into_the_second_partys_field(putu: Identity, made_atasan: Identity) -> None:
    """Both fields would hold a signature that verifies, but over the first signer's revision."""
    half = sign(rendered(TWO_PARTIES), SIGNER, putu)
    v = verdict(tamper.copy_signature_into_field(half, SIGNER, SUPERIOR), putu, made_atasan)
    assert_rejected(v, "byte_range")


def test_signature_transplanted_from_another_pact(unsigned: bytes, putu: Identity) -> None:
    other = sign(rendered(ONE_PARTY.replace("Bersikap transparan", "Bersikap terbuka")), SIGNER, putu)
    target = sign(unsigned, SIGNER, putu)
    v = verdict(tamper.transplant(other, target, SIGNER), putu)
    assert_rejected(v, "digest")


# -- keys outside the trust roots ------------------------------------------------------------------


def test_self_signed_impostor_copying_a_trusted_certificate(unsigned: bytes, putu: Identity) -> None:
    """Same subject DN, serialNumber (NIP), serial number, issuer name and validity; other key."""
    fake = identities.impostor(putu.cert)
    assert fake.cert.subject == putu.cert.subject and fake.cert.issuer == putu.cert.issuer
    v = verdict(sign(unsigned, SIGNER, fake), putu)
    assert_rejected(v, "trusted")


def test_impostor_naming_the_trusted_ca_as_its_issuer(unsigned: bytes) -> None:
    root = identities.authority()
    real = identities.issued(root, "Putu Contoh", NIP, "Sekretaris")
    fake = identities.impostor(real.cert)  # issuer name = the root's subject, signed by its own key
    v = verdict(sign(unsigned, SIGNER, fake), root)
    assert_rejected(v, "trusted")


def test_impostor_issued_by_a_lookalike_of_the_trusted_ca(unsigned: bytes) -> None:
    root = identities.authority()
    real = identities.issued(root, "Putu Contoh", NIP, "Sekretaris")
    fake_root = identities.lookalike_authority(root.cert)
    fake = identities.impostor(real.cert, fake_issuer=fake_root)
    v = verdict(sign(unsigned, SIGNER, fake), root)
    assert_rejected(v, "trusted")


@pytest.mark.parametrize("as_ca", [True, False], ids=["CA certificate", "key-agreement-only certificate"])
def test_certificate_not_meant_for_signing_documents(as_ca: bool, unsigned: bytes) -> None:
    """Issued by the trusted CA, with the party's NIP, but not for signing: pakta sign refuses such a
    certificate (keys.check_signing_certificate), so a verifier must not accept what it makes."""
    root = identities.authority()
    other_purpose = identities.issued_for_another_purpose(root, "Putu Contoh", NIP, as_ca=as_ca)
    v = verdict(sign(unsigned, SIGNER, other_purpose), root)
    assert_rejected(v, "trusted", "signature")


# -- what the pact carries -------------------------------------------------------------------------


def test_signed_pact_whose_definition_does_not_match_its_manifest(unsigned: bytes, putu: Identity) -> None:
    """Tampered before signing (the signer signed what they were handed): the signature holds,
    the embedded hashes do not."""
    inconsistent = tamper.flip_definition_byte(unsigned, b"Putu Contoh", b"Putu Cantoh")
    v = verdict(sign_prepared(inconsistent, SIGNER, putu), putu)
    assert_rejected(v, "embedded_hashes")


def test_pact_is_not_the_definition_the_auditor_holds(signed: bytes, putu: Identity) -> None:
    from pakta_cli.render import canonical_definition

    other = canonical_definition(parse_definition(ONE_PARTY.replace("Sekretaris", "Bendahara"), "t.yaml", Path(".")))
    v = verdict(signed, putu, definition=other)
    assert_rejected(v, "definition")


# -- the honest cases pass -------------------------------------------------------------------------


def assert_valid(v: Verdict, fields: list[str]) -> None:
    assert v.ok, v.reasons
    assert failed_checks(v) == set()
    assert [s.field for s in v.signatures] == fields


def test_one_party_signed_is_valid(signed: bytes, putu: Identity) -> None:
    assert_valid(verdict(signed, putu, reproduce=True), [SIGNER])


def test_two_parties_signed_in_order_are_valid(putu: Identity, made_atasan: Identity) -> None:
    first = sign(rendered(TWO_PARTIES), SIGNER, putu)
    both = sign(first, SUPERIOR, made_atasan)
    assert_valid(verdict(both, putu, made_atasan, reproduce=True), [SIGNER, SUPERIOR])
    # and half-signed is not yet valid
    assert_rejected(verdict(first, putu, made_atasan), "all_parties_signed")


def test_ca_issued_certificate_is_valid_when_the_ca_is_trusted(unsigned: bytes) -> None:
    root = identities.authority()
    official = identities.issued(root, "Putu Contoh", NIP, "Sekretaris")
    assert_valid(verdict(sign(unsigned, SIGNER, official), root), [SIGNER])


# -- through the command line ----------------------------------------------------------------------

runner = CliRunner()


def run_verify(tmp_path: Path, data: bytes, trusted: Identity) -> tuple[int, str]:
    pdf, cert = tmp_path / "pakta.pdf", tmp_path / "trusted.crt"
    pdf.write_bytes(data)
    cert.write_bytes(trusted.pem())
    result = runner.invoke(app, ["verify", str(pdf), "--trust", str(cert)])
    return result.exit_code, result.stdout


def flat(text: str) -> str:
    """Output without line wrapping or table borders, lower case, for finding a phrase in it."""
    return " ".join(text.replace("│", " ").replace("┃", " ").split()).lower()


def test_cli_accepts_the_honest_pact(tmp_path: Path, signed: bytes, putu: Identity) -> None:
    code, out = run_verify(tmp_path, signed, putu)
    assert code == 0, out


CLI_ATTACKS: dict[str, Callable[[bytes], bytes]] = {
    "page content replaced": tamper.replace_page_contents,
    "unsigned revision": tamper.truncate_after_first_eof,
    "covering annotation": tamper.covering_annotation,
    "byte range wrapped": lambda pdf: tamper.wrap_byte_range(pdf, SIGNER),
}


@pytest.mark.parametrize("attack", CLI_ATTACKS)
def test_cli_rejects_with_the_reason(attack: str, tmp_path: Path, signed: bytes, putu: Identity) -> None:
    data = CLI_ATTACKS[attack](signed)
    code, out = run_verify(tmp_path, data, putu)
    assert code == 1, out
    reasons = [message.en for _, message in verdict(data, putu).failures]  # the CLI speaks English here
    assert reasons and any(flat(reason)[:40] in flat(out) for reason in reasons), out


def test_cli_rejects_an_impostor(tmp_path: Path, unsigned: bytes, putu: Identity) -> None:
    code, out = run_verify(tmp_path, sign(unsigned, SIGNER, identities.impostor(putu.cert)), putu)
    assert code == 1, out
    assert "trust" in flat(out) or "percaya" in flat(out), out
