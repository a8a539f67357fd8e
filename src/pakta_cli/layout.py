"""The layout markup (documented in templates/README.md) built into ReportLab flowables.

Templates speak a small XML vocabulary, one element per building block, so wording lives in
Jinja and never in Python. Unknown elements and attributes are errors, never silently dropped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pakta_cli.rl_pinned  # noqa: F401  ReportLab's own defaults, before any other ReportLab module

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFString
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from pakta_cli import coverage, fonts, images, printable
from pakta_cli.errors import InputError
from pakta_cli.i18n import _
from pakta_cli.pactfile import MAX_IMAGE_SAMPLES

MM: float = mm  # typed: ReportLab ships no type hints
ALIGNMENTS = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
INLINE_TAGS = {"b", "i", "u", "br", "sup", "sub"}
# The signature field: the stamp pakta sign draws (QR code, name, NIP, time, key id) is made for
# this room, and verify refuses a bigger field (its copy is verify.FIELD_MAX). A block narrower
# than this (three to a row, a meterai beside it) narrows the field; the height never changes.
SIGNATURE_WIDTH = 62 * mm
SIGNATURE_HEIGHT = 24 * mm
# A meterai tempel is 32 x 24 mm (the format of PMK 65/2014); its box sits left of the field, never under it.
METERAI_WIDTH = 32 * mm
METERAI_HEIGHT = 24 * mm
METERAI_GAP = 3 * mm
LOGO_HEIGHT = 16.5 * mm
LOGO_COLUMN = 26 * mm  # left of the letterhead for the logo, mirrored on the right to centre the text
BLOCK_PADDING = 2
ROW_GAP = 10  # between signature rows, so one row's NIP never reads as the next heading
# Widget flags: Print (4) + Locked (128): the box prints and cannot be moved by a viewer.
WIDGET_FLAGS = 132
TAIL_ROWS = 2  # the last rows of a table that stay on the page of the signatures after it


@cache
def _derived_cached(parent: ParagraphStyle, overrides: tuple[tuple[str, Any], ...]) -> ParagraphStyle:
    return ParagraphStyle(f"{parent.name}-" + "-".join(f"{k}{v}" for k, v in overrides), parent=parent,
                          **dict(overrides))


def _derived(parent: ParagraphStyle, **overrides: Any) -> ParagraphStyle:
    """A style like `parent` with a few changes, made once and shared: styles are never mutated."""
    return _derived_cached(parent, tuple(sorted(overrides.items())))


@cache
def styles(font: str) -> dict[str, ParagraphStyle]:
    """The paragraph styles of one `font:` choice, made once per process."""
    faces = fonts.faces(font)
    size, leading = faces.family.size, faces.family.leading

    def style(name: str, **overrides: Any) -> ParagraphStyle:
        base: dict[str, Any] = {"fontName": faces.regular, "fontSize": size, "leading": leading, "spaceAfter": 0}
        base.update(overrides)
        return ParagraphStyle(f"{font}-{name}", **base)

    bold = {"fontName": faces.bold}
    return {
        "body": style("body", alignment=TA_JUSTIFY, spaceAfter=3),
        "title": style("title", **bold, fontSize=14, leading=16, alignment=TA_CENTER, spaceAfter=1),
        "subtitle": style("subtitle", alignment=TA_CENTER),
        "identity": style("identity", alignment=TA_LEFT),
        "cell": style("cell", fontSize=size - 1, leading=round((size - 1) * 1.2, 1), alignment=TA_LEFT),
        # numbers in the body font (ReportLab defaults bullets to Helvetica 10), room for "10." and "11."
        "item": style("item", alignment=TA_JUSTIFY, leftIndent=18, bulletIndent=0, spaceAfter=1,
                      bulletFontName=faces.regular, bulletFontSize=size),
        "sign": style("sign", alignment=TA_CENTER),
        "headsub": style("headsub", fontSize=10, leading=12.5, alignment=TA_CENTER),
        "meterai": style("meterai", fontSize=7, leading=8.5, alignment=TA_CENTER, textColor=colors.grey),
    }


class TextLine(Flowable):  # type: ignore[misc]
    """One line of plain text, drawn directly: most letterhead, title, table and signature lines.

    ReportLab's Paragraph parses markup and breaks lines even for a single short line, which was a
    third of a pact's render time. A line that does not fit its width (known only at wrap time)
    falls back to a real Paragraph, so the result never differs from what a Paragraph would show.
    """

    def __init__(self, text: str, style: ParagraphStyle, *, bold: bool = False, underline: bool = False) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.font = fonts.bold_of(style.fontName) if bold else style.fontName
        self.bold = bold
        self.underline = underline
        self.text_width = stringWidth(text, self.font, style.fontSize)
        self._paragraph: Paragraph | None = None
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter

    def _fallback(self) -> Paragraph:
        if self._paragraph is None:
            markup = escape(self.text)
            if self.underline:
                markup = f"<u>{markup}</u>"
            if self.bold:
                markup = f"<b>{markup}</b>"
            self._paragraph = Paragraph(markup, self.style)
        return self._paragraph

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        style = self.style
        if self.text_width <= available_width - style.leftIndent - style.rightIndent:
            self._use_paragraph = False
            self.width = available_width
            self.height = style.leading
            return available_width, style.leading
        self._use_paragraph = True
        size: tuple[float, float] = self._fallback().wrap(available_width, available_height)
        return size

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        if self.wrap(available_width, available_height) and self._use_paragraph:
            parts: list[Flowable] = self._fallback().split(available_width, available_height)
            return parts
        return []

    def draw(self) -> None:
        if self._use_paragraph:
            self._fallback().drawOn(self.canv, 0, 0)
            return
        style = self.style
        room = self.width - style.leftIndent - style.rightIndent
        x = style.leftIndent + {TA_CENTER: (room - self.text_width) / 2,
                                TA_RIGHT: room - self.text_width}.get(style.alignment, 0)
        y = self.height - style.fontSize
        canvas = self.canv
        canvas.setFont(self.font, style.fontSize)
        canvas.setFillColor(style.textColor)
        canvas.drawString(x, y, self.text)
        if self.underline:
            canvas.setStrokeColor(style.textColor)
            canvas.setLineWidth(style.fontSize / 20)
            canvas.line(x, y - 0.125 * style.fontSize, x + self.text_width, y - 0.125 * style.fontSize)


def plain_text(element: ET.Element) -> str | None:
    """The element's text when it holds no inline markup, whitespace folded as a Paragraph folds it."""
    if len(element):
        return None
    return " ".join((element.text or "").split())


