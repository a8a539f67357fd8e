"""More attacks on `pakta verify`, beyond `tests/test_attacks.py`: changes to the signed widget and
to document-level dictionaries, cross-reference tricks, signature dictionaries and CMS containers
that `pakta sign` never writes, co-signers who overstep, pacts prepared with two sources, CRLs.

As in the first suite, each case starts from a pact rendered and signed at test time and asserts
the verdict is not valid *and* that the right check fails. Two of these were accepted before the
fix that came with this file: a signature dictionary kept inside an object stream, and a pact
carrying its definition twice. The honest cases at the end prove the hand-made signatures the
attacks start from are themselves valid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from cryptography import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import DictionaryObject, pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from tests import test_attacks
from tests.attacks import identities, more, tamper
from tests.attacks.identities import Identity
from tests.attacks.pdf import (
    latest,
    next_free,
    page_number,
    pyhanko_update,
    root_number,
    serialize,
    single_revision,
    stream,
)
from tests.test_attacks import (
    NIP,
    SIGNER,
    SUPERIOR,
    TWO_PARTIES,
    assert_rejected,
    assert_says,
    assert_valid,
    failed_checks,
    rendered,
    sign,
    sign_prepared,
    verdict,
)

# the first suite's fixtures, shared: the same people and the same pacts
putu, made_atasan = test_attacks.putu, test_attacks.made_atasan
unsigned, signed = test_attacks.unsigned, test_attacks.signed


# -- updates after signing ------------------------------------------------------------------------

Attack = Callable[[bytes], bytes]


def on_field(attack: Callable[[bytes, str], bytes]) -> Attack:
    return lambda pdf: attack(pdf, SIGNER)


AFTER_SIGNING: dict[str, tuple[Attack, tuple[str, ...]]] = {
    # the signed field's widget and its stamp
    "signed widget's /Rect moved over the body": (on_field(more.widget_rect_moved), ("unchanged_after_signing",)),
    "signed widget hidden (/F 2)": (on_field(more.widget_hidden), ("unchanged_after_signing",)),
    "signed widget gains /MK": (on_field(more.widget_mk_added), ("unchanged_after_signing",)),
    "signed widget gains a /D appearance": (on_field(more.widget_second_appearance), ("unchanged_after_signing",)),
    "stamp XObject redefined by number": (on_field(more.stamp_redefined_in_place), ("unchanged_after_signing",)),
    "signed widget moved to a new page": (on_field(more.widget_moved_to_new_page), ("unchanged_after_signing",)),
    # the catalog and document-level dictionaries
    "/Info redefined": (more.info_changed, ("unchanged_after_signing",)),
    "new /Info in the trailer": (more.info_new_object, ("unchanged_after_signing",)),
    "XMP /Metadata added": (more.metadata_added, ("unchanged_after_signing",)),
    "/PageLabels added": (more.page_labels_added, ("unchanged_after_signing",)),
    "new /Names tree with another definition": (more.names_tree_replaced, ("unchanged_after_signing",)),
    "/Names dictionary redefined by number": (more.names_dictionary_redefined, ("unchanged_after_signing",)),
    "/AcroForm /NeedAppearances true": (more.need_appearances, ("unchanged_after_signing",)),
    "/AcroForm /DR added": (more.default_resources, ("unchanged_after_signing",)),
    "/SigFlags 7": (more.sigflags_bad, ("unchanged_after_signing",)),
    "catalog /Perms added": (more.perms_added, ("unchanged_after_signing",)),
    "catalog /AA added": (more.catalog_aa, ("unchanged_after_signing",)),
    "page /AA added": (more.page_aa, ("unchanged_after_signing",)),
    "/Outlines added": (more.outlines_added, ("unchanged_after_signing",)),
    "Link annotation added": (more.link_annotation, ("unchanged_after_signing",)),
    "Widget without /FT added": (more.widget_without_field_type, ("unchanged_after_signing",)),
    # the cross-reference structure
    "page written again, same bytes, nothing signed": (more.redefined_same_bytes, ("unchanged_after_signing",)),
    "page written again as generation 1": (more.redefined_other_generation, ("unchanged_after_signing",)),
    "content freed, then defined again": (more.freed_then_reused, ("unchanged_after_signing",)),
    "object defined twice in one update": (more.duplicate_definition, ("unchanged_after_signing",)),
    "xref stream lists an object the update does not hold": (
        more.xref_stream_index_lists_missing, ("unchanged_after_signing",)),
    "/Prev into the signed revision": (more.prev_into_signed_range, ("readable",)),
    "second startxref naming the rendered revision": (more.two_startxref,
                                                      ("unchanged_after_signing", "all_parties_signed")),
    "%%EOF and a fake trailer inside a new stream": (more.eof_inside_stream, ("unchanged_after_signing",)),
    "hybrid-reference update (/XRefStm)": (more.hybrid_reference, ("readable",)),
}


@pytest.mark.parametrize("attack", AFTER_SIGNING)
def test_update_after_signing_is_rejected(attack: str, signed: bytes, putu: Identity) -> None:
    make, reasons = AFTER_SIGNING[attack]
    assert_rejected(verdict(make(signed), putu), *reasons)


# -- signature dictionaries pakta sign never writes -------------------------------------------------


def test_signature_dictionary_inside_an_object_stream(unsigned: bytes, putu: Identity) -> None:
    """Accepted before the fix: the /Contents offsets of a compressed object were taken for file
    offsets, so the byte-range gap could be another object's hex string (holding a valid CMS) while
    the signature dictionary itself, as every other reader sees it, holds zeros."""
    v = verdict(more.signature_in_object_stream(unsigned, SIGNER, putu), putu)
    assert_rejected(v, "byte_range")
    assert_says(v, "object stream")


def _gap_padded(fill: bytes) -> Callable[[bytes, int], bytes]:
    return lambda cms_hex, size: b"<" + cms_hex.ljust(size - 2, fill) + b">"


def _literal(cms_hex: bytes, size: int) -> bytes:
    raw = bytes.fromhex(cms_hex.decode()).replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + raw.ljust(size - 2, b" ") + b")"


GAPS: dict[str, tuple[Callable[[bytes, int], bytes], int]] = {
    "padding that is not zeros": (_gap_padded(b"A"), 9000),
    "whitespace inside the hex": (lambda h, size: b"<" + (h[:100] + b" " + h[100:]).ljust(size - 2, b"0") + b">", 9000),
    "/Contents as a literal string": (_literal, 0),
    "odd hex digits and a space": (lambda h, size: b"<" + h.ljust(size - 3, b"0") + b" >", 9000),
}


@pytest.mark.parametrize("gap", GAPS)
def test_contents_not_one_hex_string_of_cms_and_zeros(gap: str, unsigned: bytes, putu: Identity) -> None:
    write, width = GAPS[gap]
    v = verdict(more.hand_signed(unsigned, SIGNER, putu, gap=write, width=width), putu)
    assert_rejected(v, "byte_range")


def test_two_contents_keys(unsigned: bytes, putu: Identity) -> None:
    """Which /Contents a reader takes differs between readers: the dictionary is refused outright."""
    v = verdict(more.hand_signed(unsigned, SIGNER, putu, sig_dict=b"/Contents <00>"), putu)
    assert_rejected(v, "unchanged_after_signing")


def test_signature_dictionary_changed_later_by_number(signed: bytes, putu: Identity) -> None:
    """The signature dictionary rewritten by number in a later update, with another /M."""
    def change(writer: IncrementalPdfFileWriter) -> None:
        field = next(f.get_object() for f in writer.root["/AcroForm"]["/Fields"] if f.get_object()["/T"] == SIGNER)
        sig_ref = field.raw_get("/V")
        sig = sig_ref.get_object()
        sig[pdf_name("/M")] = pdf_string("D:20000101000000Z")
        writer.mark_update(sig_ref)

    assert_rejected(verdict(pyhanko_update(signed, change), putu), "unchanged_after_signing")


# -- CMS containers ---------------------------------------------------------------------------------

CMS: dict[str, tuple[Callable[..., bytes], tuple[str, ...]]] = {
    "two SignerInfos": (more.cms_with_two_signers, ("digest",)),
    "content attached (eContent)": (more.cms_attached, ("digest",)),
    "digestAlgorithm SHA-256 over a SHA-512 digest": (more.cms_sha256_digest_algorithm, ("digest",)),
}


@pytest.mark.parametrize("container", CMS)
def test_cms_not_what_pakta_expects(container: str, unsigned: bytes, putu: Identity) -> None:
    build, reasons = CMS[container]
    assert_rejected(verdict(more.sign_with(unsigned, SIGNER, putu, cms_of=build, reserve=8192), putu), *reasons)


def test_signer_identifier_names_another_trusted_certificate(unsigned: bytes, putu: Identity,
                                                              made_atasan: Identity) -> None:
    """The honest certificate stays in the CMS; the SignerIdentifier points at another party's."""
    data = more.sign_with(unsigned, SIGNER, putu, cms_of=more.cms_sid_other_certificate(made_atasan), reserve=8192)
    assert_rejected(verdict(data, putu, made_atasan), "signature")


