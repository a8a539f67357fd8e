"""Attacks on `pakta verify` from two audits: object streams and stream parameters in a signing
revision, and pacts prepared before the first signature.

1. A revision after the rendered one may hold no object stream: one whose header reads two ways
   (`P %1\\n1000`, a digit hidden in a comment) made pakta read an unchanged copy of page 1 while
   viewers read a rewritten one, and pakta judged that pact VALID. Any object stream there, even
   one holding an unchanged copy, fails `unchanged_after_signing`.
2. A stream whose /DecodeParms pakta does not read (a TIFF predictor, more than one colour, 16-bit
   samples) is refused, never decoded some other way than a viewer would.
3. The rendered revision must hold only what pakta renders (`as_rendered`): a preparer who plants
   a script, an annotation, a field stretched over the text or a ready-made stamp before the first
   signature gets a pact that both parties then sign honestly, and must still be turned away.

As in the other attack suites, every case is built at test time from a pact pakta rendered and
signed, and each asserts the verdict is not valid, the right check fails, and its detail says why.
The honest cases at the end prove the hand-written revisions the attacks start from are valid.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from functools import partial

import pytest
from pyhanko.pdf_utils.generic import PdfObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from pakta_cli.verify import Verdict
from tests import test_attacks
from tests.attacks import prepared
from tests.attacks.identities import Identity
from tests.attacks.pdf import latest, page_number, single_revision, stream
from tests.test_attacks import (
    SIGNER,
    SUPERIOR,
    TWO_PARTIES,
    assert_rejected,
    assert_valid,
    failed_details,
    rendered,
    sign,
    verdict,
)

# the first suite's fixtures, shared: the same people and the same pacts
putu, made_atasan = test_attacks.putu, test_attacks.made_atasan
unsigned, signed = test_attacks.unsigned, test_attacks.signed

RENDERED_AS_PAKTA_RENDERS = "the rendered revision holds only what pakta renders"


@pytest.fixture(scope="module")
def two_parties() -> bytes:
    """A two-party pact (Putu signs, Made Atasan is the superior) as `pakta render` makes it."""
    return rendered(TWO_PARTIES)


@pytest.fixture(scope="module")
def half_signed(two_parties: bytes, putu: Identity) -> bytes:
    """The two-party pact signed by its first party with `pakta sign`: the superior signs next."""
    return sign(two_parties, SIGNER, putu)


# -- verdicts --------------------------------------------------------------------------------------


def detail(v: Verdict, check: str) -> str:
    """The detail of every check called `check` (the document's and each signature's), lower case."""
    found = [c.detail for c in v.checks if c.name == check]
    found += [c.detail for sig in v.signatures for c in sig.checks if c.name == check]
    assert found, f"no check {check!r} in the verdict: {v.reasons}"
    return "\n".join(found).lower()


def assert_fails_saying(v: Verdict, check: str, *phrases: str) -> None:
    """Not valid, `check` failed, and its detail says one of `phrases` (English, any case)."""
    assert_rejected(v, check)
    said = detail(v, check)
    assert any(p.lower() in said for p in phrases), f"{check} does not say any of {phrases}: {said}"


def assert_signatures_hold(v: Verdict, *fields: str) -> None:
    """Each signature in `fields` verifies on its own: the attack is not a broken signature."""
    by_field = {sig.field: sig for sig in v.signatures}
    for name in fields:
        assert name in by_field, f"no signature in {name}: {v.reasons}"
        assert all(c.ok for c in by_field[name].checks), [(c.name, c.detail) for c in by_field[name].checks]


# -- 1. an object stream whose header two readers read two ways -------------------------------------


def test_page_rewritten_behind_an_object_stream_header_comment(half_signed: bytes, putu: Identity,
                                                               made_atasan: Identity) -> None:
    """Accepted as VALID before the fix: the superior's own, valid signature, in a revision that also
    puts page 1 in an object stream with header `P %1\\n1000`. pakta read offset 1 (an unchanged copy
    of page 1); a PDF tokenizer skips the comment and reads offset 1000, a page 1 painted over."""
    data = prepared.page_behind_commented_header(half_signed, SUPERIOR, made_atasan)
    # the attack is real: pyHanko, as viewers do, reads page 1 with a second content stream
    assert len(latest(data, page_number(data))["/Contents"]) == 2
    v = verdict(data, putu, made_atasan)
    assert_fails_saying(v, "unchanged_after_signing", "malformed header", "into an object stream")


# -- 2. any object stream after the rendered revision -----------------------------------------------


OBJECT_STREAMS: dict[str, Callable[[bytes, Identity], bytes]] = {
    # each takes the half-signed pact and the superior, who signs in the revision named (or before it)
    "unchanged copy of page 1 in the superior's signing revision":
        lambda half, made: prepared.unchanged_page_in_object_stream(half, SUPERIOR, made),
    "the signature's own new object in its signing revision":
        lambda half, made: prepared.signature_object_in_object_stream(half, SUPERIOR, made),
    "unchanged copy of page 1 in an update after both signatures":
        lambda half, made: prepared.page_copy_in_compressed_update(sign(half, SUPERIOR, made)),
}


@pytest.mark.parametrize("case", OBJECT_STREAMS)
def test_object_stream_in_a_revision_after_the_rendered_one(case: str, half_signed: bytes, putu: Identity,
                                                           made_atasan: Identity) -> None:
    """Nothing pakta signs writes an object stream, and one that holds only what was already there
    is still a place for a header or an offset to read two ways: it is refused whatever it holds."""
    v = verdict(OBJECT_STREAMS[case](half_signed, made_atasan), putu, made_atasan)
    assert_fails_saying(v, "unchanged_after_signing", "into an object stream, which a signature never does")
    assert_signatures_hold(v, SIGNER, SUPERIOR)  # the object stream is the only thing wrong


# -- 3. stream parameters pakta does not read ---------------------------------------------------------

UNREAD_PARAMETERS: dict[str, Callable[[bytes, Identity], bytes]] = {
    # the superior's cross-reference stream, encoded as the spec says for these /DecodeParms
    "xref stream with /Predictor 2 (TIFF)": lambda half, made: prepared.signing_revision(
        half, SUPERIOR, made, xref=prepared.XrefEncoding(
            (1, 4, 2), b"<< /Predictor 2 /Columns 7 >>", prepared.tiff_predicted)),
    "xref stream with /Colors 3": lambda half, made: prepared.signing_revision(
        half, SUPERIOR, made, xref=prepared.XrefEncoding(
            (1, 4, 1), b"<< /Predictor 11 /Colors 3 /Columns 2 >>", partial(prepared.png_sub_predicted, pixel=3))),
    "xref stream with /BitsPerComponent 16": lambda half, made: prepared.signing_revision(
        half, SUPERIOR, made, xref=prepared.XrefEncoding(
            (1, 4, 1), b"<< /Predictor 11 /BitsPerComponent 16 /Columns 3 >>",
            partial(prepared.png_sub_predicted, pixel=2))),
    # an object stream in the superior's revision, its data TIFF-predicted
    "object stream with /Predictor 2 (TIFF)": lambda half, made: prepared.unchanged_page_in_object_stream(
        half, SUPERIOR, made, parms=b"<< /Predictor 2 /Columns @COLUMNS >>", predict=prepared.tiff_predicted),
}


@pytest.mark.parametrize("case", UNREAD_PARAMETERS)
def test_signing_revision_stream_with_decode_parms_pakta_does_not_read(case: str, half_signed: bytes,
                                                                      putu: Identity, made_atasan: Identity) -> None:
    """pakta used to ignore a predictor below 10 and read every predictor as one byte a pixel, where
    a viewer applies it: the same bytes were two cross-reference tables. Now it refuses them."""
    v = verdict(UNREAD_PARAMETERS[case](half_signed, made_atasan), putu, made_atasan)
    assert not v.ok, "the verifier ACCEPTED a stream it cannot decode as a viewer would"
    details = failed_details(v)
    assert "not supported" in details or "malformed" in details, details


# -- 4. pacts prepared before the first signature, then signed honestly ------------------------------


def _both_sign(pact: bytes, putu: Identity, made_atasan: Identity) -> Verdict:
    """The prepared pact signed by both parties in order, as `pakta sign` signs, and verified."""
    half = prepared.sign_as_pakta(pact, SIGNER, putu)
    v = verdict(prepared.sign_as_pakta(half, SUPERIOR, made_atasan), putu, made_atasan)
    assert_signatures_hold(v, SIGNER, SUPERIOR)
    return v


@pytest.mark.parametrize(("change", "key"), [(prepared.open_action, "/OpenAction"),
                                             (prepared.catalog_additional_actions, "/AA")],
                         ids=["/OpenAction JavaScript", "/AA JavaScript before printing"])
def test_catalog_script_planted_before_the_first_signature(change: Callable[[IncrementalPdfFileWriter], None],
                                                            key: str, two_parties: bytes, putu: Identity,
                                                            made_atasan: Identity) -> None:
    """A script that runs when the pact opens (or prints) can change what it shows later; pakta never
    renders one, so a pact that carries one was not rendered by pakta as it stands."""
    v = _both_sign(prepared.prepared(two_parties, change), putu, made_atasan)
    assert_fails_saying(v, "as_rendered", f"the document catalog: holds {key}")


def test_javascript_name_tree_planted_before_the_first_signature(two_parties: bytes, putu: Identity,
                                                                 made_atasan: Identity) -> None:
    v = _both_sign(prepared.prepared(two_parties, prepared.names_javascript), putu, made_atasan)
    assert_fails_saying(v, "as_rendered", "the names dictionary: holds /JavaScript")


@pytest.mark.parametrize(("rect", "says"), [
    (prepared.covering_the_body, "is larger than a signature block"),
    (prepared.on_the_other_block, "overlaps form field"),
], ids=["stretched over the page body", "moved half onto the signer's block"])
def test_superiors_field_reshaped_before_the_first_signature(rect: Callable[..., tuple[float, ...]], says: str,
                                                            two_parties: bytes, putu: Identity,
                                                            made_atasan: Identity) -> None:
    """The superior's empty field shows nothing when the first party signs; the superior's own,
    legitimate stamp later fills the whole field, over the text (or the stamp) the first party signed."""
    v = _both_sign(prepared.prepared(two_parties, prepared.widget_rect(SUPERIOR, rect)), putu, made_atasan)
    assert_fails_saying(v, "as_rendered", says)


@pytest.mark.parametrize(("change", "says"), [
    (prepared.page_with_kids, "page 1: holds /kids"),
    (prepared.field_off_the_annots(SUPERIOR), "is listed on 0 pages"),
], ids=["a page that also has /Kids", "a field in no page's /Annots"])
def test_page_tree_tricks_that_hide_a_field_from_the_check(change: Callable[[IncrementalPdfFileWriter], None],
                                                           says: str, two_parties: bytes, putu: Identity,
                                                           made_atasan: Identity) -> None:
    v = _both_sign(prepared.prepared(two_parties, change), putu, made_atasan)
    assert_fails_saying(v, "as_rendered", says)


def test_cross_reference_stream_wider_than_viewers_read(half_signed: bytes, putu: Identity,
                                                        made_atasan: Identity) -> None:
    """/W [5 4 2]: poppler refuses a type field wider than 4 bytes and rebuilds the table by scanning."""
    data = prepared.signing_revision(half_signed, SUPERIOR, made_atasan, xref=prepared.XrefEncoding(widths=(5, 4, 2)))
    v = verdict(data, putu, made_atasan)
    assert not v.ok and "bad cross-reference stream" in failed_details(v)


def test_object_header_hidden_in_stream_data(half_signed: bytes, putu: Identity, made_atasan: Identity) -> None:
    """A viewer that rebuilds a broken cross-reference table reads the last `N 0 obj` in the file,
    including one inside a stream's bytes: a second page 1, hung off the signature dictionary."""
    extra = prepared.first_extra(half_signed)
    hidden = b"5 0 obj\n<< /Type /Page >>\nendobj\n"
    data = prepared.signing_revision(half_signed, SUPERIOR, made_atasan, objects={extra: stream(hidden)},
                                     sig_entries=b"/Prop_Build << /App << /Extra %d 0 R >> >>" % extra)
    assert_fails_saying(verdict(data, putu, made_atasan), "unchanged_after_signing",
                        "an object header is hidden inside another object's data")


