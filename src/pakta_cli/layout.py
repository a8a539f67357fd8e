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

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFString
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from pakta_cli.errors import InputError
from pakta_cli.images import image_problem

MM: float = mm  # typed: ReportLab ships no type hints
FONT = "Times-Roman"
FONT_BOLD = "Times-Bold"
SIZE = 12
LEADING = 15
ALIGNMENTS = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
INLINE_TAGS = {"b", "i", "u", "br", "sup", "sub"}
SIGNATURE_WIDTH = 62 * mm
SIGNATURE_HEIGHT = 24 * mm
LOGO_HEIGHT = 22 * mm
LOGO_COLUMN = 26 * mm  # left of the letterhead for the logo, mirrored on the right to centre the text
BLOCK_PADDING = 2
ROW_GAP = 14  # between signature rows, so one row's NIP never reads as the next heading
# Widget flags: Print (4) + Locked (128): the box prints and cannot be moved by a viewer.
WIDGET_FLAGS = 132


@cache
def _derived_cached(parent: ParagraphStyle, overrides: tuple[tuple[str, Any], ...]) -> ParagraphStyle:
    return ParagraphStyle(f"{parent.name}-" + "-".join(f"{k}{v}" for k, v in overrides), parent=parent,
                          **dict(overrides))


def _derived(parent: ParagraphStyle, **overrides: Any) -> ParagraphStyle:
    """A style like `parent` with a few changes, made once and shared: styles are never mutated."""
    return _derived_cached(parent, tuple(sorted(overrides.items())))


def _style(name: str, **overrides: Any) -> ParagraphStyle:
    base: dict[str, Any] = {"fontName": FONT, "fontSize": SIZE, "leading": LEADING, "spaceAfter": 0}
    base.update(overrides)
    return ParagraphStyle(name, **base)