# -- parties who sign too much, or for someone else --------------------------------------------------


def _page_changed(pdf: bytes) -> dict[int, bytes]:
    """Page 1 given a new content stream, written in the signing revision itself."""
    page_no, content_no = page_number(pdf), next_free(pdf) + 2
    page = latest(pdf, page_no)
    page[pdf_name("/Contents")] = generic.IndirectObject(content_no, 0, None)
    return {page_no: serialize(page), content_no: stream(tamper.DEFACED)}


def _open_action(pdf: bytes) -> dict[int, bytes]:
    """The catalog given a JavaScript /OpenAction, written in the signing revision itself."""
    root_no = root_number(pdf)
    catalog = latest(pdf, root_no)
    catalog[pdf_name("/OpenAction")] = DictionaryObject({
        pdf_name("/S"): pdf_name("/JavaScript"), pdf_name("/JS"): pdf_string("app.alert('sah');")})
    return {root_no: serialize(catalog)}


@pytest.mark.parametrize("change", [_page_changed, _open_action], ids=["page content", "catalog /OpenAction"])
def test_signing_revision_that_also_changes_the_pact(change: Callable[[bytes], dict[int, bytes]],
                                                      putu: Identity, made_atasan: Identity) -> None:
    """The superior's own, valid signature, in a revision that also changes the pact."""
    half = sign(rendered(TWO_PARTIES), SIGNER, putu)
    v = verdict(more.sign_with(half, SUPERIOR, made_atasan, objects=change(half)), putu, made_atasan)
    assert_rejected(v, "unchanged_after_signing")
    assert_says(v, "page 1", "catalog")