@pytest.mark.parametrize("subtype", ["/FreeText", "/Stamp", "/Link"])
def test_annotation_planted_before_the_first_signature(subtype: str, two_parties: bytes, putu: Identity,
                                                       made_atasan: Identity) -> None:
    v = _both_sign(prepared.prepared(two_parties, prepared.annotation(subtype)), putu, made_atasan)
    assert_fails_saying(v, "as_rendered", "an annotation of page 1: its /subtype is not what pakta renders")


@pytest.mark.parametrize(("key", "value"), [("/AP", prepared.fake_stamp), ("/A", prepared.uri_action)],
                         ids=["/AP stamp already drawn", "/A action on the block"])
def test_widget_with_appearance_or_action_before_the_first_signature(
        key: str, value: Callable[[IncrementalPdfFileWriter], PdfObject], two_parties: bytes, putu: Identity,
        made_atasan: Identity) -> None:
    """The superior's block already shows a stamp (or acts when clicked) when the first party signs."""
    v = _both_sign(prepared.prepared(two_parties, prepared.widget_entry(SUPERIOR, key, value)), putu, made_atasan)
    assert_fails_saying(v, "as_rendered", f"form field {SUPERIOR}: holds {key}, which pakta never renders")


# -- the honest cases the attacks start from ----------------------------------------------------------


