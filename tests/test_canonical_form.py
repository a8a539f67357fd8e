"""The families of forged pacts an independent attack set found VALID (issue 8), one test each.

Each family made pakta read a pact one way while a viewer read it another. The fix is one rule,
not a patch per trick: a VALID pact holds only the bytes pakta writes (`pakta_cli.pdf.writer`,
`pakta_cli.sigrevision`). These tests build each family from pacts rendered and signed at test
time, by the signer's own key where the family is the signer's (so the signature itself holds and
only the form gives the forgery away), and assert the verdict and its reason.

1. objects a repairing reader would find: in the trailer's /ID, behind a keyword with no end of
   line, past /Size, behind a free entry, in a cross-reference stream's dictionary;
2. references whose generation is not the object's;
3. a page tree whose /Count disagrees with its pages;
4. one widget on two pages;
5. a person's certificate with CA rights, given as that person's own, issuing others';
6. signature dictionary values (/Name, /Reason, /Location, /ContactInfo) pakta does not write;
7. bounded cost: a cross-reference stream with a huge /Index, a long predicted stream, a deflate bomb.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Callable

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from pakta_cli import certificates, keys
from pakta_cli.pdf.syntax import PdfError
from pakta_cli.verify import Verdict
from tests import test_attacks
from tests.attacks import prepared
from tests.attacks.forge import forge
from tests.attacks.identities import Identity
from tests.attacks.pdf import field_number, many_objects, page_number, root_number
from tests.conftest import verify_in_bounded_memory
from tests.test_attacks import NIP, ONE_PARTY, SIGNER, SUPERIOR, TWO_PARTIES, rendered, sign, verdict

putu, made_atasan = test_attacks.putu, test_attacks.made_atasan
unsigned, signed = test_attacks.unsigned, test_attacks.signed
NOT_PAKTAS = ("not in the form pakta sign writes", "malformed", "hides pdf structure", "not the one pakta writes",
              "not a pakta signature")


def failing(v: Verdict, check: str) -> str:
    checks = [*v.checks, *(c for s in v.signatures for c in s.checks)]
    details = [c.detail for c in checks if c.name == check and not c.ok]
    assert details, f"{check} did not fail: {v.reasons}"
    return "\n".join(details).lower()


def assert_forgery_refused(v: Verdict, check: str, *phrases: str) -> None:
    assert not v.ok, "a forged pact was VALID"
    said = failing(v, check)
    assert any(p.lower() in said for p in phrases), f"{check} says none of {phrases}: {said}"


def assert_signature_holds(v: Verdict, field: str = SIGNER) -> None:
    """The forger really signed: the cryptography holds, only the form gives the forgery away."""
    sig = next(s for s in v.signatures if s.field == field)
    for check in sig.checks:
        if check.name in ("byte_range", "digest", "signature", "trusted", "party"):
            assert check.ok, (check.name, check.detail)


@pytest.fixture(scope="module")
def two_pages() -> bytes:
    """A one-party pact long enough for two pages, the signature block on the second."""
    points = "".join(f"  - Butir komitmen nomor {n} yang panjang agar pakta ini mengisi dua halaman penuh "
                     "dengan kata-kata yang cukup banyak untuk satu baris atau lebih;\n" for n in range(1, 16))
    text = ONE_PARTY.replace("commitments:\n", "commitments:\n" + points)
    pdf = rendered(text)
    assert re.search(rb"/Count 2 ", pdf), "the fixture must have two pages"
    return pdf


# -- 1. objects where a repairing reader finds them ---------------------------------------------

HIDDEN_PAGE = b"\n%d 0 obj\n<< /Type /Page /Contents 1 0 R >>\nendobj\n"


def _in_id(pdf: bytes) -> Callable[[bytes], bytes]:
    """The trailer's second /ID as a literal string holding a page object."""
    page = HIDDEN_PAGE % page_number(pdf)

    def change(tail: bytes) -> bytes:
        return re.sub(rb"/ID \[(<[0-9A-F]+>) <[0-9A-F]+>\]", lambda m: b"/ID [" + m.group(1) + b" (" + page + b")]",
                      tail)
    return change


