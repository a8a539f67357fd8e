"""Signing as a library: which party, what one revision changes, the CMS, and pyHanko's verdict."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from pakta_cli.certificates import Identity, load_certificate
from pakta_cli.cli.targets import plan_jobs
from pakta_cli.cli.wording import worded
from pakta_cli.dates import MONTHS
from pakta_cli.errors import InputError, KeyFileError, SigningError
from pakta_cli.keyid import key_id
from pakta_cli.pactfile import Party
from pakta_cli.sign import (
    Credentials,
    SignJob,
    SignOptions,
    choose_party,
    load_credentials,
    sign_files,
    sign_pdf,
)
from pakta_cli.stamp import STAMP_HEADING
from pakta_cli.zones import format_signing_time, parse_zone
from tests.conftest import (
    AYU,
    MADE,
    PASSPHRASE,
    WITNESS,
    make_ca,
    make_identity,
    rendered_pact,
    sha256,
    signed_pact,
)


def now() -> dt.datetime:
    """The signing time a test pins: now, inside the validity of certificates the test just made (a
    time taken when the module loads may precede a certificate made minutes later on a slow machine)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


WHEN = dt.datetime(2026, 1, 8, 1, 30, tzinfo=dt.UTC)  # for stamps drawn without a certificate
WITA = dt.timezone(dt.timedelta(hours=8))


def creds(pair: tuple[Path, Path], chain: tuple[Path, ...] = ()) -> Credentials:
    return load_credentials(pair[0], PASSPHRASE, pair[1], chain)


def validate(pdf: bytes, *roots: Path) -> list[Any]:
    """pyHanko's own validator, with the given certificates as the only trust roots."""
    reader = PdfFileReader(io.BytesIO(pdf))
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(root)) for root in roots])
    return [validate_pdf_signature(sig, context) for sig in reader.embedded_signatures]


def assert_valid(statuses: list[Any], count: int) -> None:
    assert len(statuses) == count
    for status in statuses:
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.bottom_line, status.pretty_print_details()


# --- interoperability ---------------------------------------------------------------------------


def test_pyhanko_validates_self_signed_signature(pact: Path, ayu: tuple[Path, Path]) -> None:
    signed = sign_pdf(pact.read_bytes(), creds(ayu), SignOptions(zone=parse_zone("WITA")), str(pact))
    assert (signed.field, signed.party, signed.match) == ("pakta-signer-1", AYU["name"], "nip")
    assert_valid(validate(signed.pdf, ayu[1]), 1)