def text_flowable(element: ET.Element, style: ParagraphStyle, where: str, *, bold: bool = False,
                  underline: bool = False) -> Flowable:
    """A TextLine for plain text, a Paragraph for text with inline markup."""
    text = plain_text(element)
    if text is not None:
        return TextLine(text, style, bold=bold, underline=underline)
    markup = _inline(element, where)
    if underline:
        markup = f"<u>{markup}</u>"
    if bold:
        markup = f"<b>{markup}</b>"
    return Paragraph(markup, style)


class SignatureSpace(Flowable):  # type: ignore[misc]
    """Room for a signature that also places the empty PDF signature field the signer fills.

    With a meterai, a dashed box for the Rp10.000 stamp duty sits left of the field and never
    under it: the field is where `pakta sign` draws its stamp and QR code, which must not cover
    the meterai a signer sticks on, or the e-Meterai an office affixes. Where the row leaves the
    left of the block empty (a block alone), the box hangs out into that room and the field stays
    centred under the block's heading, as on a paper form; otherwise box and field share the block.
    """

    def __init__(self, field_name: str, label_style: ParagraphStyle, meterai: bool = False) -> None:
        super().__init__()
        self.field_name = field_name
        self.label_style = label_style
        self.field_width = SIGNATURE_WIDTH
        self.meterai = meterai
        self.outside = False  # the meterai box hangs out left of the flowable
        self.height = SIGNATURE_HEIGHT
        self.shared = False  # the party signs in more than one place: one field, a widget for each

    @property
    def beside(self) -> float:
        """The width the meterai box takes inside this flowable."""
        return METERAI_WIDTH + METERAI_GAP if self.meterai and not self.outside else 0

    def fit(self, room: float) -> None:
        """Narrow the field to the room the block has (never wider than a stamp needs)."""
        self.field_width = min(SIGNATURE_WIDTH, room - self.beside)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = self.beside + self.field_width
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        left = self.beside
        if self.meterai:
            style = self.label_style
            box = left - METERAI_GAP - METERAI_WIDTH
            canvas.saveState()
            canvas.setDash(2, 2)
            canvas.setStrokeColor(style.textColor)
            canvas.setLineWidth(0.6)
            canvas.rect(box, (self.height - METERAI_HEIGHT) / 2, METERAI_WIDTH, METERAI_HEIGHT)
            canvas.setFont(style.fontName, style.fontSize)
            canvas.setFillColor(style.textColor)
            canvas.drawCentredString(box + METERAI_WIDTH / 2, self.height / 2 + 1, "METERAI")
            canvas.drawCentredString(box + METERAI_WIDTH / 2, self.height / 2 + 1 - style.leading, "Rp10.000")
            canvas.restoreState()
        x, y = canvas.absolutePosition(left, 0)
        widget = PDFDictionary(
            {
                "Type": PDFName("Annot"),
                "Subtype": PDFName("Widget"),
                "F": WIDGET_FLAGS,
                "Rect": PDFArray([round(x, 2), round(y, 2), round(x + self.field_width, 2),
                                  round(y + self.height, 2)]),
                "P": canvas._doc.thisPageRef(),
            }
        )
        canvas._addAnnotation(widget)
        getattr(canvas, "page_widgets", []).append(widget)  # render's canvas sets /P when it writes the page
        if not self.shared:  # the usual case: the field and its one widget are one dictionary
            widget["FT"] = PDFName("Sig")
            widget["T"] = PDFString(self.field_name)
            canvas.acroForm.fields.append(canvas._doc.Reference(widget))
            return
        # one field, one widget per place the party signs (a performance agreement and its annex):
        # one signature fills the field, and its stamp shows in every one of the party's blocks
        fields: dict[str, PDFDictionary] = canvas.__dict__.setdefault("pakta_fields", {})
        parent = fields.get(self.field_name)
        if parent is None:
            parent = fields[self.field_name] = PDFDictionary(
                {"FT": PDFName("Sig"), "T": PDFString(self.field_name), "Kids": PDFArray([])})
            canvas.acroForm.fields.append(canvas._doc.Reference(parent))
        widget["Parent"] = canvas._doc.Reference(parent)
        parent["Kids"].sequence.append(canvas._doc.Reference(widget))