def test_legitimate_pacts_are_as_rendered(signed: bytes, putu: Identity, half_signed: bytes,
                                          made_atasan: Identity) -> None:
    """One party, and two parties in order (halfway too), all signed with `pakta sign`."""
    assert_valid(verdict(signed, putu), [SIGNER])
    assert RENDERED_AS_PAKTA_RENDERS in detail(verdict(signed, putu), "as_rendered")
    both = sign(half_signed, SUPERIOR, made_atasan)
    v = verdict(both, putu, made_atasan)
    assert_valid(v, [SIGNER, SUPERIOR])
    assert RENDERED_AS_PAKTA_RENDERS in detail(v, "as_rendered")
    halfway = verdict(half_signed, putu, made_atasan)
    assert_rejected(halfway, "all_parties_signed")
    check = halfway.check("as_rendered")
    assert check is not None and check.ok, halfway.reasons


def test_pact_rewritten_unchanged_and_signed_as_pakta_signs_is_valid(two_parties: bytes, putu: Identity,
                                                                      made_atasan: Identity) -> None:
    """What the prepared attacks start from: the pact rewritten as one revision by pyHanko, nothing
    planted, signed by `sign_as_pakta`. It passes, so each failure above is the planted change's."""
    half = prepared.sign_as_pakta(single_revision(two_parties), SIGNER, putu)
    v = verdict(prepared.sign_as_pakta(half, SUPERIOR, made_atasan), putu, made_atasan)
    assert_valid(v, [SIGNER, SUPERIOR])
    assert RENDERED_AS_PAKTA_RENDERS in detail(v, "as_rendered")


