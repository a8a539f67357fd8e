"""Page content is the operations pakta's pages use (`pakta_cli.pdf.content`): what viewers draw alike."""

from __future__ import annotations

import re
import zlib

import pytest

from pakta_cli.pdf.content import content_problem
from tests import test_attacks
from tests.attacks import prepared
from tests.attacks.identities import Identity
from tests.test_attacks import TWO_PARTIES, rendered, verdict

putu, made_atasan = test_attacks.putu, test_attacks.made_atasan  # the attack suite's people

FONTS, IMAGES = frozenset({"F1+0", "F2+0"}), frozenset({"FormXob.abc"})
HONEST = (b"q 1 0 0 1 56.69 780.2 cm q .2 .2 .2 rg BT 1 0 0 1 0 2 Tm /F1+0 11 Tf 12.75 TL 1.5 Tw "
          b"(Pakta Integritas \\(I\\) \\351) Tj T* <00410042> Tj ET Q Q\n"
          b"q .5 w [3 2] 0 d 0 0 m 100 0 l S 10 10 50 20 re f* 1 J 1 j Q q 48 0 0 52 0 0 cm /FormXob.abc Do Q\n"
          b"BT /F2+0 9 Tf 1 0 0 1 10 10 Tm [(A) -250 (B)] TJ 0 Tr 2 0 Td ET")


def test_what_pakta_draws_passes() -> None:
    assert content_problem(HONEST, FONTS, IMAGES) is None
    assert content_problem(b"", FONTS, IMAGES) is None


@pytest.mark.parametrize(("content", "says"), [
    (b"BT /F1+0 11 Tf 3 Tr (hidden words) Tj ET", "never hold: '3 Tr"),  # invisible, yet extracted
    (b"BT /F1+0 0 Tf (hidden words) Tj ET", "never hold: '/F1+0 0 Tf"),  # size 0
    (b"BT /F1+0 11 Tf 0 Tz (squeezed) Tj ET", "never hold: '0 Tz"),
    (b"q BI /W 1 /H 1 /CS /G /BPC 8 ID \x00 EI Q", "never hold: 'BI"),  # an inline image
    (b"BX /Foo sh EX", "never hold: 'BX"),  # a section one viewer skips and another draws
    (b"q % a comment\nQ", "never hold: '% a comment"),
    (b"/GS1 gs", "never hold: '/GS1 gs"),
    (b"1 0 0 1 5 cm", "never hold: '1 0 0 1 5 cm"),  # one operand short
    (b"1 2 3 4 5 6 7 cm", "never hold: '1 2 3 4 5 6 7 cm"),  # one too many
    (b"BT /F9 11 Tf (x) Tj ET", "names a font the page's resources do not hold (/F9)"),
    (b"/Im9 Do", "names a image the page's resources do not hold (/Im9)"),
    (b"(a (nested) string) Tj", "never hold"),
    # numbers one reader takes as doubles and another wraps as integers (2^64 -> 0 in MuPDF, Ghostscript)
    (b"q 1 0 0 1 18446744073709551616 0 cm Q", "never hold: '1 0 0 1 1844674407370955"),
    (b"1 0 0 1 10 .1234567 Tm", "never hold"),  # more decimals than pakta writes
    # colours one reader clamps and another wraps; white, which paints words no one sees
    (b"40000 g", "never hold: '40000 g"),
    (b"1 1 1 rg", "never hold: '1 1 1 rg"),
    (b".95 G", "never hold: '.95 G"),
    (b"0 0 0 1 k", "never hold: '0 0 0 1 k"),  # CMYK, whose conversion pdf.js does not clamp
    # words extracted but not seen: a size or a scale of next to nothing, a clip of no area, off its line
    (b"BT /F1+0 .0001 Tf (hidden) Tj ET", "never hold: '/F1+0 .0001 Tf"),
    (b"BT /F1+0 2 Tf (hidden) Tj ET", "never hold: '/F1+0 2 Tf"),
    (b"q .001 0 0 .001 0 0 cm Q", "never hold: '.001 0 0 .001"),
    (b"q 0 0 0 0 re W n Q", "never hold: '0 0 0 0 re W n"),
    (b"BT 2 0 0 2 10 10 Tm ET", "never hold: '2 0 0 2 10 10 Tm"),
    (b"q 1 1 0 1 0 0 cm Q", "never hold: '1 1 0 1 0 0 cm"),  # skew
    # seen but not extracted: glyph outlines as curves or polygons
    (b"0 0 m 1 2 3 4 5 6 c f", "never hold: '0 0 m 1 2 3 4 5 6 c f"),
    (b"0 0 m 10 0 l 5 8 l h f", "never hold: '0 0 m 10 0 l 5 8 l h f"),
    (b"BT /F1+0 11 Tf 1 Tr (outlined) Tj ET", "never hold: '1 Tr"),
])
def test_what_viewers_may_take_differently_is_refused(content: bytes, says: str) -> None:
    problem = content_problem(content, FONTS, IMAGES)
    assert problem is not None and says in problem.reason, problem


def test_a_pact_whose_page_draws_invisible_words_fails(putu: Identity, made_atasan: Identity) -> None:
    """The clerk adds words every text extraction reads and no viewer paints (render mode 3)."""
    pdf = rendered(TWO_PARTIES)
    page = prepared.object_with(pdf, b"/Type /Page ")
    number = int(re.search(rb"/Contents (\d+) 0 R", prepared.objects_of(pdf)[page]).group(1))  # type: ignore[union-attr]
    text = prepared.objects_of(pdf)[number]
    data = zlib.decompress(text.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0])
    forged_data = data.replace(b"ET", b"3 Tr (Rp 50.000.000) Tj ET", 1)
    packed = zlib.compress(forged_data)
    head = re.sub(rb"/Length \d+", b"/Length %d" % len(packed), text.split(b"stream\n", 1)[0])
    forged = prepared.rewritten(pdf, {number: head + b"stream\n" + packed + b"\nendstream"})
    v = verdict(forged, putu, made_atasan)
    assert not v.ok
    assert any("page content departs from what pakta draws" in r and "3 Tr" in r for r in v.reasons), v.reasons


@pytest.mark.parametrize("digits", [40, 400])
def test_a_run_of_digits_fails_at_once(digits: int) -> None:
    """A TJ or dash array of digits that does not close as the grammar wants is refused in one pass:
    every quantifier is possessive, so the digits split into numbers one way only. (With a
    backtracking split, 40 digits took longer than anyone waits: this test would not end.)"""
    for shape in (b"[" + b"1" * digits + b" x] TJ", b"[" + b"1" * digits + b" x] 0 d"):
        problem = content_problem(b"BT /F1+0 11 Tf " + shape + b" ET", FONTS, IMAGES)
        assert problem is not None and "never hold" in problem.reason