@dataclass
class BuildContext:
    """What the builder needs besides the markup: where images live, the text width, the font."""

    base_dir: Path
    frame_width: float
    font: str = fonts.DEFAULT
    footer: list[str] = field(default_factory=list)
    field_names: list[str] = field(default_factory=list)  # a field once per space: twice if it signs twice
    spaces: list[SignatureSpace] = field(default_factory=list)
    image_samples: dict[Path, int] = field(default_factory=dict)  # bytes of pixels of each image file drawn
    logo: str | None = None  # the logo the definition names: the one image file that may lie outside base_dir

    def image_path(self, src: str) -> Path:
        """The file an image's `src` names. A template travels between offices, so it may name only a file
        in the definition's folder (or the definition's own logo): never an absolute path, never `..`
        out of it, or a shared template could publish any picture on the clerk's disk in every pact."""
        if src == self.logo:
            return self.base_dir / src
        parts = Path(src).parts
        if not parts or Path(src).is_absolute() or ".." in parts or "\\" in src:
            raise InputError(_("layout: <image src={src}> names a file outside the definition's folder").format(
                src=repr(src)), hint=_("put the image beside the definition and name it by its file name"))
        return self.base_dir / src

    @property
    def styles(self) -> dict[str, ParagraphStyle]:
        return styles(self.font)


def _inline(element: ET.Element, where: str) -> str:
    """An element's mixed content as ReportLab paragraph markup, re-escaped."""
    parts = [escape(element.text or "")]
    for child in element:
        if child.tag not in INLINE_TAGS:
            raise InputError(_("layout: <{tag}> is not allowed inside <{where}>").format(tag=child.tag, where=where),
                             hint=_("inline markup is one of: {tags}").format(
                                      tags=', '.join(sorted(INLINE_TAGS))))
        if child.tag == "br":
            parts.append("<br/>")
        else:
            parts.append(f"<{child.tag}>{_inline(child, where)}</{child.tag}>")
        parts.append(escape(child.tail or ""))
    return "".join(parts).strip()


def _attributes(element: ET.Element, allowed: set[str]) -> dict[str, str]:
    unknown = set(element.attrib) - allowed
    if unknown:
        raise InputError(_("layout: <{tag}> has no attribute {attribute!r}").format(
                             tag=element.tag, attribute=sorted(unknown)[0]),
                         hint=_("<{tag}> takes: {allowed}").format(
                                  tag=element.tag,
                                  allowed=', '.join(sorted(allowed)) or 'no attributes'))
    return dict(element.attrib)


def _length(value: str, total: float) -> float:
    value = value.strip()
    try:
        if value.endswith("%"):
            return total * float(value[:-1]) / 100
        if value.endswith("mm"):
            return float(value[:-2]) * MM
        if value.endswith("cm"):
            return float(value[:-2]) * MM * 10
        return float(value)
    except ValueError:
        raise InputError(_("layout: {value!r} is not a length (use 12, 30mm, 3cm or 40%)").format(
            value=value)) from None


def _choice(element: ET.Element, attribute: str, choices: Collection[str], default: str) -> str:
    """An attribute limited to a few words: a typo is an error, never a silent default."""
    value = element.attrib.get(attribute, default)
    if value not in choices:
        raise InputError(_("layout: <{tag} {attribute}=...> must be one of {choices}, not {value!r}").format(
                             tag=element.tag, attribute=attribute, choices=', '.join(choices), value=value))
    return value


def _paragraph(element: ET.Element, style: ParagraphStyle) -> Flowable:
    attrs = _attributes(element, {"align", "indent"})
    if attrs:
        overrides: dict[str, Any] = {}
        if "align" in attrs:
            overrides["alignment"] = ALIGNMENTS[_choice(element, "align", ALIGNMENTS, "left")]
        if "indent" in attrs:
            overrides["leftIndent"] = _length(attrs["indent"], 0)
        style = _derived(style, **overrides)
    if style.alignment != TA_JUSTIFY:
        return text_flowable(element, style, element.tag)
    return Paragraph(_inline(element, element.tag), style)