@pytest.mark.parametrize("xref", [
    prepared.PLAIN_XREF,
    prepared.XrefEncoding((1, 4, 2), b"<< /Predictor 12 /Columns 7 >>", prepared.png_up_predicted),
], ids=["plain xref stream", "PNG Up predictor, as pyHanko writes"])
def test_pakta_signature_closed_with_an_xref_stream_is_not_paktas_form(xref: prepared.XrefEncoding,
                                                                       half_signed: bytes, putu: Identity,
                                                                       made_atasan: Identity) -> None:
    """The signing revision the object-stream and predictor attacks start from, with nothing added:
    pakta's own objects and signature, closed by a cross-reference stream. Every reader reads the same
    signature, and still it is FAIL: a VALID pact holds only the bytes pakta writes, nothing a
    reader might take another way (the attacks above are what such freedom allows)."""
    v = verdict(prepared.signing_revision(half_signed, SUPERIOR, made_atasan, xref=xref), putu, made_atasan)
    assert_fails_saying(v, "unchanged_after_signing", "is not in the form pakta sign writes")
    assert_signatures_hold(v, SIGNER, SUPERIOR)


# -- 5. the rendered revision holds what pakta writes and nothing more --------------------------------

JS = b"<< /S /JavaScript /JS (app.alert\\('sah'\\);) >>"