def test_party_signs_the_other_partys_field(putu: Identity, made_atasan: Identity) -> None:
    half = sign(rendered(TWO_PARTIES), SIGNER, putu)
    assert_rejected(verdict(more.sign_with(half, SUPERIOR, putu), putu, made_atasan), "party")


def test_superior_signs_the_signers_field(putu: Identity, made_atasan: Identity) -> None:
    v = verdict(more.sign_with(rendered(TWO_PARTIES), SIGNER, made_atasan), putu, made_atasan)
    assert_rejected(v, "party")


def test_same_key_signs_again_over_a_changed_page(signed: bytes, putu: Identity) -> None:
    """A second signature by the same party, in a new field it adds, over changed content."""
    changed = tamper.replace_page_contents(signed)
    assert_rejected(verdict(identities.pyhanko_sign(changed, "pakta-signer-2", putu), putu),
                    "unchanged_after_signing")


# -- prepared with two sources -----------------------------------------------------------------------

OTHER_DEFINITION = b'{"pakta": 1, "parties": [], "catatan": "lain"}\n'


def _second_definition(writer: IncrementalPdfFileWriter) -> None:
    names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    data = writer.add_object(generic.StreamObject({pdf_name("/Type"): pdf_name("/EmbeddedFile")},
                                                  stream_data=OTHER_DEFINITION))
    names.append(pdf_string("pakta-definition.json"))
    names.append(writer.add_object(DictionaryObject({
        pdf_name("/Type"): pdf_name("/Filespec"), pdf_name("/F"): pdf_string("pakta-definition.json"),
        pdf_name("/EF"): DictionaryObject({pdf_name("/F"): data})})))
    writer.mark_update(writer.root.raw_get("/Names"))