class DoubleRule(Flowable):  # type: ignore[misc]
    """The rule under a kop surat: a thick line over a thin one, as wide as the text frame."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, 4

    def draw(self) -> None:
        self.canv.setLineWidth(1.6)
        self.canv.line(0, 3.2, self.width, 3.2)
        self.canv.setLineWidth(0.5)
        self.canv.line(0, 0.3, self.width, 0.3)


def _letterhead(element: ET.Element, ctx: BuildContext) -> list[Flowable]:
    """Institution lines centred on the frame; a logo sits at the left in a column mirrored on the right.

    A line a little too long for its column (an address in a wide face) is set up to a fifth
    smaller rather than broken: a kop surat with a lone postcode on its own line looks misprinted."""
    attrs = _attributes(element, {"logo"})
    faces = fonts.faces(ctx.font)
    room = ctx.frame_width - (2 * LOGO_COLUMN if attrs.get("logo") else 0)
    lines = []
    for child in element:
        if child.tag != "line":
            raise InputError(_("layout: <letterhead> holds <line> elements, not <{tag}>").format(tag=child.tag))
        line_attrs = _attributes(child, {"size", "bold"})
        size = _length(line_attrs.get("size", "12"), 0)
        bold = _choice(child, "bold", ("true", "false"), "false") == "true"
        font = faces.bold if bold else faces.regular
        text = plain_text(child)
        if text is not None:
            size = max(size * 0.8, min(size, size * room / max(stringWidth(text, font, size), 1)))
        style = _derived(ctx.styles["headsub"], fontSize=size, leading=size * 1.22, fontName=font)
        lines.append(text_flowable(child, style, "line"))
    logo = attrs.get("logo")
    if logo:
        image = _image_flowable(ctx.image_path(logo), ctx, height=LOGO_HEIGHT)
        if image.drawWidth > LOGO_COLUMN:  # a wide logo shrinks to its column, keeping its shape
            image.drawHeight *= LOGO_COLUMN / image.drawWidth
            image.drawWidth = LOGO_COLUMN
        image.hAlign = "LEFT"
        cells: list[Any] = [image, lines, []]
        widths = [LOGO_COLUMN, ctx.frame_width - 2 * LOGO_COLUMN, LOGO_COLUMN]
    else:
        cells, widths = [lines], [ctx.frame_width]
    content = Table([cells], colWidths=widths)
    content.setStyle(_table_style(faces.regular, [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return [content, DoubleRule(), Spacer(1, 6)]


def _table_style(font: str, commands: list[Any]) -> TableStyle:
    """A table style in the pact's font: a ReportLab Table names its default Helvetica on the page
    even when every cell is a flowable, and an unembedded font must never appear."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), font), *commands])


class DrawnImage(Flowable):  # type: ignore[misc]
    """An image drawn from its decoded pixels (`pakta_cli.images`), never from its file's bytes."""

    def __init__(self, picture: images.Picture, *, width: float, height: float) -> None:
        super().__init__()
        self.picture = picture
        self.drawWidth = width
        self.drawHeight = height
        self.hAlign = "CENTER"

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.drawWidth, self.drawHeight

    def draw(self) -> None:
        # ReportLab names the image after its pixels and deflates them; an alpha band becomes a soft mask
        self.canv.drawImage(ImageReader(self.picture.image), 0, 0, self.drawWidth, self.drawHeight, mask="auto")


def _image_flowable(path: Path, ctx: BuildContext, *, height: float, width: float | None = None) -> DrawnImage:
    picture = images.load(path)
    ctx.image_samples[path] = picture.samples
    if sum(ctx.image_samples.values()) > MAX_IMAGE_SAMPLES:
        raise InputError(_("{path}: the pact's images hold more than {limit} MiB of "
                           "pixels together").format(path=path, limit=MAX_IMAGE_SAMPLES >> 20), hint=images.SCALE_DOWN)
    if width is None:
        width = height * picture.width / picture.height
    return DrawnImage(picture, width=width, height=height)


def _identity(element: ET.Element, ctx: BuildContext) -> Table:
    attrs = _attributes(element, {"label-width", "indent"})
    indent = _length(attrs.get("indent", "0"), ctx.frame_width)
    label_width = _length(attrs.get("label-width", "45mm"), ctx.frame_width)
    style = ctx.styles["identity"]
    rows = []
    for row in element:
        if row.tag != "row":
            raise InputError(_("layout: <identity> holds <row> elements, not <{tag}>").format(tag=row.tag))
        row_attrs = _attributes(row, {"label"})
        rows.append([TextLine(row_attrs.get("label", ""), style), TextLine(":", style),
                     text_flowable(row, style, "row")])
    if not rows:
        raise InputError(_('layout: <identity> needs at least one <row label="...">'))
    value_width = ctx.frame_width - indent - label_width - 4 * mm
    table = Table(rows, colWidths=[label_width, 4 * mm, value_width], hAlign="RIGHT")
    table.setStyle(_table_style(style.fontName, [
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5)]))
    return table


def _bullet(style: str, number: int) -> str:
    if style == "dash":
        return "-"
    if style == "alpha":
        letters = ""
        while number > 0:  # a..z, then aa, ab, ... like a word processor
            number, rest = divmod(number - 1, 26)
            letters = chr(ord("a") + rest) + letters
        return f"{letters}."
    return f"{number}."


