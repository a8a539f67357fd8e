"""`pakta_cli.pdf.syntax`: the values the lexer reads, and the limits it keeps."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from pakta_cli.pdf.syntax import MAX_DEPTH, MAX_VALUES, Budget, Lexer, Name, PdfDict, PdfError, Ref, same


@pytest.mark.parametrize(("text", "value"), [
    (b"42", 42), (b"-3", -3), (b"+.5", Decimal("0.5")), (b"12.50", Decimal("12.50")),
    (b"/Type", Name("Type")), (b"/A#20B", Name("A B")), (b"<4142>", b"AB"), (b"<414>", b"A@"),
    (b"(a\\(b\\)c\\n\\101)", b"a(b)c\nA"), (b"(a (nested) b)", b"a (nested) b"),
    (b"true", True), (b"false", False), (b"null", None), (b"12 0 R", Ref(12, 0)),
    (b"[1 2 0 R /N (s)]", [1, Ref(2, 0), Name("N"), b"s"]),
    (b"<< /B 1 /A [2 3] >>", {"B": 1, "A": [2, 3]}),
])
def test_values(text: bytes, value: object) -> None:
    parsed, end = Lexer(b" \n" + text + b" % after").value(0)
    assert same(parsed, value) or parsed == value
    assert end == 2 + len(text)


def test_a_name_and_a_string_and_a_number_kind_stay_apart() -> None:
    assert not same(Lexer(b"/x").value(0)[0], Lexer(b"(x)").value(0)[0])
    assert not same(Lexer(b"true").value(0)[0], Lexer(b"1").value(0)[0])


def test_dictionaries_remember_where_each_value_is() -> None:
    data = b"<< /Contents <00FF> /M (D:2024) >>"
    value, _ = Lexer(data).value(0)
    assert isinstance(value, PdfDict)
    start, end = value.spans["Contents"]
    assert data[start:end] == b"<00FF>"


@pytest.mark.parametrize(("text", "says"), [
    (b"<< /A >>", "without a value"), (b"<< 1 2 >>", "dictionary key expected"), (b"[1 2", "end of file"),
    (b"<< /A 1 /A 2 >>", "duplicate key /A"), (b"[1 >>", "mismatched"), (b"(open", "unterminated string"),
    (b"foo", "unexpected keyword 'foo'"), (b"]", "unexpected ]"), (b"1.2.3", "unexpected"),
])
def test_what_is_not_a_value_is_said(text: bytes, says: str) -> None:
    with pytest.raises(PdfError, match=says.replace("(", r"\(")):
        Lexer(text).value(0)


def test_nesting_and_size_are_bounded() -> None:
    with pytest.raises(PdfError, match="nested too deeply"):
        Lexer(b"[" * (MAX_DEPTH + 1)).value(0)
    with pytest.raises(PdfError, match=f"more than {MAX_VALUES} values"):
        Lexer(b"[" + b"/a " * (MAX_VALUES + 1) + b"]").value(0)


def test_a_budget_counts_every_value_of_a_document() -> None:
    budget = Budget(10, 10)
    lexer = Lexer(b"[1 2 3] [4 5 6] [7 8 9 10 11]", budget)
    assert lexer.value(0)[0] == [1, 2, 3]
    assert lexer.value(7)[0] == [4, 5, 6]
    with pytest.raises(PdfError, match="more than 10 PDF values"):
        lexer.value(15)
    with pytest.raises(PdfError, match="more than 10 PDF values"):  # and stays spent
        lexer.value(0)


def test_arrays_of_numbers_read_in_one_pass_read_as_the_general_way() -> None:
    """The fast way for number-only arrays (a font's widths) gives the values the general way does."""
    rng = random.Random(8)
    for _ in range(200):
        choices = ["0", "-1", "250", "556.1523", "+3", ".5", "-.25", "7."]
        items = [rng.choice(choices) for _ in range(rng.randint(0, 40))]
        spaces = [rng.choice([" ", "\n", "  ", "\r\n", "\t"]) for _ in items]
        text = ("[" + "".join(f"{s}{i}" for s, i in zip(spaces, items, strict=True)) + " ]").encode()
        fast, end = Lexer(text).value(0)
        general, general_end = Lexer(text.replace(b"[", b"[/x ", 1)).value(0)  # a name: the general way
        assert same(fast, general[1:]) and end == general_end - 3