def _unicode_stream(writer: IncrementalPdfFileWriter) -> None:
    names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    data = writer.add_object(generic.StreamObject({pdf_name("/Type"): pdf_name("/EmbeddedFile")},
                                                  stream_data=OTHER_DEFINITION))
    names[1]["/EF"][pdf_name("/UF")] = data
    writer.mark_update(names.raw_get(1))


@pytest.mark.parametrize("prepare", [_second_definition, _unicode_stream],
                         ids=["second pakta-definition.json", "/EF /UF stream besides /F"])
def test_pact_carrying_two_definitions(prepare: Callable[[IncrementalPdfFileWriter], None], unsigned: bytes,
                                       putu: Identity) -> None:
    """Accepted before the fix: pakta checked the first definition, while `pdfdetach -saveall` (the
    README's way without pakta) keeps the last one, and viewers list both."""
    prepared = single_revision(pyhanko_update(unsigned, prepare))
    v = verdict(sign_prepared(prepared, SIGNER, putu), putu)
    assert_rejected(v, "embedded_hashes")
    assert_says(v, "more than once", "lebih dari sekali")


# -- revocation lists --------------------------------------------------------------------------------


def _crl(ca: Identity, serials: list[int], *, delta: bool = False, expired: bool = False,
         reason: x509.ReasonFlags | None = None) -> x509.CertificateRevocationList:
    now = dt.datetime.now(dt.UTC)
    last, following = (now - dt.timedelta(days=60), now - dt.timedelta(days=30)) if expired else (
        now - dt.timedelta(days=1), now + dt.timedelta(days=30))
    builder = x509.CertificateRevocationListBuilder().issuer_name(ca.cert.subject).last_update(last).next_update(
        following).add_extension(x509.CRLNumber(5), False)
    if delta:
        builder = builder.add_extension(x509.DeltaCRLIndicator(4), True)
    for serial in serials:
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(last)
        if reason is not None:
            entry = entry.add_extension(x509.CRLReason(reason), False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(ca.key, None)


@pytest.mark.parametrize("kind", ["expired", "delta", "remove_from_crl"])
def test_revocation_in_an_odd_crl_still_counts(kind: str, unsigned: bytes) -> None:
    """A CRL past its nextUpdate, a delta CRL, or an entry marked removeFromCRL (a delta's way of
    lifting a hold) still names the certificate: it is never read as "not revoked"."""
    root = identities.authority()
    official = identities.issued(root, "Putu Contoh", NIP, "Sekretaris")
    crl = _crl(root, [official.cert.serial_number], expired=kind == "expired", delta=kind != "expired",
               reason=x509.ReasonFlags.remove_from_crl if kind == "remove_from_crl" else None)
    assert_rejected(verdict(sign(unsigned, SIGNER, official), root, crls=(crl,)), "not_revoked")


# -- the honest cases the attacks start from --------------------------------------------------------


def test_hand_made_signature_revision_is_valid(unsigned: bytes, putu: Identity) -> None:
    assert_valid(verdict(more.hand_signed(unsigned, SIGNER, putu), putu), [SIGNER])


def test_the_same_signature_in_other_bytes_is_not_paktas(unsigned: bytes, putu: Identity) -> None:
    """The same CMS in lower-case hex, or padded with zeros: every reader reads the same signature,
    but these are bytes pakta sign never writes, and a VALID pact holds only pakta's bytes."""
    lower = more.hand_signed(unsigned, SIGNER, putu, gap=lambda h, size: b"<" + h.lower().ljust(size - 2, b"0") + b">")
    v = verdict(lower, putu)
    assert_rejected(v, "unchanged_after_signing")
    assert_says(v, "not in the form pakta sign writes")
    assert failed_checks(v) == {"unchanged_after_signing"}  # the signature itself holds
    padded = more.hand_signed(unsigned, SIGNER, putu, width=9000)
    assert_rejected(verdict(padded, putu), "unchanged_after_signing")


def test_sign_with_is_pakta_sign(unsigned: bytes, putu: Identity, made_atasan: Identity) -> None:
    assert_valid(verdict(more.sign_with(unsigned, SIGNER, putu), putu), [SIGNER])
    half = sign(rendered(TWO_PARTIES), SIGNER, putu)
    assert_valid(verdict(more.sign_with(half, SUPERIOR, made_atasan), putu, made_atasan), [SIGNER, SUPERIOR])


# -- the stamp: a signer paints only pakta's stamp, never over what the others signed -------------------

WHITEOUT = b"q 1 1 1 rg 0 0 175 68 re f Q BT 0 g /F1 12 Tf 4 30 Td (Meminta) Tj ET"


@pytest.mark.parametrize(("change", "words"), [
    # the superior's stamp whites out its block and writes other words (a signer-made shadow)
    (lambda honest: more.restamp(honest, WHITEOUT), "draws something other than pakta's stamp"),
    # pakta's drawing, stretched by a /Matrix far beyond the signature block
    (lambda honest: honest.replace(b"/Subtype /Form", b"/Subtype /Form /Matrix [8 0 0 8 -600 -1200]"),
     "draws something other than pakta's stamp"),
    # pakta's drawing, with an image among its resources for a later content change to paint
    (lambda honest: honest.replace(b"/Resources << /Font", b"/Resources << /XObject << /I 1 0 R >> /Font"),
     "draws something other than pakta's stamp"),
])
def test_a_stamp_that_is_not_paktas_fails(change: Callable[[bytes], bytes], words: str, putu: Identity,
                                          made_atasan: Identity) -> None:
    half = sign(rendered(TWO_PARTIES), SIGNER, putu)
    v = verdict(more.hand_signed(half, SUPERIOR, made_atasan, stamp=change), putu, made_atasan)
    assert_rejected(v, "stamp")
    assert_says(v, words)


def test_a_hand_written_revision_with_paktas_own_stamp_is_valid(putu: Identity, made_atasan: Identity) -> None:
    half = sign(rendered(TWO_PARTIES), SIGNER, putu)
    assert_valid(verdict(more.hand_signed(half, SUPERIOR, made_atasan), putu, made_atasan), [SIGNER, SUPERIOR])


# -- denial of service: the reader never backtracks over white space ---------------------------------


def test_a_long_run_of_white_space_before_a_bad_token_fails_at_once(signed: bytes, putu: Identity) -> None:
    """The tokeniser's white space used to be `(?:[ws]+|%...)*`: a run of n spaces before a token
    that fails was retried 2**n ways (40 spaces: hours). Run in a child process with a deadline,
    so a regression fails the test instead of hanging the suite."""
    import multiprocessing

    at = signed.index(b"/ByteRange")
    bad = signed[:at] + b"/X" + b" " * 60 + b"<" + signed[at:]
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        result = pool.apply_async(_verdict_ok, (bad, putu.pem()))
        assert result.get(timeout=60) is False


def _verdict_ok(data: bytes, pem: bytes) -> bool:
    from cryptography import x509

    from pakta_cli.verify import Policy, verify_bytes

    return verify_bytes(data, Policy((x509.load_pem_x509_certificate(pem),))).ok