def _list(element: ET.Element, ctx: BuildContext) -> list[Flowable]:
    attrs = _attributes(element, {"style", "start"})
    style = _choice(element, "style", ("decimal", "alpha", "dash"), "decimal")
    start = attrs.get("start", "1")
    if not start.isdigit() or int(start) < 1:
        raise InputError(_("layout: <list start=...> must be a whole number from 1, not {start!r}").format(
                             start=start))
    out = []
    for number, item in enumerate(element, start=int(start)):
        if item.tag != "item":
            raise InputError(_("layout: <list> holds <item> elements, not <{tag}>").format(tag=item.tag))
        _attributes(item, set())
        out.append(Paragraph(_inline(item, "item"), ctx.styles["item"], bulletText=_bullet(style, number)))
    return out


@dataclass(frozen=True)
class _Cell:
    """A table cell as the markup gives it. A flowable is made anew for each part of a table a page
    break makes, and a cell spanning rows that goes on under the repeated heading is drawn again there,
    with its `continued` note."""

    element: ET.Element | None  # None: an empty cell, or one a span above covers
    style: ParagraphStyle
    continued: str = ""

    def make(self, *, continuing: bool = False) -> Flowable:
        if self.element is None:
            return TextLine("", self.style)
        if continuing and self.continued:
            return Paragraph(f"{_inline(self.element, 'td')} <i>{escape(self.continued)}</i>", self.style)
        return text_flowable(self.element, self.style, "td")

    def text(self) -> str:
        return " ".join("".join(self.element.itertext()).split()) if self.element is not None else ""


class RowTable(Flowable):  # type: ignore[misc]
    """A ruled table that a page break may split between any two rows, even inside a cell that
    spans rows (a goal over its indicators): each part repeats the heading rows, and the spanning
    cell goes on under them. ReportLab's own Table never splits inside a span, which left 7-9 cm
    holes before a long goal, and failed outright once a goal outgrew a page.

    `tail` is what must stand on the page of the table's last rows (the signatures under an
    annex): the last rows move to the next page with it rather than leave it alone there.
    """

    def __init__(self, head: list[list[_Cell]], body: list[list[_Cell]], widths: list[float],
                 spans: list[tuple[int, int, int]], covered: dict[tuple[int, int], int],
                 first: int = 0, last: int | None = None, tail: list[Flowable] | None = None) -> None:
        super().__init__()
        self.head, self.body, self.widths, self.spans, self.covered = head, body, widths, spans, covered
        self.font = (head or body)[0][0].style.fontName
        self.first = first
        self.last = len(body) if last is None else last
        self.tail = tail or []
        self._table: Table | None = None

    def _part(self, first: int, last: int) -> Table:
        rows = [[cell.make() for cell in row] for row in self.head]
        for r in range(first, last):
            row = []
            for column, cell in enumerate(self.body[r]):
                origin = self.covered.get((column, r))
                if origin is not None and r == first:  # a span from the page before goes on here
                    row.append(self.body[origin][column].make(continuing=True))
                else:
                    row.append(cell.make())
            rows.append(row)
        heading = len(self.head)
        commands: list[Any] = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        for column, top, bottom in self.spans:
            top, bottom = max(top, first), min(bottom, last - 1)
            if bottom > top:
                commands.append(("SPAN", (column, top - first + heading), (column, bottom - first + heading)))
        if heading:
            commands += [("BACKGROUND", (0, 0), (-1, heading - 1), colors.Color(0.9, 0.9, 0.9)),
                         ("VALIGN", (0, 0), (-1, heading - 1), "MIDDLE")]
        table = Table(rows, colWidths=self.widths)
        table.setStyle(_table_style(self.font, commands))
        return table

    def _stack(self) -> list[Flowable]:
        assert self._table is not None
        return [self._table, *self.tail]

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self._table is None:
            self._table = self._part(self.first, self.last)
        self.width = available_width
        self._heights = [float(f.wrap(available_width, available_height)[1]) for f in self._stack()]
        self.height = sum(self._heights) + sum(f.getSpaceBefore() + f.getSpaceAfter() for f in self._stack())
        return available_width, self.height

    def draw(self) -> None:
        y = self.height
        for flowable, height in zip(self._stack(), self._heights, strict=True):
            y -= flowable.getSpaceBefore() + height
            flowable.drawOn(self.canv, 0, y)
            y -= flowable.getSpaceAfter()

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        assert self._table is not None
        heights: list[float] = list(self._table._rowHeights)
        heading = len(self.head)
        count = self.last - self.first
        limit = count - (min(TAIL_ROWS, count) if self.tail else 0)
        total, rows = sum(heights[:heading]), 0
        while rows < limit and total + heights[heading + rows] <= available_height:
            total += heights[heading + rows]
            rows += 1
        while rows >= 1:  # spans ending at the break change row heights: measure the part itself
            part = RowTable(self.head, self.body, self.widths, self.spans, self.covered, self.first,
                            self.first + rows)
            if part.wrap(available_width, available_height)[1] <= available_height:
                rest = RowTable(self.head, self.body, self.widths, self.spans, self.covered,
                                self.first + rows, self.last, self.tail)
                return [part, rest]
            rows -= 1
        return []

    def texts(self) -> list[str]:
        """The text of the row that must open a page, for a message when even it does not fit one."""
        if self.first >= len(self.body):  # a table of heading rows only
            return [cell.text() for row in self.head for cell in row]
        row = self.body[self.first]
        return [self.body[self.covered.get((c, self.first), self.first)][c].text() for c in range(len(row))]