def _keyword_without_end_of_line(tail: bytes) -> bytes:
    return tail.replace(b"xref\n", b"xref ", 1)


def _entry_past_size(tail: bytes) -> bytes:
    size = int(re.search(rb"/Size (\d+)", tail).group(1))  # type: ignore[union-attr]
    return tail.replace(b"trailer\n", b"%d 1\n0000000010 00000 n \ntrailer\n" % (size + 5), 1)


def _free_entry(tail: bytes) -> bytes:
    return tail.replace(b"trailer\n", b"3 1\n0000000000 00001 f \ntrailer\n", 1)


REPAIR_BAIT: dict[str, Callable[[bytes], Callable[[bytes], bytes]]] = {
    "a page object inside the trailer's /ID string": _in_id,
    "xref keyword not followed by an end of line": lambda pdf: _keyword_without_end_of_line,
    "an entry past /Size": lambda pdf: _entry_past_size,
    "a free entry for an object of the rendered revision": lambda pdf: _free_entry,
}


@pytest.mark.parametrize("bait", REPAIR_BAIT)
def test_family_1_what_a_repairing_reader_would_find(bait: str, unsigned: bytes, putu: Identity) -> None:
    v = verdict(forge(unsigned, SIGNER, putu, tail=REPAIR_BAIT[bait](unsigned)), putu)
    assert_forgery_refused(v, "unchanged_after_signing", *NOT_PAKTAS, "removed after signing", "beyond /size")
    assert_signature_holds(v)


def test_family_1_an_object_in_a_cross_reference_stream_dictionary(unsigned: bytes, putu: Identity) -> None:
    """The signer's revision closed by a cross-reference stream whose dictionary carries a string
    with a page object in it (a viewer that rebuilds the table scans it)."""
    forged = prepared.signing_revision(unsigned, SIGNER, putu)
    forged = forged.replace(b"/Type /XRef", b"/Type /XRef /Hidden (" + HIDDEN_PAGE % page_number(unsigned) + b")", 1)
    v = verdict(forged, putu)
    assert not v.ok, "a forged pact was VALID"


# -- 2. generations ----------------------------------------------------------------------------------


def test_family_2_a_stamp_reference_with_another_generation(unsigned: bytes, putu: Identity) -> None:
    """/AP /N names the stamp as generation 1: viewers find no such object and draw nothing."""
    forged = forge(unsigned, SIGNER, putu, body=lambda text: re.sub(rb"/N (\d+) 0 R", rb"/N \1 1 R", text))
    assert_forgery_refused(verdict(forged, putu), "unchanged_after_signing", *NOT_PAKTAS, "changed after signing")


def test_family_2_a_page_content_reference_with_another_generation(unsigned: bytes) -> None:
    """Prepared before the first signature: page 1's /Contents is `N 1 R`, which a viewer reads as null."""
    objects = prepared.objects_of(unsigned)
    page = page_number(unsigned)
    changed = prepared.rewritten(unsigned, {page: re.sub(rb"/Contents (\d+) 0 R", rb"/Contents \1 1 R",
                                                         objects[page])})
    assert_forgery_refused(verdict(changed), "as_rendered", "generation 1")


# -- 3. the page tree --------------------------------------------------------------------------------


def test_family_3_a_page_count_that_hides_a_page(two_pages: bytes) -> None:
    """/Count 1 over two pages: some viewers show only the first, where no signature block is."""
    objects = prepared.objects_of(two_pages)
    tree = prepared.object_with(two_pages, b"/Type /Pages")
    changed = prepared.rewritten(two_pages, {tree: objects[tree].replace(b"/Count 2", b"/Count 1")})
    assert_forgery_refused(verdict(changed), "as_rendered", "/count 1 differs from its 2 pages")