STYLES = {
    "body": _style("body", alignment=TA_JUSTIFY, spaceAfter=6),
    "title": _style("title", fontName=FONT_BOLD, fontSize=14, leading=18, alignment=TA_CENTER, spaceAfter=2),
    "subtitle": _style("subtitle", alignment=TA_CENTER, spaceAfter=2),
    "cell": _style("cell", fontSize=11, leading=13.5, alignment=TA_LEFT),
    # numbers in the body font (ReportLab defaults bullets to Helvetica 10), room for "10." and "11."
    "item": _style("item", alignment=TA_JUSTIFY, leftIndent=24, bulletIndent=2, spaceAfter=4,
                   bulletFontName=FONT, bulletFontSize=SIZE),
    "sign": _style("sign", alignment=TA_CENTER),
    "head": _style("head", fontName=FONT_BOLD, fontSize=14, leading=17, alignment=TA_CENTER),
    "headsub": _style("headsub", fontSize=10, leading=12.5, alignment=TA_CENTER),
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
        self.font = FONT_BOLD if bold else style.fontName
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
    """Room for a signature that also places the empty PDF signature field the signer fills."""

    def __init__(self, field_name: str, width: float = SIGNATURE_WIDTH, height: float = SIGNATURE_HEIGHT,
                 meterai: bool = False) -> None:
        super().__init__()
        self.field_name = field_name
        self.width = width
        self.height = height
        self.meterai = meterai

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        if self.meterai:
            canvas.saveState()
            canvas.setDash(2, 2)
            canvas.setStrokeColor(colors.grey)
            canvas.rect(2, 4, 22 * mm, self.height - 8)
            canvas.setFont(FONT, 7)
            canvas.setFillColor(colors.grey)
            canvas.drawCentredString(2 + 11 * mm, self.height / 2, "Meterai Rp10.000")
            canvas.restoreState()
        x, y = canvas.absolutePosition(0, 0)
        widget = PDFDictionary(
            {
                "Type": PDFName("Annot"),
                "Subtype": PDFName("Widget"),
                "FT": PDFName("Sig"),
                "T": PDFString(self.field_name),
                "F": WIDGET_FLAGS,
                "Rect": PDFArray([round(x, 2), round(y, 2), round(x + self.width, 2), round(y + self.height, 2)]),
                "P": canvas._doc.thisPageRef(),
            }
        )
        canvas._addAnnotation(widget)
        canvas.acroForm.fields.append(canvas._doc.Reference(widget))


@dataclass
class BuildContext:
    """What the builder needs besides the markup: where images live and the page's text width."""

    base_dir: Path
    frame_width: float
    footer: list[str] = field(default_factory=list)
    field_names: list[str] = field(default_factory=list)


def _inline(element: ET.Element, where: str) -> str:
    """An element's mixed content as ReportLab paragraph markup, re-escaped."""
    parts = [escape(element.text or "")]
    for child in element:
        if child.tag not in INLINE_TAGS:
            raise InputError(f"layout: <{child.tag}> is not allowed inside <{where}>",
                             hint=f"inline markup is one of: {', '.join(sorted(INLINE_TAGS))}")
        if child.tag == "br":
            parts.append("<br/>")
        else:
            parts.append(f"<{child.tag}>{_inline(child, where)}</{child.tag}>")
        parts.append(escape(child.tail or ""))
    return "".join(parts).strip()


def _attributes(element: ET.Element, allowed: set[str]) -> dict[str, str]:
    unknown = set(element.attrib) - allowed
    if unknown:
        raise InputError(f"layout: <{element.tag}> has no attribute {sorted(unknown)[0]!r}",
                         hint=f"<{element.tag}> takes: {', '.join(sorted(allowed)) or 'no attributes'}")
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
        raise InputError(f"layout: {value!r} is not a length (use 12, 30mm, 3cm or 40%)") from None


def _choice(element: ET.Element, attribute: str, choices: Collection[str], default: str) -> str:
    """An attribute limited to a few words: a typo is an error, never a silent default."""
    value = element.attrib.get(attribute, default)
    if value not in choices:
        raise InputError(f"layout: <{element.tag} {attribute}=...> must be one of {', '.join(choices)}, not {value!r}")
    return value


def _paragraph(element: ET.Element, style: ParagraphStyle) -> Paragraph:
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
    """Institution lines centred on the frame; a logo sits at the left in a column mirrored on the right."""
    attrs = _attributes(element, {"logo"})
    lines = []
    for child in element:
        if child.tag != "line":
            raise InputError(f"layout: <letterhead> holds <line> elements, not <{child.tag}>")
        line_attrs = _attributes(child, {"size", "bold"})
        size = _length(line_attrs.get("size", "12"), 0)
        bold = _choice(child, "bold", ("true", "false"), "false") == "true"
        style = _derived(STYLES["headsub"], fontSize=size, leading=size * 1.22, fontName=FONT_BOLD if bold else FONT)
        lines.append(text_flowable(child, style, "line"))
    logo = attrs.get("logo")
    if logo:
        image = _image_flowable(ctx.base_dir / logo, height=LOGO_HEIGHT)
        if image.drawWidth > LOGO_COLUMN:  # a wide logo shrinks to its column, keeping its shape
            image.drawHeight *= LOGO_COLUMN / image.drawWidth
            image.drawWidth = LOGO_COLUMN
        image.hAlign = "LEFT"
        cells: list[Any] = [image, lines, ""]
        widths = [LOGO_COLUMN, ctx.frame_width - 2 * LOGO_COLUMN, LOGO_COLUMN]
    else:
        cells, widths = [lines], [ctx.frame_width]
    content = Table([cells], colWidths=widths)
    content.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return [content, DoubleRule(), Spacer(1, 10)]


def _image_flowable(path: Path, *, height: float, width: float | None = None) -> Image:
    if not path.is_file():
        raise InputError(f"{path}: image not found")
    problem = image_problem(path)
    if problem:
        raise InputError(f"{path}: {problem}")
    try:
        image = Image(str(path))
    except Exception as exc:  # ReportLab raises bare Exceptions for unreadable images
        raise InputError(f"{path}: not a readable image ({exc})") from None
    ratio = image.imageWidth / image.imageHeight
    image.drawHeight = height
    image.drawWidth = width if width is not None else height * ratio
    return image


def _identity(element: ET.Element, ctx: BuildContext) -> Table:
    attrs = _attributes(element, {"label-width", "indent"})
    indent = _length(attrs.get("indent", "0"), ctx.frame_width)
    label_width = _length(attrs.get("label-width", "38mm"), ctx.frame_width)
    rows = []
    for row in element:
        if row.tag != "row":
            raise InputError(f"layout: <identity> holds <row> elements, not <{row.tag}>")
        row_attrs = _attributes(row, {"label"})
        rows.append([TextLine(row_attrs.get("label", ""), STYLES["cell"]),
                     TextLine(":", STYLES["cell"]),
                     text_flowable(row, STYLES["cell"], "row")])
    if not rows:
        raise InputError("layout: <identity> needs at least one <row label=\"...\">")
    value_width = ctx.frame_width - indent - label_width - 4 * mm
    table = Table(rows, colWidths=[label_width, 4 * mm, value_width], hAlign="RIGHT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
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


def _list(element: ET.Element) -> list[Flowable]:
    attrs = _attributes(element, {"style", "start"})
    style = _choice(element, "style", ("decimal", "alpha", "dash"), "decimal")
    start = attrs.get("start", "1")
    if not start.isdigit() or int(start) < 1:
        raise InputError(f"layout: <list start=...> must be a whole number from 1, not {start!r}")
    out = []
    for number, item in enumerate(element, start=int(start)):
        if item.tag != "item":
            raise InputError(f"layout: <list> holds <item> elements, not <{item.tag}>")
        _attributes(item, set())
        out.append(Paragraph(_inline(item, "item"), STYLES["item"], bulletText=_bullet(style, number)))
    return out


def _table(element: ET.Element, ctx: BuildContext) -> Table:
    """A ruled table; `<td rowspan="N">` covers the cells below it as in HTML (the rows below
    leave that column out), for a goal that spans its indicators."""
    attrs = _attributes(element, {"widths", "header"})
    rows: list[list[Flowable]] = []
    spans: list[tuple[int, int, int]] = []  # (column, first row, last row)
    covered: dict[int, int] = {}  # column -> last row a span above covers
    for r, tr in enumerate(element):
        if tr.tag != "tr":
            raise InputError(f"layout: <table> holds <tr> elements, not <{tr.tag}>")
        _attributes(tr, set())
        cells: list[Flowable] = []
        for td in tr:
            if td.tag != "td":
                raise InputError(f"layout: <tr> holds <td> elements, not <{td.tag}>")
            while covered.get(len(cells), -1) >= r:
                cells.append(TextLine("", STYLES["cell"]))
            _attributes(td, {"align", "rowspan"})
            align = _choice(td, "align", ALIGNMENTS, "left")
            rowspan = td.attrib.get("rowspan", "1")
            if not rowspan.isdigit() or int(rowspan) < 1:
                raise InputError(f"layout: <td rowspan=...> must be a whole number from 1, not {rowspan!r}")
            if int(rowspan) > 1:
                covered[len(cells)] = r + int(rowspan) - 1
                spans.append((len(cells), r, r + int(rowspan) - 1))
            cells.append(text_flowable(td, _derived(STYLES["cell"], alignment=ALIGNMENTS[align]), "td"))
        while covered.get(len(cells), -1) >= r:
            cells.append(TextLine("", STYLES["cell"]))
        rows.append(cells)
    if any(last >= len(rows) for _, _, last in spans):
        raise InputError("layout: a <td rowspan=...> reaches below the last row of its <table>")
    if not rows:
        raise InputError("layout: <table> needs at least one <tr>")
    columns = max(len(r) for r in rows)
    for row in rows:
        row.extend([TextLine("", STYLES["cell"]) for _ in range(columns - len(row))])
    if "widths" in attrs:
        widths = [_length(w, ctx.frame_width) for w in attrs["widths"].split(",")]
        if len(widths) != columns:
            raise InputError(f"layout: <table widths=...> gives {len(widths)} widths for {columns} columns")
    else:  # Paragraph cells cannot size a column themselves: share the frame equally
        widths = [ctx.frame_width / columns] * columns
    header = attrs.get("header", "0")
    if not header.isdigit() or int(header) > len(rows):
        raise InputError(f"layout: <table header=...> is the number of heading rows, not {header!r}")
    heading_rows = int(header)
    table = Table(rows, colWidths=widths, repeatRows=heading_rows)
    commands: list[Any] = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    commands += [("SPAN", (column, first), (column, last)) for column, first, last in spans]
    if heading_rows:
        commands += [("BACKGROUND", (0, 0), (-1, heading_rows - 1), colors.Color(0.9, 0.9, 0.9)),
                     ("VALIGN", (0, 0), (-1, heading_rows - 1), "MIDDLE")]
        for row in rows[:heading_rows]:
            for cell in row:
                cell.style = _derived(cell.style, fontName=FONT_BOLD, alignment=TA_CENTER)
                if isinstance(cell, TextLine):
                    cell.font = FONT_BOLD
                    cell.text_width = stringWidth(cell.text, FONT_BOLD, cell.style.fontSize)
    table.setStyle(TableStyle(commands))
    return table


@dataclass
class _Block:
    """One signature block split where the signature goes, so a row can line its blocks up."""

    above: list[Flowable]
    below: list[Flowable]


def _block(element: ET.Element, ctx: BuildContext, width: float) -> _Block:
    _attributes(element, {"party", "position"})
    block = _Block([], [])
    part = block.above
    for child in element:
        _attributes(child, {"meterai"} if child.tag == "sign" else set())
        if child.tag == "line":
            part.append(text_flowable(child, STYLES["sign"], "line"))
        elif child.tag == "name":
            part = block.below  # without a <sign/>, names still line up across the row
            part.append(text_flowable(child, STYLES["sign"], "name", bold=True, underline=True))
        elif child.tag == "sign":
            if part is block.below:
                raise InputError("layout: <sign/> comes before <name> in a <block>")
            party = element.attrib.get("party")
            if not party:
                raise InputError("layout: a <block> with <sign/> needs party=\"FIELD\" (the party's field_name)")
            if party in ctx.field_names:
                raise InputError(f"layout: two signature spaces for the same party field {party!r}")
            ctx.field_names.append(party)
            meterai = _choice(child, "meterai", ("true", "false"), "false") == "true"
            space = SignatureSpace(party, width=min(SIGNATURE_WIDTH, width), meterai=meterai)
            space.hAlign = "CENTER"
            part = block.below
            part.append(space)
        else:
            raise InputError(f"layout: <block> holds <line>, <sign/> and <name>, not <{child.tag}>")
    return block


def _height(flowables: list[Flowable], width: float) -> float:
    return sum(float(f.wrap(width, 10_000)[1]) for f in flowables)


def _signatures(element: ET.Element, ctx: BuildContext) -> list[list[Flowable]]:
    """One list of flowables per row, to be kept whole on one page; a row's signature spaces
    (or, without them, its names) sit on one line."""
    _attributes(element, set())
    rows: list[list[Flowable]] = []
    for row in element:
        if row.tag != "row":
            raise InputError(f"layout: <signatures> holds <row> elements, not <{row.tag}>")
        _attributes(row, set())
        elements = list(row)
        if not elements or any(b.tag != "block" for b in elements):
            raise InputError("layout: a signature <row> holds one or more <block> elements only")
        position = _choice(elements[0], "position", ("right", "left", "center"), "right")
        columns = 2 if len(elements) == 1 and position != "center" else len(elements)
        inner = ctx.frame_width / columns - 2 * BLOCK_PADDING
        blocks = [_block(b, ctx, inner) for b in elements]
        tallest = max(_height(b.above, inner) for b in blocks)
        cells: list[Any] = [[Spacer(1, tallest - _height(b.above, inner)), *b.above, *b.below] for b in blocks]
        if columns > len(cells):
            cells = [[], *cells] if position == "right" else [*cells, []]
        table = Table([cells], colWidths=[ctx.frame_width / columns] * columns)
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), BLOCK_PADDING),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), BLOCK_PADDING)]))
        rows.append([table, Spacer(1, ROW_GAP)])
    return rows


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