def _table(element: ET.Element, ctx: BuildContext) -> RowTable:
    """A ruled table; `<td rowspan="N">` covers the cells below it as in HTML (the rows below
    leave that column out), for a goal that spans its indicators."""
    attrs = _attributes(element, {"widths", "header"})
    style = ctx.styles["cell"]
    blank = _Cell(None, style)
    rows: list[list[_Cell]] = []
    spans: list[tuple[int, int, int]] = []  # (column, first row, last row)
    covered: dict[tuple[int, int], int] = {}  # (column, row) -> the row whose cell spans over it
    for r, tr in enumerate(element):
        if tr.tag != "tr":
            raise InputError(_("layout: <table> holds <tr> elements, not <{tag}>").format(tag=tr.tag))
        _attributes(tr, set())
        cells: list[_Cell] = []
        for td in tr:
            if td.tag != "td":
                raise InputError(_("layout: <tr> holds <td> elements, not <{tag}>").format(tag=td.tag))
            while (len(cells), r) in covered:
                cells.append(blank)
            _attributes(td, {"align", "rowspan", "continued"})
            align = _choice(td, "align", ALIGNMENTS, "left")
            rowspan = td.attrib.get("rowspan", "1")
            if not rowspan.isdigit() or int(rowspan) < 1:
                raise InputError(_("layout: <td rowspan=...> must be a whole number from 1, not {rowspan!r}").format(
                                     rowspan=rowspan))
            if int(rowspan) > 1:
                spans.append((len(cells), r, r + int(rowspan) - 1))
                covered.update({(len(cells), below): r for below in range(r + 1, r + int(rowspan))})
            cells.append(_Cell(td, _derived(style, alignment=ALIGNMENTS[align]), td.attrib.get("continued", "")))
        while (len(cells), r) in covered:
            cells.append(blank)
        rows.append(cells)
    if any(last >= len(rows) for _, _, last in spans):
        raise InputError(_("layout: a <td rowspan=...> reaches below the last row of its <table>"))
    if not rows:
        raise InputError(_("layout: <table> needs at least one <tr>"))
    columns = max(len(r) for r in rows)
    for row in rows:
        row.extend([blank] * (columns - len(row)))
    if "widths" in attrs:
        widths = [_length(w, ctx.frame_width) for w in attrs["widths"].split(",")]
        if len(widths) != columns:
            raise InputError(_("layout: <table widths=...> gives {count} widths for {columns} columns").format(
                                 count=len(widths), columns=columns))
    else:  # Paragraph cells cannot size a column themselves: share the frame equally
        widths = [ctx.frame_width / columns] * columns
    header = attrs.get("header", "0")
    if not header.isdigit() or int(header) > len(rows):
        raise InputError(_("layout: <table header=...> is the number of heading rows, not {header!r}").format(
                             header=header))
    heading = int(header)
    if any(first < heading <= last for _, first, last in spans):
        raise InputError(_("layout: a <td rowspan=...> in a heading row reaches below the heading"))
    bold = fonts.bold_of(style.fontName)
    head = [[_Cell(c.element, _derived(c.style, fontName=bold, alignment=TA_CENTER)) for c in row]
            for row in rows[:heading]]
    body_spans = [(column, first - heading, last - heading) for column, first, last in spans if first >= heading]
    body_covered = {(column, row - heading): origin - heading for (column, row), origin in covered.items()
                    if row >= heading}
    return RowTable(head, rows[heading:], widths, body_spans, body_covered)


@dataclass
class _Block:
    """One signature block split where the signature goes, so a row can line its blocks up."""

    above: list[Flowable]
    below: list[Flowable]
    meterai: bool = False
    space: SignatureSpace | None = None


def _block(element: ET.Element, ctx: BuildContext) -> _Block:
    _attributes(element, {"party", "position"})
    block = _Block([], [])
    part = block.above
    style = ctx.styles["sign"]
    for child in element:
        _attributes(child, {"meterai"} if child.tag == "sign" else set())
        if child.tag == "line":
            part.append(text_flowable(child, style, "line"))
        elif child.tag == "name":
            part = block.below  # without a <sign/>, names still line up across the row
            part.append(text_flowable(child, style, "name", bold=True, underline=True))
        elif child.tag == "sign":
            if part is block.below:
                raise InputError(_("layout: <sign/> comes before <name> in a <block>"))
            party = element.attrib.get("party")
            if not party:
                raise InputError(_('layout: a <block> with <sign/> needs party="FIELD" (the party\'s '
                                   "field_name)"))
            ctx.field_names.append(party)
            block.meterai = _choice(child, "meterai", ("true", "false"), "false") == "true"
            block.space = SignatureSpace(party, ctx.styles["meterai"], block.meterai)
            ctx.spaces.append(block.space)
            for space in ctx.spaces:  # a party with two spaces signs once, shown in both
                space.shared = ctx.field_names.count(space.field_name) > 1
            part = block.below
            part.append(block.space)
        else:
            raise InputError(_("layout: <block> holds <line>, <sign/> and <name>, not <{tag}>").format(
                                 tag=child.tag))
    return block