def hexed(text: bytes) -> bytes:
    """A string as pakta's writer writes it."""
    return b"<" + text.hex().upper().encode() + b">"


def _outline_script(pdf: bytes) -> bytes:
    catalog, new = prepared.object_with(pdf, b"/Type /Catalog"), max(prepared.objects_of(pdf)) + 1
    return prepared.rewritten(pdf, {catalog: prepared.objects_of(pdf)[catalog].replace(
        b"/Type /Catalog", b"/Type /Catalog /Outlines %d 0 R" % new)}, {
        new: b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count 1 >>" % (new + 1, new + 1),
        new + 1: b"<< /Title (Buka) /Parent %d 0 R /A %s >>" % (new, JS)})


def _widget_hidden(pdf: bytes) -> bytes:
    widget = prepared.object_with(pdf, hexed(b"pakta-signer-1"))
    return prepared.rewritten(pdf, {widget: prepared.objects_of(pdf)[widget].replace(b"/F 132", b"/F 134")})


def _widget_parent_script(pdf: bytes) -> bytes:
    widget, new = prepared.object_with(pdf, hexed(b"pakta-superior-1")), max(prepared.objects_of(pdf)) + 1
    return prepared.rewritten(pdf, {widget: prepared.objects_of(pdf)[widget].replace(
        b"/Subtype /Widget", b"/Subtype /Widget /Parent %d 0 R" % new)},
        {new: b"<< /Kids [ %d 0 R ] /AA << /K %s >> >>" % (widget, JS)})


def _form_script(pdf: bytes) -> bytes:
    form = prepared.object_with(pdf, b"/Fields")
    return prepared.rewritten(pdf, {form: prepared.objects_of(pdf)[form].replace(
        b"/Fields", b"/AA << /F %s >> /Fields" % JS)})


def _files_tree_with_kids(pdf: bytes) -> bytes:
    names, new = prepared.object_with(pdf, b"/EmbeddedFiles"), max(prepared.objects_of(pdf)) + 1
    other = b'{"pakta": 1, "parties": []}'
    return prepared.rewritten(pdf, {names: prepared.objects_of(pdf)[names].replace(
        b"/Names [", b"/Kids [ %d 0 R ] /Names [" % new)}, {
        new: b"<< /Limits [ (pakta-definition.json) (pakta-definition.json) ] "
             b"/Names [ (pakta-definition.json) %d 0 R ] >>" % (new + 1),
        new + 1: b"<< /Type /Filespec /F (pakta-definition.json) /EF << /F %d 0 R >> >>" % (new + 2),
        new + 2: stream(other, Type="/EmbeddedFile")})