def test_family_3_a_page_that_is_a_tree_node(two_pages: bytes) -> None:
    objects = prepared.objects_of(two_pages)
    tree = prepared.object_with(two_pages, b"/Type /Pages")
    kids = re.search(rb"/Kids \[(\d+) 0 R (\d+) 0 R\]", objects[tree])
    assert kids is not None
    first, second = int(kids.group(1)), int(kids.group(2))
    changed = prepared.rewritten(two_pages, {
        tree: objects[tree].replace(kids.group(0), b"/Kids [%d 0 R]" % first),
        first: objects[first].replace(b"/Type /Page", b"/Kids [%d 0 R] /Type /Page" % second)})
    assert_forgery_refused(verdict(changed), "as_rendered", "holds /kids", "/count 2 differs")


# -- 4. widgets -------------------------------------------------------------------------------------


def test_family_4_one_widget_on_two_pages(two_pages: bytes) -> None:
    """The signer's widget listed in both pages' /Annots: its stamp would show on a page it was not
    placed on, over text nobody checked it against."""
    objects = prepared.objects_of(two_pages)
    widget = field_number(two_pages, SIGNER)
    tree = prepared.object_with(two_pages, b"/Type /Pages")
    first = int(re.search(rb"/Kids \[(\d+) 0 R", objects[tree]).group(1))  # type: ignore[union-attr]
    page = objects[first]
    annots = b"/Annots [%d 0 R]" % widget
    changed_page = page.replace(b"/Contents", annots + b" /Contents", 1) if b"/Annots" not in page else page
    changed = prepared.rewritten(two_pages, {first: changed_page})
    assert_forgery_refused(verdict(changed), "as_rendered", "is listed on 2 pages", "its /p is not the page")


# -- 5. trust ---------------------------------------------------------------------------------------


def _person_with_ca_rights() -> Identity:
    """Putu's own certificate (name and NIP), self-signed, that also claims CA rights."""
    key = keys.generate_key()
    subject = certificates.Identity("Putu Contoh", NIP, "Sekretaris", "KPU").subject()
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, None))
    return Identity(key, cert, ())


def _issued_by(issuer: Identity, name: str, nip: str) -> Identity:
    key = keys.generate_key()
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(certificates.Identity(name, nip, "Ketua", "KPU").subject())
            .issuer_name(issuer.cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(issuer.key, None))
    return Identity(key, cert, (issuer.cert,))


def test_family_5_a_persons_certificate_never_issues_for_others(putu: Identity) -> None:
    """Trusted as Putu's own certificate, it claims CA rights and issues one in the superior's name:
    the superior's signature is not trusted, and Putu's own certificate cannot sign either (a CA's)."""
    rogue = _person_with_ca_rights()
    assert rogue.cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    fake_superior = _issued_by(rogue, "Made Atasan", "197501012000031002")
    half = sign(rendered(TWO_PARTIES), SIGNER, putu)
    v = verdict(forge(half, SUPERIOR, fake_superior), putu, rogue)
    assert_forgery_refused(v, "trusted", "is not trusted")


def test_family_5_a_real_ca_still_issues() -> None:
    """The control: an institution's CA (no NIP, may not sign documents) vouches for what it issued."""
    from tests.attacks import identities

    root = identities.authority()
    official = identities.issued(root, "Putu Contoh", NIP, "Sekretaris")
    v = verdict(sign(rendered(), SIGNER, official), root)
    assert v.ok, v.reasons


# -- 6. what the signature dictionary says -----------------------------------------------------------


def _hexed(text: str) -> bytes:
    return b"<" + text.encode().hex().upper().encode() + b">"


SIG_DICTIONARY: dict[str, Callable[[bytes], bytes]] = {
    "/Reason": lambda text: text.replace(b" /SubFilter",
                                         b" /Reason " + _hexed("Disetujui oleh Ketua") + b" /SubFilter"),
    "/Location": lambda text: text.replace(b" /M ", b" /Location " + _hexed("Jakarta") + b" /M "),
    "/ContactInfo": lambda text: text.replace(b" /Filter",
                                              b" /ContactInfo " + _hexed("ketua@kpu.go.id") + b" /Filter"),
    "/Name": lambda text: re.sub(rb"/Name <[0-9A-F]+>", b"/Name " + _hexed("Made Atasan"), text),
}