def build(markup: str, ctx: BuildContext) -> list[Flowable]:
    """Turn the template's output into flowables; the footer text goes into `ctx.footer`."""
    try:
        root = ET.fromstring(markup)
    except ET.ParseError as exc:
        line, column = exc.position
        raise InputError(f"layout markup:{line}:{column + 1}: not well-formed: {exc}",
                         hint="the template produced invalid layout markup; check its tags") from None
    if root.tag != "pact":
        raise InputError(f"layout: the root element must be <pact>, not <{root.tag}>")
    _attributes(root, set())
    flow: list[Flowable] = []
    handlers: dict[str, Callable[[ET.Element], list[Flowable]]] = {
        "letterhead": lambda e: _letterhead(e, ctx),
        "title": lambda e: [_paragraph(e, STYLES["title"])],
        "subtitle": lambda e: [_paragraph(e, STYLES["subtitle"])],
        "p": lambda e: [_paragraph(e, STYLES["body"])],
        "identity": lambda e: [_identity(e, ctx), Spacer(1, 6)],
        "list": _list,
        "table": lambda e: [_table(e, ctx), Spacer(1, 8)],
        "spacer": lambda e: [Spacer(1, _length(_attributes(e, {"height"}).get("height", "12"), 0))],
        "pagebreak": lambda e: _empty(e, PageBreak()),
        "image": lambda e: [_image(e, ctx)],
        "footer": lambda e: _footer(e, ctx),
    }
    for element in root:
        if element.tag == "signatures":
            rows = _signatures(element, ctx)
            if rows:
                rows[0] = _text_before(flow) + rows[0]
            flow.extend(KeepTogether(row) for row in rows)
            continue
        handler = handlers.get(element.tag)
        if handler is None:
            raise InputError(f"layout: unknown element <{element.tag}>",
                             hint=f"the layout elements are: {', '.join([*handlers, 'signatures'])}")
        flow.extend(handler(element))
    return flow


def _empty(element: ET.Element, flowable: Flowable) -> list[Flowable]:
    """An element that takes no attributes and no content, such as <pagebreak/>."""
    _attributes(element, set())
    if len(element) or (element.text or "").strip():
        raise InputError(f"layout: <{element.tag}/> takes no content")
    return [flowable]


def _image(element: ET.Element, ctx: BuildContext) -> Image:
    attrs = _attributes(element, {"src", "height", "width", "align"})
    if "src" not in attrs:
        raise InputError("layout: <image> needs src=\"PATH\"")
    height = _length(attrs.get("height", "20mm"), 0)
    width = _length(attrs["width"], ctx.frame_width) if "width" in attrs else None
    image = _image_flowable(ctx.base_dir / attrs["src"], height=height, width=width)
    image.hAlign = _choice(element, "align", ("left", "center", "right"), "center").upper()
    return image


def _footer(element: ET.Element, ctx: BuildContext) -> list[Flowable]:
    _attributes(element, set())
    ctx.footer.append(_inline(element, "footer"))
    return []
