"""`pakta_cli.pdf.reader`: a PDF as a chain of revisions, read strictly and within limits."""

from __future__ import annotations

import pytest

from pakta_cli.pdf import writer
from pakta_cli.pdf.reader import Document, Limits
from pakta_cli.pdf.syntax import Name, PdfError, Ref


def _file(objects: dict[int, object]) -> bytes:
    chunks = [writer.indirect(num, objects[num]) for num in sorted(objects)]
    return writer.rendered_file(chunks, root=Ref(1, 0), info=None)


ONE = {1: {"Type": Name("Catalog"), "Pages": Ref(2, 0)}, 2: {"Type": Name("Pages"), "Kids": [], "Count": 0}}


def _update(pdf: bytes, objects: dict[int, object]) -> bytes:
    doc = Document(pdf)
    last = doc.revisions[-1]
    offsets, parts, at = {}, [], len(pdf)
    for num in sorted(objects):
        chunk = writer.indirect(num, objects[num])
        offsets[num], at = at, at + len(chunk)
        parts.append(chunk)
    trailer = {"Root": Ref(1, 0), "Size": max(last.trailer["Size"], max(objects) + 1), "Prev": last.xref_offset,
               "ID": last.trailer["ID"]}
    return pdf + b"".join(parts) + writer.tail(offsets, trailer, at, first=False)


def test_objects_as_of_each_revision() -> None:
    first = _file(ONE)
    second = _update(first, {2: {"Type": Name("Pages"), "Kids": [], "Count": 0, "Extra": 1}})
    doc = Document(second)
    assert len(doc.revisions) == 2
    assert "Extra" not in doc.get(2, 1) and doc.get(2, 2)["Extra"] == 1 and doc.get(2)["Extra"] == 1
    assert doc.resolve(Ref(1, 0), 1)["Pages"] == Ref(2, 0)
    assert doc.entry(2, 1) != doc.entry(2, 2)


@pytest.mark.parametrize(("damage", "says"), [
    (lambda pdf: pdf[:-30], "startxref|truncated|cross-reference"),
    (lambda pdf: b"not a pdf", "does not start with %PDF-"),
    (lambda pdf: pdf.replace(b"startxref\n", b"startxref\n9"), "cross-reference|offset"),
])
def test_a_damaged_file_is_said_not_guessed(damage, says: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PdfError, match=says):
        Document(damage(_file(ONE)))


def test_the_limits_hold_for_the_whole_chain() -> None:
    pdf = _file(ONE)
    for index in range(3):
        pdf = _update(pdf, {2: {"Type": Name("Pages"), "Kids": [], "Count": 0, "N": index}})
    assert len(Document(pdf).revisions) == 4
    with pytest.raises(PdfError, match="more than 3 revisions"):
        Document(pdf, Limits(revisions=3))
    assert Document(pdf, Limits(entries=6)).revisions  # three in the first table, one in each update
    with pytest.raises(PdfError, match="more than 5 entries in all"):
        Document(pdf, Limits(entries=5))
    with pytest.raises(PdfError, match="far fewer than 2"):
        Document(pdf, Limits(objects=2))