def _height(flowables: list[Flowable], width: float) -> float:
    return sum(float(f.wrap(width, 10_000)[1]) for f in flowables)


def _column_widths(blocks: list[_Block], frame_width: float, position: str) -> list[float]:
    """Each block's share of the line: equal, unless a meterai box must share a block's column
    (in a row of several, or a block alone at the left), which then gets the room it needs."""
    if len(blocks) == 1:
        if position == "center":
            return [frame_width]
        width = frame_width / 2
        if blocks[0].meterai and position == "left":
            width = min(frame_width, SIGNATURE_WIDTH + METERAI_WIDTH + METERAI_GAP + 2 * BLOCK_PADDING)
        return [frame_width - width, width] if position == "right" else [width, frame_width - width]
    wanted = [SIGNATURE_WIDTH + 2 * BLOCK_PADDING + (METERAI_WIDTH + METERAI_GAP if b.meterai else 0)
              for b in blocks]
    total = sum(wanted)
    if total <= frame_width:
        return [w + (frame_width - total) / len(blocks) for w in wanted]
    return [w * frame_width / total for w in wanted]


def _signature_row(row: ET.Element, ctx: BuildContext) -> Table:
    _attributes(row, set())
    elements = list(row)
    if not elements or any(b.tag != "block" for b in elements):
        raise InputError(_("layout: a signature <row> holds one or more <block> elements only"))
    position = _choice(elements[0], "position", ("right", "left", "center"), "right")
    blocks = [_block(b, ctx) for b in elements]
    widths = _column_widths(blocks, ctx.frame_width, position)
    # a block alone at one side leaves an empty column at the other
    cells_at = list(range(len(blocks))) if len(widths) == len(blocks) else [1 if position == "right" else 0]
    inner = [widths[i] - 2 * BLOCK_PADDING for i in cells_at]
    for block, room in zip(blocks, inner, strict=True):
        if block.space is not None:
            # alone at the right or centred, the block has empty room at its left for the meterai box
            block.space.outside = len(blocks) == 1 and position != "left"
            block.space.fit(room)
    tallest = max(_height(b.above, room) for b, room in zip(blocks, inner, strict=True))
    cells: list[Any] = [[] for _ in widths]
    for block, room, at in zip(blocks, inner, cells_at, strict=True):
        cells[at] = [Spacer(1, tallest - _height(block.above, room)), *block.above, *block.below]
    table = Table([cells], colWidths=widths)
    table.setStyle(_table_style(ctx.styles["sign"].fontName, [
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), BLOCK_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), BLOCK_PADDING), ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _signatures(element: ET.Element, ctx: BuildContext) -> list[list[Flowable]]:
    """One group of flowables per signature row, each kept whole on one page; a `<p>` (place and
    date, a "Saksi-saksi" heading) goes with the row after it. A row's signature spaces (or,
    without them, its names) sit on one line. Groups after the first keep a gap above them, which
    a page top swallows (it is space before, not a spacer)."""
    _attributes(element, set())
    groups: list[list[Flowable]] = []
    group: list[Flowable] = []
    for child in element:
        if child.tag == "p":
            group.append(_paragraph(child, ctx.styles["body"]))
        elif child.tag == "row":
            group.append(_signature_row(child, ctx))
            if groups:
                group[0].spaceBefore = ROW_GAP
            groups.append(group)
            group = []
        else:
            raise InputError(_("layout: <signatures> holds <row> and <p> elements, not <{tag}>").format(
                                 tag=child.tag))
    if group:
        raise InputError(_("layout: a <p> in <signatures> goes with the <row> after it; none follows"))
    return groups


