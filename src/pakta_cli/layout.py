"""The layout markup (documented in templates/README.md) built into ReportLab flowables.

Templates speak a small XML vocabulary, one element per building block, so wording lives in
Jinja and never in Python. Unknown elements and attributes are errors, never silently dropped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFString
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

FONT = "Times-Roman"
FONT_BOLD = "Times-Bold"
SIZE = 12
LEADING = 15
ALIGNMENTS = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
INLINE_TAGS = {"b", "i", "u", "br", "sup", "sub"}
SIGNATURE_WIDTH = 62 * mm
SIGNATURE_HEIGHT = 24 * mm
# Widget flags: Print (4) + Locked (128): the box prints and cannot be moved by a viewer.
WIDGET_FLAGS = 132


def _style(name: str, **overrides: Any) -> ParagraphStyle:
    base: dict[str, Any] = {"fontName": FONT, "fontSize": SIZE, "leading": LEADING, "spaceAfter": 0}
    base.update(overrides)
    return ParagraphStyle(name, **base)


STYLES = {
    "body": _style("body", alignment=TA_JUSTIFY, spaceAfter=6),
    "title": _style("title", fontName=FONT_BOLD, fontSize=14, leading=18, alignment=TA_CENTER, spaceAfter=2),
    "subtitle": _style("subtitle", alignment=TA_CENTER, spaceAfter=2),
    "cell": _style("cell", fontSize=11, leading=13.5, alignment=TA_LEFT),
    "item": _style("item", alignment=TA_JUSTIFY, leftIndent=22, bulletIndent=4, spaceAfter=4),
    "sign": _style("sign", alignment=TA_CENTER),
    "head": _style("head", fontName=FONT_BOLD, fontSize=14, leading=17, alignment=TA_CENTER),
    "headsub": _style("headsub", fontSize=10, leading=12.5, alignment=TA_CENTER),
}


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
            return float(value[:-2]) * mm
        return float(value)
    except ValueError:
        raise InputError(f"layout: {value!r} is not a length (use 12, 30mm or 40%)") from None


def _paragraph(element: ET.Element, style: ParagraphStyle) -> Paragraph:
    attrs = _attributes(element, {"align", "indent"})
    if attrs:
        overrides: dict[str, Any] = {}
        if "align" in attrs:
            if attrs["align"] not in ALIGNMENTS:
                raise InputError(f"layout: align must be one of {', '.join(ALIGNMENTS)}, not {attrs['align']!r}")
            overrides["alignment"] = ALIGNMENTS[attrs["align"]]
        if "indent" in attrs:
            overrides["leftIndent"] = _length(attrs["indent"], 0)
        style = ParagraphStyle(f"{style.name}-x", parent=style, **overrides)
    return Paragraph(_inline(element, element.tag), style)


def _letterhead(element: ET.Element, ctx: BuildContext) -> list[Flowable]:
    attrs = _attributes(element, {"logo"})
    lines = []
    for child in element:
        if child.tag != "line":
            raise InputError(f"layout: <letterhead> holds <line> elements, not <{child.tag}>")
        line_attrs = _attributes(child, {"size", "bold"})
        size = float(line_attrs.get("size", "12"))
        bold = line_attrs.get("bold", "false") == "true"
        style = ParagraphStyle(
            "lh", parent=STYLES["headsub"], fontSize=size, leading=size * 1.22, fontName=FONT_BOLD if bold else FONT
        )
        lines.append(Paragraph(_inline(child, "line"), style))
    logo = attrs.get("logo")
    if logo:
        image = _image_flowable(ctx.base_dir / logo, height=22 * mm)
        content: Flowable = Table([[image, lines]], colWidths=[28 * mm, ctx.frame_width - 56 * mm, 28 * mm][:2])
        content.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    else:
        content = Table([[lines]], colWidths=[ctx.frame_width])
    rule = Table([[""]], colWidths=[ctx.frame_width], rowHeights=[3])
    rule.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 1.6, colors.black),
                              ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.black, None, None, 2)]))
    return [content, rule, Spacer(1, 10)]


def _image_flowable(path: Path, *, height: float, width: float | None = None) -> Image:
    if not path.is_file():
        raise InputError(f"{path}: image not found")
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
        rows.append([Paragraph(escape(row_attrs.get("label", "")), STYLES["cell"]),
                     Paragraph(":", STYLES["cell"]),
                     Paragraph(_inline(row, "row"), STYLES["cell"])])
    table = Table(rows, colWidths=[label_width, 4 * mm, ctx.frame_width - indent - label_width - 4 * mm], hAlign="RIGHT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return table


def _list(element: ET.Element) -> list[Flowable]:
    attrs = _attributes(element, {"style", "start"})
    style = attrs.get("style", "decimal")
    start = int(attrs.get("start", "1"))
    out = []
    for index, item in enumerate(element, start=start):
        if item.tag != "item":
            raise InputError(f"layout: <list> holds <item> elements, not <{item.tag}>")
        bullet = {"decimal": f"{index}.", "alpha": f"{chr(ord('a') + index - 1)}.", "dash": "-"}.get(style)
        if bullet is None:
            raise InputError(f"layout: list style must be decimal, alpha or dash, not {style!r}")
        out.append(Paragraph(_inline(item, "item"), STYLES["item"], bulletText=bullet))
    return out


def _table(element: ET.Element, ctx: BuildContext) -> Table:
    attrs = _attributes(element, {"widths", "header"})
    rows: list[list[Paragraph]] = []
    aligns: list[tuple[int, int, str]] = []
    for r, tr in enumerate(element):
        if tr.tag != "tr":
            raise InputError(f"layout: <table> holds <tr> elements, not <{tr.tag}>")
        cells = []
        for c, td in enumerate(tr):
            if td.tag != "td":
                raise InputError(f"layout: <tr> holds <td> elements, not <{td.tag}>")
            td_attrs = _attributes(td, {"align"})
            align = td_attrs.get("align", "left")
            style = ParagraphStyle(f"td-{align}", parent=STYLES["cell"], alignment=ALIGNMENTS.get(align, TA_LEFT))
            cells.append(Paragraph(_inline(td, "td"), style))
            aligns.append((r, c, align))
        rows.append(cells)
    if not rows:
        return Table([[""]])
    columns = max(len(r) for r in rows)
    for row in rows:
        row.extend([Paragraph("", STYLES["cell"])] * (columns - len(row)))
    widths = None
    if "widths" in attrs:
        widths = [_length(w, ctx.frame_width) for w in attrs["widths"].split(",")]
    header = int(attrs.get("header", "0"))
    table = Table(rows, colWidths=widths, repeatRows=header)
    commands: list[Any] = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, header - 1), colors.Color(0.9, 0.9, 0.9))]
        for row in rows[:header]:
            for cell in row:
                cell.style = ParagraphStyle("th", parent=cell.style, fontName=FONT_BOLD, alignment=TA_CENTER)
    table.setStyle(TableStyle(commands))
    return table


def _block(element: ET.Element, ctx: BuildContext) -> list[Flowable]:
    _attributes(element, {"party", "position"})
    out: list[Flowable] = []
    for child in element:
        attrs = _attributes(child, {"meterai"} if child.tag == "sign" else set())
        if child.tag == "line":
            out.append(Paragraph(_inline(child, "line"), STYLES["sign"]))
        elif child.tag == "name":
            out.append(Paragraph(f"<b><u>{_inline(child, 'name')}</u></b>", STYLES["sign"]))
        elif child.tag == "sign":
            party = element.attrib.get("party")
            if not party:
                raise InputError("layout: a <block> with <sign/> needs party=\"FIELD\" (the party's field_name)")
            if party in ctx.field_names:
                raise InputError(f"layout: two signature spaces for the same party field {party!r}")
            ctx.field_names.append(party)
            space = SignatureSpace(party, meterai=attrs.get("meterai", "false") == "true")
            space.hAlign = "CENTER"
            out.append(space)
        else:
            raise InputError(f"layout: <block> holds <line>, <sign/> and <name>, not <{child.tag}>")
    return out


def _signatures(element: ET.Element, ctx: BuildContext) -> list[Flowable]:
    _attributes(element, set())
    out: list[Flowable] = []
    for row in element:
        if row.tag != "row":
            raise InputError(f"layout: <signatures> holds <row> elements, not <{row.tag}>")
        _attributes(row, set())
        blocks = [b for b in row]
        if any(b.tag != "block" for b in blocks):
            raise InputError("layout: a signature <row> holds <block> elements only")
        if len(blocks) == 1 and blocks[0].attrib.get("position", "right") in ("right", "left"):
            cells: list[Any] = [[], _block(blocks[0], ctx)]
            if blocks[0].attrib.get("position", "right") == "left":
                cells.reverse()
        else:
            cells = [_block(b, ctx) for b in blocks]
        width = ctx.frame_width / len(cells)
        table = Table([cells], colWidths=[width] * len(cells))
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 2),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 2)]))
        out.append(KeepTogether([table, Spacer(1, 8)]))
    return out


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
        "pagebreak": lambda e: [PageBreak()],
        "signatures": lambda e: _signatures(e, ctx),
        "image": lambda e: [_image(e, ctx)],
        "footer": lambda e: _footer(e, ctx),
    }
    for element in root:
        handler = handlers.get(element.tag)
        if handler is None:
            raise InputError(f"layout: unknown element <{element.tag}>",
                             hint=f"the layout elements are: {', '.join(handlers)}")
        flow.extend(handler(element))
    return flow


def _image(element: ET.Element, ctx: BuildContext) -> Image:
    attrs = _attributes(element, {"src", "height", "width", "align"})
    if "src" not in attrs:
        raise InputError("layout: <image> needs src=\"PATH\"")
    height = _length(attrs.get("height", "20mm"), 0)
    width = _length(attrs["width"], ctx.frame_width) if "width" in attrs else None
    image = _image_flowable(ctx.base_dir / attrs["src"], height=height, width=width)
    image.hAlign = attrs.get("align", "center").upper()
    return image


def _footer(element: ET.Element, ctx: BuildContext) -> list[Flowable]:
    _attributes(element, set())
    ctx.footer.append(_inline(element, "footer"))
    return []