def _linearization_hidden_before_the_objects(pdf: bytes) -> bytes:
    """A /Linearized dictionary and a second cross-reference section before pakta's objects, which
    poppler reads instead of the real table once the file reaches the length /L names."""
    return prepared.rewritten(pdf, before_objects=b"999 0 obj\n<< /Linearized 1 /L 40000 >>\nendobj\n"
                                                  b"xref\n0 1\n0000000000 65535 f \n")


def _linearization_listed(pdf: bytes) -> bytes:
    return prepared.rewritten(pdf, add={max(prepared.objects_of(pdf)) + 1: b"<< /Linearized 1 /L 40000 >>"})


@pytest.mark.parametrize(("prepare", "says"), [
    (_outline_script, "the document catalog: holds /outlines"),
    (_widget_hidden, "its /f is not what pakta renders"),
    (_widget_parent_script, "is not part of the pact (nothing refers to it)"),
    (_form_script, "the form (acroform): holds /aa"),
    (_files_tree_with_kids, "its /embeddedfiles is not what pakta renders"),
    (_linearization_hidden_before_the_objects, "the rendered revision is not in the form pakta writes"),
    (_linearization_listed, "is not part of the pact (nothing refers to it)"),
], ids=["outline with JavaScript", "signer's widget hidden", "widget /Parent with /AA", "form /AA",
        "embedded files tree with /Kids (a second definition)", "linearization before the objects",
        "linearization dictionary listed"])
def test_rendered_revision_holds_only_what_pakta_writes(prepare: Callable[[bytes], bytes], says: str,
                                                        two_parties: bytes, putu: Identity,
                                                        made_atasan: Identity) -> None:
    from tests.test_attacks import sign_prepared

    prepared_pact = prepare(two_parties)
    half = sign_prepared(prepared_pact, SIGNER, putu)  # pakta sign refuses; a careless tool signs
    v = verdict(prepared.sign_as_pakta(half, SUPERIOR, made_atasan), putu, made_atasan)
    assert_fails_saying(v, "as_rendered", says)


def test_the_rewriting_builder_alone_changes_nothing(two_parties: bytes, putu: Identity,
                                                     made_atasan: Identity) -> None:
    half = sign(prepared.rewritten(two_parties), SIGNER, putu)
    assert_valid(verdict(sign(half, SUPERIOR, made_atasan), putu, made_atasan), [SIGNER, SUPERIOR])


def test_white_space_appended_after_the_last_revision(signed: bytes, putu: Identity) -> None:
    """Harmless to pakta's reader, but a file of another length can read otherwise in a viewer
    (a linearized one is read from its first page once its length is /L)."""
    assert_fails_saying(verdict(signed + b"\n  \n", putu), "unchanged_after_signing",
                        "bytes appended after the last revision")


@pytest.mark.parametrize("fields", [b"/Fields /Nope", b"/Fields [ [ 1 2 ] ]"])
def test_a_damaged_form_is_refused_by_sign_not_a_crash(fields: bytes, two_parties: bytes, putu: Identity) -> None:
    from pakta_cli.errors import PaktaError

    form = prepared.object_with(two_parties, b"/Fields")
    damaged = prepared.rewritten(two_parties, {form: re.sub(rb"/Fields \[[^\]]*\]", fields,
                                                            prepared.objects_of(two_parties)[form])})
    with pytest.raises(PaktaError):
        sign(damaged, SIGNER, putu)
    assert not verdict(damaged, putu).ok


# -- 6. the fonts are pakta's, every byte a viewer paints from ------------------------------------------


def _font_objects(pdf: bytes, key: bytes) -> list[int]:
    return sorted(n for n, text in prepared.objects_of(pdf).items() if key in text)


