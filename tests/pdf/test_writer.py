"""`pakta_cli.pdf.writer`: one way to write each value (the dialect a VALID pact is held to)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pakta_cli.pdf import writer
from pakta_cli.pdf.syntax import Lexer, Name, Ref


@pytest.mark.parametrize(("value", "text"), [
    (Decimal("12.50"), b"12.5"), (Decimal("12"), b"12.0"), (Decimal("-0.0"), b"0.0"), (Decimal("1E+2"), b"100.0"),
    (Name("A B#"), b"/A#20B#23"), (b"(x)", b"<287829>"), ({"b": 1, "a": [True, None]}, b"<< /a [true null] /b 1 >>"),
    ({}, b"<< >>"), ([], b"[]"), (Ref(3, 0), b"3 0 R"),
])
def test_values_have_one_form(value: object, text: bytes) -> None:
    assert writer.value(value) == text


@pytest.mark.parametrize("value", [1.5, Ref(3, 1), Decimal("NaN"), Name("Ł"), object()])
def test_what_the_dialect_cannot_write_is_refused(value: object) -> None:
    with pytest.raises(writer.NotWritable):
        writer.value(value)


def test_what_it_writes_reads_back_as_itself() -> None:
    value = {"Type": Name("Page"), "Kids": [Ref(4, 0), Ref(5, 0)], "Scale": Decimal("0.75"), "T": b"\x00(\xff"}
    text = writer.value(value)
    parsed, _ = Lexer(text).value(0)
    assert writer.value(parsed) == text


def test_a_stream_states_its_own_length() -> None:
    assert writer.indirect(7, {"Filter": Name("FlateDecode")}, b"abc") == (
        b"7 0 obj\n<< /Filter /FlateDecode /Length 3 >>\nstream\nabc\nendstream\nendobj\n")