def test_pyhanko_validates_with_the_ca_root(tmp_path: Path, pact: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    pair = make_identity(tmp_path / "k", AYU["name"], AYU["nip"], authority)
    signed = sign_pdf(pact.read_bytes(), creds(pair, (authority.paths.cert,)), SignOptions(), str(pact))
    assert_valid(validate(signed.pdf, authority.paths.cert), 1)
    # and without the CA certificate embedded, the root still anchors it
    bare = sign_pdf(pact.read_bytes(), creds(pair), SignOptions(), str(pact))
    assert_valid(validate(bare.pdf, authority.paths.cert), 1)


def test_two_parties_sign_in_turn_and_both_validate(tmp_path: Path, pact: Path, ayu: tuple[Path, Path],
                                                    made: tuple[Path, Path]) -> None:
    first = signed_pact(tmp_path, pact, [ayu])
    both = signed_pact(tmp_path, first, [made], name="both.pdf")
    data = both.read_bytes()
    assert data.startswith(first.read_bytes())  # an incremental update: earlier bytes untouched
    statuses = validate(data, ayu[1], made[1])
    assert_valid(statuses, 2)
    assert [s.signer_reported_dt for s in statuses] != [None, None]
    reader = PdfFileReader(io.BytesIO(data))
    assert [s.field_name for s in reader.embedded_signatures] == ["pakta-signer-1", "pakta-superior-1"]


def test_untrusted_signer_is_not_trusted(pact: Path, ayu: tuple[Path, Path], made: tuple[Path, Path]) -> None:
    signed = sign_pdf(pact.read_bytes(), creds(ayu), SignOptions(), str(pact))
    (status,) = validate(signed.pdf, made[1])
    assert status.intact and status.valid and not status.trusted


# --- what one revision changes ------------------------------------------------------------------


def _reachable(obj: Any, reader: PdfFileReader, seen: set[Any]) -> None:
    if isinstance(obj, generic.IndirectObject):
        ref = obj.reference
        if ref in seen:
            return
        seen.add(ref)
        _reachable(obj.get_object(), reader, seen)
    elif isinstance(obj, dict):
        for value in obj.values():
            _reachable(value, reader, seen)
    elif isinstance(obj, list):
        for value in obj:
            _reachable(value, reader, seen)


def revision_changes(data: bytes) -> tuple[dict[Any, tuple[Any, Any]], set[Any], PdfFileReader]:
    """(updated objects: ref -> (before, after), added refs, reader) of the last revision."""
    reader = PdfFileReader(io.BytesIO(data))
    last = reader.xrefs.total_revisions - 1
    updated: dict[Any, tuple[Any, Any]] = {}
    added: set[Any] = set()
    before = reader.get_historical_resolver(last - 1)
    for ref in reader.xrefs.explicit_refs_in_revision(last):
        if reader.xrefs.get_introducing_revision(ref) < last:
            updated[ref] = (before.get_object(ref), reader.get_object(ref))
        else:
            added.add(ref)
    return updated, added, reader


@pytest.mark.parametrize("signers", [1, 2])
def test_revision_changes_only_the_field_sigflags_and_new_objects(
    tmp_path: Path, ayu: tuple[Path, Path], made: tuple[Path, Path], signers: int
) -> None:
    pdf = rendered_pact(tmp_path / "p", verify_url="https://kpu-bali.go.id/cek")
    result = signed_pact(tmp_path, pdf, [ayu, made][:signers])
    updated, added, reader = revision_changes(result.read_bytes())
    field_name = ["pakta-signer-1", "pakta-superior-1"][signers - 1]
    acroform_ref = reader.root.raw_get("/AcroForm").reference
    field_refs = [ref for ref, (_, after) in updated.items() if after.get("/T") == field_name]
    assert len(field_refs) == 1
    field_ref = field_refs[0]
    old_field, new_field = updated.pop(field_ref)
    assert set(new_field) - set(old_field) == {"/V", "/AP"}
    assert all(new_field[k] == old_field[k] for k in old_field)
    if signers == 1:  # the first signer sets /SigFlags; later signers find it set
        old_form, new_form = updated.pop(acroform_ref)
        assert set(new_form) - set(old_form) == {"/SigFlags"} and new_form["/SigFlags"] == 3
        assert all(new_form[k] == old_form[k] for k in old_form)
    assert updated == {}  # no catalog, /Info, XMP, page or other change
    reachable: set[Any] = set()
    _reachable(new_field.raw_get("/V"), reader, reachable)
    _reachable(new_field.raw_get("/AP"), reader, reachable)
    assert added <= reachable  # every new object hangs off the signature or its stamp
    # and what they reach besides is the pact's own (the stamp is set in the pact's embedded fonts)
    assert all(reader.xrefs.get_introducing_revision(ref) == 0 for ref in reachable - added)
    assert "/Metadata" not in reader.root and "/Extensions" not in reader.root and "/Version" not in reader.root
    assert "/DSS" not in reader.root and "/Perms" not in reader.root


def test_signature_dictionary_and_cms(tmp_path: Path, pact: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    pair = make_identity(tmp_path / "k", AYU["name"], AYU["nip"], authority)
    when = now()
    signed = sign_pdf(pact.read_bytes(), creds(pair, (authority.paths.cert,)),
                      SignOptions(zone=parse_zone("WITA"), when=when), str(pact))
    reader = PdfFileReader(io.BytesIO(signed.pdf))
    (sig,) = reader.embedded_signatures
    obj = sig.sig_object
    assert obj["/SubFilter"] == "/ETSI.CAdES.detached" and obj["/Filter"] == "/Adobe.PPKLite"
    assert obj["/Name"] == AYU["name"]
    assert str(obj["/M"]) == when.astimezone(WITA).strftime("D:%Y%m%d%H%M%S+08'00'")
    signer_info = sig.signer_info
    assert signer_info["digest_algorithm"]["algorithm"].native == "sha512"
    assert signer_info["signature_algorithm"]["algorithm"].native == "ed25519"
    attributes = [a["type"].native for a in signer_info["signed_attrs"]]
    assert sorted(attributes) == ["content_type", "message_digest", "signing_certificate_v2"]
    certificates = [c.chosen.dump() for c in sig.signed_data["certificates"]]
    assert certificates[0] == load_cert_from_pemder(str(pair[1])).dump()
    assert certificates[1] == load_cert_from_pemder(str(authority.paths.cert)).dump()
    assert sig.self_reported_timestamp == when


# --- which party --------------------------------------------------------------------------------

PARTIES = [
    Party("pakta-signer-1", "signer", "Ayu", "198609262015051001"),
    Party("pakta-superior-1", "superior", "Made", "197501012000031002", "00112233445566aa"),
    Party("pakta-witness-1", "witness", "Saksi"),
    Party("pakta-witness-2", "witness", "Kadek Anggota PPS", nik="5171045501900002"),
]


def pick(parties: list[Party], signed: set[str], *, source: str = "p", signer: str = "Saksi",
         nip: str | None = None, nik: str | None = None, **given: Any) -> tuple[Party, str]:
    return choose_party(parties, signed, source=source, identity=Identity(signer, nip, nik=nik), **given)


def test_party_by_pinned_key_then_nip() -> None:
    assert pick(PARTIES, set(), key="00112233445566aa", nip=None, explicit=None) == (
        PARTIES[1], "key_id")
    assert pick(PARTIES, set(), key="ffff", nip="198609262015051001", explicit=None) == (
        PARTIES[0], "nip")


def test_pinned_party_refuses_another_key_even_with_its_nip() -> None:
    with pytest.raises(SigningError, match="must be signed with key id 00112233445566aa; this key is ffff"):
        pick(PARTIES, set(), key="ffff", nip="197501012000031002", explicit=None)
    with pytest.raises(SigningError, match="must be signed by Made's key 00112233445566aa, not by key ffff"):
        pick(PARTIES, set(), key="ffff", nip="197501012000031002", explicit="Made")


def test_no_match_names_the_expected_parties() -> None:
    with pytest.raises(SigningError) as caught:
        pick(PARTIES, set(), key="ffff", nip="199001012015011001", explicit=None, source="p.pdf",
             signer="Mallory")
    message = caught.value.message
    assert message.startswith("p.pdf: this signer (key id ffff, NIP 199001012015011001) is none of the parties")
    for text in ("pakta-signer-1 (Ayu, NIP 198609262015051001)", "pakta-witness-1 (Saksi, no NIP)",
                 "pakta-witness-2 (Kadek Anggota PPS, NIK 5171********0002)"):
        assert text in message
    assert "5171045501900002" not in message  # a NIK is personal data: never printed whole
    # the certificate's name is no party's: no hint to claim a block by name
    assert "--party" not in (worded(caught.value)[1] or "") and caught.value.about is None


def test_the_party_hint_is_for_the_person_whose_name_it_is() -> None:
    with pytest.raises(SigningError) as caught:
        pick(PARTIES, set(), key="ffff", explicit=None, signer="saksi")
    assert caught.value.hint is not None and "--" not in caught.value.hint  # the library names no flag...
    assert '--party "Saksi"' in (worded(caught.value)[1] or "")  # ...the command line does


def test_ad_hoc_member_matches_by_nik() -> None:
    assert pick(PARTIES, set(), key="ffff", nik="5171045501900002", explicit=None,
                signer="Kadek Anggota PPS") == (PARTIES[3], "nik")
    with pytest.raises(SigningError, match="NIK"):
        pick(PARTIES, set(), key="ffff", nik="5171045501900003", explicit="pakta-witness-2",
             signer="Kadek Anggota PPS")


def test_explicit_party_for_parties_without_nip_is_weak() -> None:
    assert pick(PARTIES, set(), key="ffff", nip=None, explicit="saksi") == (PARTIES[2], "name")
    assert pick(PARTIES, set(), key="ffff", nip=None, explicit="pakta-witness-1")[1] == "name"
    with pytest.raises(SigningError, match=r"the certificate's NIP \(none\) is not Ayu's NIP"):
        pick(PARTIES, set(), key="ffff", nip=None, explicit="Ayu")
    with pytest.raises(SigningError, match="no party 'Nobody'"):
        pick(PARTIES, set(), key="ffff", nip=None, explicit="Nobody")


def test_explicit_party_needs_a_certificate_in_that_partys_name() -> None:
    # --party must not let one person's key fill another person's block
    with pytest.raises(SigningError, match=r"pakta-witness-1 \(Saksi\): signer Ni Made Ayu is not Saksi"):
        pick(PARTIES, set(), key="ffff", nip=None, explicit="pakta-witness-1", signer="Ni Made Ayu")
    assert pick(PARTIES, set(), key="ffff", nip=None, explicit="Saksi", signer="  saksi ")[0] == PARTIES[2]


def test_a_nip_that_fits_two_parties_is_refused() -> None:
    twins = [Party("pakta-signer-1", "signer", "Ayu", "198609262015051001"),
             Party("pakta-superior-1", "superior", "Made", "198609262015051001")]
    with pytest.raises(SigningError, match="this signer's NIP fits 2 parties"):
        pick(twins, set(), key="ffff", nip="198609262015051001", explicit=None)


def test_already_signed_field() -> None:
    with pytest.raises(SigningError, match="pakta-signer-1 \\(Ayu\\) is already signed"):
        pick(PARTIES, {"pakta-signer-1"}, key="ffff", nip="198609262015051001", explicit=None)


def test_pinned_key_signs_through_a_rendered_pact(tmp_path: Path) -> None:
    pair = make_identity(tmp_path / "k", "Komisioner", None)
    pinned = {"role": "superior", "name": "Komisioner", "key_id": key_id(load_certificate(pair[1]).public_key())}
    pdf = rendered_pact(tmp_path / "p", [AYU, pinned], signing_order="any")  # the superior first: not the point here
    signed = sign_pdf(pdf.read_bytes(), creds(pair), SignOptions(), str(pdf))
    assert (signed.field, signed.match) == ("pakta-superior-1", "key_id")


def test_party_without_nip_needs_party_option(tmp_path: Path) -> None:
    pair = make_identity(tmp_path / "k", WITNESS["name"], None)
    pdf = rendered_pact(tmp_path / "p", [AYU, WITNESS], signing_order="any")  # the witness first: not the point
    with pytest.raises(SigningError, match="none of the parties"):
        sign_pdf(pdf.read_bytes(), creds(pair), SignOptions(), str(pdf))
    signed = sign_pdf(pdf.read_bytes(), creds(pair), SignOptions(party=WITNESS["name"]), str(pdf))
    assert (signed.field, signed.match) == ("pakta-witness-1", "name")
    assert_valid(validate(signed.pdf, pair[1]), 1)


# --- other PDFs and bad inputs --------------------------------------------------------------------


def _foreign_pdf() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(100, 700, "Surat biasa, bukan pakta")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_other_pdfs_need_any_pdf(ayu: tuple[Path, Path]) -> None:
    data = _foreign_pdf()
    with pytest.raises(SigningError, match="not a pact rendered by pakta"):
        sign_pdf(data, creds(ayu), SignOptions(), "letter.pdf")
    signed = sign_pdf(data, creds(ayu), SignOptions(any_pdf=True), "letter.pdf")
    assert (signed.field, signed.party, signed.match) == ("pakta-signature-1", None, "any-pdf")
    assert_valid(validate(signed.pdf, ayu[1]), 1)
    again = sign_pdf(signed.pdf, creds(ayu), SignOptions(any_pdf=True), "letter.pdf")
    assert again.field == "pakta-signature-2"
    assert_valid(validate(again.pdf, ayu[1]), 2)


def test_bad_pdfs(pact: Path, ayu: tuple[Path, Path]) -> None:
    with pytest.raises(InputError, match="not a PDF file"):
        sign_pdf(b"hello", creds(ayu), SignOptions(), "x.pdf")
    data = pact.read_bytes()
    with pytest.raises(InputError, match="damaged or unreadable PDF"):
        sign_pdf(data[: len(data) // 2], creds(ayu), SignOptions(), "x.pdf")


def test_certificate_outside_validity(tmp_path: Path, pact: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    old = make_identity(tmp_path / "k", AYU["name"], AYU["nip"], stem="old",
                        not_before=now - dt.timedelta(days=30), not_after=now - dt.timedelta(days=1))
    with pytest.raises(KeyFileError, match="certificate expired on"):
        creds(old)
    future = make_identity(tmp_path / "k", AYU["name"], AYU["nip"], stem="future",
                           not_before=now + dt.timedelta(days=1), not_after=now + dt.timedelta(days=30))
    with pytest.raises(KeyFileError, match="not valid yet"):
        creds(future)
    fine = creds(make_identity(tmp_path / "k", AYU["name"], AYU["nip"], stem="fine"))
    with pytest.raises(KeyFileError, match="expired"):
        sign_pdf(pact.read_bytes(), fine, SignOptions(when=now + dt.timedelta(days=400)), "p.pdf")


def test_ca_certificate_cannot_sign(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    with pytest.raises(KeyFileError, match="is a CA certificate"):
        load_credentials(authority.paths.key, PASSPHRASE, authority.paths.cert)


# --- the stamp ------------------------------------------------------------------------------------


def _stamp(pdf: bytes, field_name: str) -> tuple[bytes, list[str]]:
    """The stamp's operators in `field_name`, and the lines it shows (read with the pact's fonts)."""
    from pakta_cli import stamp
    from pakta_cli.verify import read_pact

    pact = read_pact(pdf)
    doc = pact.doc
    widget = doc.get(pact.fields[field_name].widget)
    xobject = doc.resolve(widget["AP"]["N"])
    assert "Filter" not in xobject.dict  # uncompressed: the same bytes whatever zlib a machine has
    content = doc.decode(xobject)
    form = doc.get(pact.acroform)
    return content, stamp.shown(content, stamp.fonts_of(doc, form, len(doc.revisions)))


def test_stamp_shows_who_when_key_and_qr(tmp_path: Path, ayu: tuple[Path, Path]) -> None:
    pdf = rendered_pact(tmp_path / "p", verify_url="https://kpu-bali.go.id/cek")
    credentials = creds(ayu)
    when = now()
    signed = sign_pdf(pdf.read_bytes(), credentials, SignOptions(zone=parse_zone("WITA"), when=when), str(pdf))
    content, lines = _stamp(signed.pdf, "pakta-signer-1")
    local = when.astimezone(WITA)
    assert lines == [
        STAMP_HEADING, AYU["name"], AYU["position"], "NIP 19860926 201505 1 001",
        f"{local.day} {MONTHS['id'][local.month - 1]} {local.year} {local:%H:%M} WITA",
        f"ID kunci {credentials.key_id}",
    ]
    assert content.count(b" re\n") > 50  # the QR modules
    assert b"BSrE" not in signed.pdf and b"BSSN" not in signed.pdf
    assert all(b" 7.0 Tf " in line for line in content.splitlines() if b" Tf " in line)  # never below 7 pt


def test_stamp_without_verify_url_has_no_qr(pact: Path, ayu: tuple[Path, Path]) -> None:
    signed = sign_pdf(pact.read_bytes(), creds(ayu), SignOptions(), str(pact))
    assert b" re\n" not in _stamp(signed.pdf, "pakta-signer-1")[0]


def test_stamp_wraps_a_long_name_to_two_lines_and_folds_letters(tmp_path: Path) -> None:
    from pakta_cli import stamp
    from pakta_cli.verify import read_pact

    pdf = rendered_pact(tmp_path / "p").read_bytes()
    pact = read_pact(pdf)
    fonts = stamp.fonts_of(pact.doc, pact.doc.get(pact.acroform), 1)
    name = "Prof. Dr. Ir. Anak Agung Ngurah (Gede) \\ Wiranatakusuma Śrī Padmanegara Sukmajaya, S.H., M.Hum."
    said = stamp.StampText(name, "Kepala Bagian Hukum, Teknis dan Hubungan Masyarakat Sekretariat KPU",
                           None, WHEN, "0011223344556677")
    content = stamp.stamp_content(175.75, 68.03, said, "https://contoh.go.id/cek/pact/" + "0" * 32, fonts)
    lines = stamp.shown(content, fonts)
    name_lines = lines[1:3]
    assert name_lines[0].startswith("Prof. Dr. Ir. Anak Agung") and name_lines[1].endswith("\u2026")
    assert "Sri" in " ".join(lines) and "Ś" not in " ".join(lines)  # outside Windows-1252: its base letter
    assert b"(" not in content  # every string is hex: no name can hold PDF syntax
    assert lines[-1] == "ID kunci 0011223344556677"


def test_the_verifier_reads_the_qr_mask_back_from_the_stamp(tmp_path: Path) -> None:
    """Verify draws the stamp again with the mask the stamp shows, instead of choosing it again."""
    from pakta_cli import stamp
    from pakta_cli.verify import read_pact

    pact = read_pact(rendered_pact(tmp_path / "p").read_bytes())
    fonts = stamp.fonts_of(pact.doc, pact.doc.get(pact.acroform), 1)
    said = stamp.StampText("Ayu", None, None, WHEN, "0011223344556677")
    chosen = set()
    for number in range(12):
        url = f"https://kab-kediri.kpu.go.id/pakta/pact/{number * 7919:032x}"
        best = stamp.stamp_content(175.75, 68.03, said, url, fonts)
        mask = stamp.qr_mask_drawn(best)
        assert mask is not None and stamp.stamp_content(175.75, 68.03, said, url, fonts, mask) == best
        chosen.add(mask)
        for other in range(8):
            assert stamp.qr_mask_drawn(stamp.stamp_content(175.75, 68.03, said, url, fonts, other)) == other
    assert len(chosen) > 1  # the mask is chosen per address, not fixed
    assert stamp.qr_mask_drawn(stamp.stamp_content(175.75, 68.03, said, None, fonts)) is None
    from qrcode.util import BCH_type_info  # the format bits are read as the library writes them

    assert all(stamp._format_bits(data) == BCH_type_info(data) for data in range(32))


def test_zones() -> None:
    assert parse_zone("WITA").label == "WITA" and parse_zone("Asia/Makassar").offset_minutes == 480
    assert parse_zone("wib").label == "WIB" and parse_zone("Asia/Jayapura").label == "WIT"
    assert parse_zone("+05:30").label == "+05:30" and parse_zone("-0300").offset_minutes == -180
    assert parse_zone("Europe/Amsterdam").label in ("+01:00", "+02:00")
    with pytest.raises(InputError, match="unknown time zone"):
        parse_zone("Mars/Olympus")
    moment = dt.datetime(2026, 1, 2, 1, 30, 15, tzinfo=dt.UTC)
    assert format_signing_time(moment, parse_zone("WIT")) == "2026-01-02 10:30:15 WIT"


# --- files and batches --------------------------------------------------------------------------


def test_plan_jobs_refuses_surprises(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "x.pdf", tmp_path / "b" / "x.pdf"
    with pytest.raises(InputError, match="say where the signed PDFs go"):
        plan_jobs([a], output=None, out_dir=None, in_place=False, force=False)
    with pytest.raises(InputError, match="-o names one output file"):
        plan_jobs([a, b], output=tmp_path / "o.pdf", out_dir=None, in_place=False, force=False)
    with pytest.raises(InputError, match="would both be written"):
        plan_jobs([a, b], output=None, out_dir=tmp_path / "out", in_place=False, force=False)
    with pytest.raises(InputError, match="is the input"):
        plan_jobs([a], output=a, out_dir=None, in_place=False, force=False)
    assert len(plan_jobs([a, a], output=None, out_dir=None, in_place=True, force=False)) == 1


def test_batch_one_bad_file_does_not_stop_the_others(tmp_path: Path, ayu: tuple[Path, Path]) -> None:
    good = [rendered_pact(tmp_path / "in", name=f"p{i}.pdf") for i in range(4)]
    bad = tmp_path / "in" / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    sources = [*good[:2], bad, *good[2:]]
    jobs = plan_jobs(sources, output=None, out_dir=tmp_path / "out", in_place=False, force=False)
    (tmp_path / "out").mkdir()
    outcomes = sign_files(jobs, creds(ayu), SignOptions(), workers=2)
    assert [o.ok for o in outcomes] == [True, True, False, True, True]
    assert outcomes[2].error == f"{bad}: not a PDF file"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["p0.pdf", "p1.pdf", "p2.pdf", "p3.pdf"]
    for outcome in outcomes:
        if outcome.ok:
            assert_valid(validate(Path(outcome.target).read_bytes(), ayu[1]), 1)


def test_sign_file_in_place_keeps_the_mode(pact: Path, ayu: tuple[Path, Path]) -> None:
    pact.chmod(0o640)
    before = sha256(pact)
    from pakta_cli.sign import sign_file

    sign_file(SignJob(pact, pact, True), creds(ayu), SignOptions())
    assert sha256(pact) != before and pact.stat().st_mode & 0o777 == 0o640
    assert_valid(validate(pact.read_bytes(), ayu[1]), 1)


def test_superior_is_matched_in_many_subordinates_pacts(tmp_path: Path, made: tuple[Path, Path]) -> None:
    staff = [{"role": "signer", "name": f"Staf {i}", "nip": f"19900101201501100{i}"} for i in range(1, 4)]
    # in any order, so the superior can sign before the staff: the matching is what this test is about
    pdfs = [rendered_pact(tmp_path / "in", [person, MADE], name=f"{i}.pdf", signing_order="any")
            for i, person in enumerate(staff)]
    jobs = plan_jobs(pdfs, output=None, out_dir=None, in_place=True, force=False)
    outcomes = sign_files(jobs, creds(made), SignOptions(), workers=1)
    assert {(o.field, o.match) for o in outcomes} == {("pakta-superior-1", "nip")}


def test_a_name_of_any_length_is_shortened_in_a_few_measures() -> None:
    """A certificate's name has no length limit, and verify rebuilds every stamp from what the CMS
    states: shortening it to its line must cost a few measures, not one per letter dropped."""
    from pakta_cli import stamp

    class CountingFont:
        measured = 0

        def width(self, text: str, size: float) -> float:
            self.measured += 1
            return len(text) * size * 0.5

    font = CountingFont()
    shortened = stamp._shorten("Ni Luh Ayu Sukmawati " * 5000, font, 100.0)  # type: ignore[arg-type]
    assert font.measured <= 40, font.measured
    # and it is the longest start of the name that fits, as dropping one letter at a time would find
    name = "Ni Luh Ayu Sukmawati, S.H. " * 20
    one_by_one = name
    while one_by_one and font.width(one_by_one.rstrip(" ,.") + stamp.ELLIPSIS, stamp.SIZE) > 100.0:
        one_by_one = one_by_one[:-1]
    assert stamp._shorten(name, font, 100.0) == one_by_one.rstrip(" ,.") + stamp.ELLIPSIS  # type: ignore[arg-type]
    assert shortened == stamp._shorten("Ni Luh Ayu Sukmawati " * 20, font, 100.0)  # type: ignore[arg-type]