def _with_stream_data(text: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """A Flate stream object's text with its decoded data changed (and compressed again)."""
    head, rest = text.split(b"stream\n", 1)
    data = zlib.decompress(rest[: rest.rindex(b"\nendstream")])
    packed = zlib.compress(change(data))
    return re.sub(rb"/Length \d+", b"/Length %d" % len(packed), head) + b"stream\n" + packed + b"\nendstream"


def _font_program_redrawn(pdf: bytes) -> bytes:
    """One byte of the bold face's TrueType program changed, far into its glyph outlines."""
    number = _font_objects(pdf, b"/Length1")[-1]
    flip = lambda data: data[:30000] + bytes([data[30000] ^ 0x55]) + data[30001:]  # noqa: E731
    return prepared.rewritten(pdf, {number: _with_stream_data(prepared.objects_of(pdf)[number], flip)})


def _character_map_changed(pdf: bytes) -> bytes:
    """/ToUnicode says the letter N is an M: text extraction reads other words than are painted."""
    number = _font_objects(pdf, b"/ToUnicode")[0]
    cmap = int(re.search(rb"/ToUnicode (\d+) 0 R", prepared.objects_of(pdf)[number]).group(1))  # type: ignore[union-attr]
    return prepared.rewritten(pdf, {cmap: _with_stream_data(prepared.objects_of(pdf)[cmap],
                                                            lambda d: d.replace(b"<004E>", b"<004D>"))})


def _widths_changed(pdf: bytes) -> bytes:
    number = _font_objects(pdf, b"/Widths")[0]
    widths = re.sub(rb"/Widths \[(\d+)", b"/Widths [1", prepared.objects_of(pdf)[number])
    return prepared.rewritten(pdf, {number: widths})


def _encoding_added(pdf: bytes) -> bytes:
    number = _font_objects(pdf, b"/Widths")[0]
    return prepared.rewritten(pdf, {number: prepared.objects_of(pdf)[number].replace(
        b"/Type /Font", b"/Type /Font /Encoding /MacRomanEncoding")})


@pytest.mark.parametrize("prepare", [_font_program_redrawn, _character_map_changed, _widths_changed, _encoding_added],
                         ids=["glyph outlines redrawn", "character map changed", "widths changed",
                              "an encoding added"])
def test_a_font_pakta_does_not_embed_is_refused(prepare: Callable[[bytes], bytes], two_parties: bytes,
                                                putu: Identity, made_atasan: Identity) -> None:
    """What a viewer paints comes from the font program and the character map it picks from it, so
    a preparer who changes either (or the widths, or the encoding) could make a stamp or a page show
    other words in every viewer or only in some; only the subsets pakta embeds are accepted."""
    from pakta_cli.errors import PaktaError

    prepared_pact = prepare(two_parties)
    with pytest.raises(PaktaError):
        sign(prepared_pact, SIGNER, putu)  # pakta sign refuses it
    assert_fails_saying(verdict(prepared_pact, putu, made_atasan), "as_rendered", "is not a font pakta embeds")


def test_an_embedded_definition_nested_a_hundred_thousand_deep_is_a_reason_not_a_crash(
        two_parties: bytes, putu: Identity) -> None:
    """Python's JSON decoder gives up a thousand levels down with a RecursionError; pakta reads every
    embedded JSON through one function that turns any depth past a pact's into a plain failure."""
    from pakta_cli import pactfile
    from pakta_cli.errors import PaktaError

    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(ValueError, match="nested deeper"):
        pactfile.load_json(deep)
    with pytest.raises(ValueError, match="nested deeper"):
        pactfile.load_json(b'{"a": ' * 40 + b"1" + b"}" * 40)  # under the decoder's limit, over a pact's
    packed = zlib.compress(deep)
    forged = prepared.rewritten(two_parties, {  # the definition and the manifest both
        number: re.sub(rb"/Length \d+", b"/Length %d" % len(packed), text.split(b"stream\n", 1)[0])
        + b"stream\n" + packed + b"\nendstream"
        for number, text in prepared.objects_of(two_parties).items() if b"/Subtype /application#2Fjson" in text})
    v = verdict(forged, putu)
    assert not v.ok and "internal" not in " ".join(v.reasons).lower()
    with pytest.raises(PaktaError, match=r"refusing to sign|damaged|not a pact"):
        sign(forged, SIGNER, putu)