@pytest.mark.parametrize("key", SIG_DICTIONARY)
def test_family_6_signature_dictionary_values_pakta_does_not_write(key: str, unsigned: bytes, putu: Identity) -> None:
    """Viewers show these in their signature panel: a signer may not make them say anything else."""
    v = verdict(forge(unsigned, SIGNER, putu, sig=SIG_DICTIONARY[key]), putu)
    assert_forgery_refused(v, "unchanged_after_signing", f"not the one pakta writes ({key.lower()})")
    assert_signature_holds(v)


# -- 7. bounded cost --------------------------------------------------------------------------------


def _xref_stream_update(pdf: bytes, data: bytes, entries: bytes) -> bytes:
    """An update closed by a cross-reference stream with `entries` and `data` (already encoded)."""
    at = len(pdf)
    root, size = root_number(pdf), int(re.findall(rb"/Size (\d+)", pdf)[-1])
    prev = int(re.findall(rb"startxref\n(\d+)", pdf)[-1])
    body = (b"%d 0 obj\n<< /Type /XRef /Size %d /Root %d 0 R /Prev %d %s /Length %d >>\nstream\n" %
            (size, size + 1, root, prev, entries, len(data)) + data + b"\nendstream\nendobj\n")
    return pdf + body + b"startxref\n%d\n%%%%EOF\n" % at


def _bomb() -> bytes:
    """About 1 MB of deflate data that inflates to 1 GB of zeros (made a megabyte at a time)."""
    packer, zeros = zlib.compressobj(9), bytes(1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(1024)) + packer.flush()


HOSTILE: dict[str, Callable[[bytes], bytes]] = {
    # ten thousand objects: more than one signature ever writes, said without parsing them
    "an update of ten thousand small objects": lambda pdf: many_objects(pdf, 10_000),
    # object numbers past what any pact needs, refused at the cross-reference table
    "an update numbering fifty thousand objects": lambda pdf: many_objects(pdf, 50_000),
    # 200 bytes that name two billion entries
    "cross-reference stream with a huge /Index": lambda pdf: _xref_stream_update(
        pdf, b"\x01\x00\x00\x00\x10\x00", b"/W [1 4 1] /Index [0 2000000000]"),
    # rows of PNG prediction far past what any table needs
    "long predicted cross-reference stream": lambda pdf: _xref_stream_update(
        pdf, zlib.compress(b"\x02" + b"\x00" * 6 * 8_000_000, 9),
        b"/W [1 4 1] /Index [0 1] /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 6 >>"),
    # a megabyte that inflates to a gigabyte
    "deflate bomb": lambda pdf: _xref_stream_update(pdf, _bomb(), b"/W [1 4 1] /Index [0 1] /Filter /FlateDecode"),
}


@pytest.mark.parametrize("shape", HOSTILE)
def test_family_7_a_hostile_update_fails_with_a_reason_in_bounded_memory(shape: str, tmp_path: pytest.TempPathFactory,
                                                                          signed: bytes, putu: Identity) -> None:
    """Each shape once took up to 24 s or 2 GB for one file; now verified in bounded memory."""
    path = tmp_path / "hostile.pdf"  # type: ignore[operator]
    path.write_bytes(HOSTILE[shape](signed))
    status, reasons = verify_in_bounded_memory(path)
    assert status == "FAIL"
    reason = reasons[0]
    assert any(words in reason for words in ("lists entries it does not hold", "predicted stream",
                                              "inflates to more than", "more than", "writes at most",
                                              "far fewer")), reason


def test_family_7_a_document_may_hold_only_so_many_values(signed: bytes) -> None:
    """Parsing is most of what a verify costs: past a budget of values (far above a pact) it stops."""
    from pakta_cli.pdf.reader import Document, Limits

    doc = Document(signed, Limits(values=300))
    with pytest.raises(PdfError, match="more than 300 PDF values"):
        for num in range(1, doc.revisions[-1].trailer["Size"]):
            if doc.entry(num, len(doc.revisions)) is not None:
                doc.get(num)
    honest = Document(signed)
    for num in range(1, honest.revisions[-1].trailer["Size"]):
        if honest.entry(num, len(honest.revisions)) is not None:
            honest.get(num)
    assert honest.limits.values - honest.budget.remaining < honest.limits.values // 20  # a pact: a few thousand