class KeepGroup(KeepTogether):  # type: ignore[misc]
    """Flowables kept on one page: a signature row with what introduces it (the closing sentence,
    place and date). When the group must move to the next page, a paragraph at its head that is
    long enough leaves all but its last two lines behind: the page before stays full, and the
    signatures never stand alone."""

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        if getattr(self, "_wrapInfo", None) != (available_width, available_height):
            self.wrap(available_width, available_height)
        lead = self._content[0]
        if available_height < self._H and isinstance(lead, Paragraph):
            leading = lead.style.leading
            lines = len(lead.blPara.lines)
            stay = min(lines - 2, int((available_height - lead.getSpaceBefore()) // leading))
            if stay >= 2:
                parts = lead.split(available_width, stay * leading + 0.01)
                if len(parts) == 2:
                    return [parts[0], KeepGroup([parts[1], *self._content[1:]])]
        parts = super().split(available_width, available_height)
        return list(parts)

    def texts(self) -> list[str]:
        return texts(self._content)


def texts(flowable: Any) -> list[str]:
    """The plain text a flowable prints, for a message when it does not fit on a page."""
    if isinstance(flowable, (list, tuple)):
        return [text for item in flowable for text in texts(item)]
    if hasattr(flowable, "texts"):
        found: list[str] = flowable.texts()
        return found
    if isinstance(flowable, TextLine):
        return [flowable.text]
    if isinstance(flowable, Paragraph):
        return [str(flowable.getPlainText())]
    if isinstance(flowable, Table):
        return texts([cell for row in flowable._cellvalues for cell in row])
    return []


def _text_before(flow: list[Flowable]) -> list[Flowable]:
    """Take the paragraph at the end of `flow` (and the spacers after it) off the flow, so it can
    go on the first signature row's page: a signature never stands alone on a page."""
    start = len(flow)
    while start and isinstance(flow[start - 1], Spacer):
        start -= 1
    if not start or not isinstance(flow[start - 1], Paragraph):
        return []
    kept = flow[start - 1 :]
    del flow[start - 1 :]
    return kept


def _table_before(flow: list[Flowable]) -> tuple[RowTable, list[Flowable]] | None:
    """The table the flow ends with, and the spacers after it (taken off the flow)."""
    start = len(flow)
    while start and isinstance(flow[start - 1], Spacer):
        start -= 1
    if not start or not isinstance(flow[start - 1], RowTable):
        return None
    spacers = flow[start:]
    del flow[start:]
    return flow[start - 1], spacers


def build(markup: str, ctx: BuildContext) -> list[Flowable]:
    """Turn the template's output into flowables; the footer text goes into `ctx.footer`."""
    try:
        root = ET.fromstring(markup)
    except ET.ParseError as exc:
        line, column = exc.position
        raise InputError(_("layout markup:{line}:{column}: not well-formed: {exc}").format(
                             line=line, column=column + 1, exc=exc),
                         hint=_("the template produced invalid layout markup; check its tags")) from None
    if root.tag != "pact":
        raise InputError(_("layout: the root element must be <pact>, not <{tag}>").format(tag=root.tag))
    _attributes(root, set())
    _refuse_unprintable(root, ctx.font)
    flow: list[Flowable] = []
    handlers: dict[str, Callable[[ET.Element], list[Flowable]]] = {
        "letterhead": lambda e: _letterhead(e, ctx),
        "title": lambda e: [_paragraph(e, ctx.styles["title"])],
        "subtitle": lambda e: [_paragraph(e, ctx.styles["subtitle"])],
        "p": lambda e: [_paragraph(e, ctx.styles["body"])],
        "identity": lambda e: [_identity(e, ctx), Spacer(1, 4)],
        "list": lambda e: _list(e, ctx),
        "table": lambda e: [_table(e, ctx), Spacer(1, 8)],
        "spacer": lambda e: [Spacer(1, _length(_attributes(e, {"height"}).get("height", "12"), 0))],
        "pagebreak": lambda e: _empty(e, PageBreak()),
        "image": lambda e: [_image(e, ctx)],
        "footer": lambda e: _footer(e, ctx),
    }
    for element in root:
        if element.tag == "signatures":
            groups = _signatures(element, ctx)
            before = _table_before(flow) if groups else None
            if before is not None:  # an annex's signatures stand with the table's last rows
                table, spacers = before
                table.tail = [*spacers, *groups.pop(0)]
            elif groups:
                groups[0] = _text_before(flow) + groups[0]
            flow.extend(KeepGroup(group) for group in groups)
            continue
        handler = handlers.get(element.tag)
        if handler is None:
            raise InputError(_("layout: unknown element <{tag}>").format(tag=element.tag),
                             hint=_("the layout elements are: {elements}").format(
                                      elements=', '.join([*handlers, 'signatures'])))
        flow.extend(handler(element))
    return flow


def _refuse_unprintable(root: ET.Element, font: str) -> None:
    """The definition's text was checked where it was typed; a template's own words are checked here."""
    text = "".join(root.itertext()) + "".join(e.attrib.get("label", "") + e.attrib.get("continued", "")
                                              for e in root.iter())
    bad = coverage.unprintable(text, font)
    if bad is not None:
        raise InputError(_("layout: the template prints {character}, which cannot be printed in a pact ({why})").format(
                             character=printable.describe(bad[1]), why=coverage.why_unprintable(bad[1], font)))
    word = coverage.overlong_word(text)
    if word is not None:
        raise InputError(_("layout: the pact would print {word}").format(word=coverage.why_overlong(word)))


def _empty(element: ET.Element, flowable: Flowable) -> list[Flowable]:
    """An element that takes no attributes and no content, such as <pagebreak/>."""
    _attributes(element, set())
    if len(element) or (element.text or "").strip():
        raise InputError(_("layout: <{tag}/> takes no content").format(tag=element.tag))
    return [flowable]


def _image(element: ET.Element, ctx: BuildContext) -> DrawnImage:
    attrs = _attributes(element, {"src", "height", "width", "align"})
    if "src" not in attrs:
        raise InputError(_('layout: <image> needs src="PATH"'))
    height = _length(attrs.get("height", "20mm"), 0)
    width = _length(attrs["width"], ctx.frame_width) if "width" in attrs else None
    image = _image_flowable(ctx.image_path(attrs["src"]), ctx, height=height, width=width)
    image.hAlign = _choice(element, "align", ("left", "center", "right"), "center").upper()
    return image


def _footer(element: ET.Element, ctx: BuildContext) -> list[Flowable]:
    _attributes(element, set())
    ctx.footer.append(_inline(element, "footer"))
    return []
