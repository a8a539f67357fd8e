"""Pact -> PDF bytes: deterministic, carrying its own definition and manifest, one empty
signature field per party placed in that party's signature block.

Determinism: ReportLab's invariant mode fixes the timestamps and derives the document id from the
content, so the same definition, template and pakta version give the same bytes. That is what
lets `pakta verify --reproduce` prove a signed PDF is exactly the rendering of its definition.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from io import BytesIO
from pathlib import Path
from typing import Any

import pakta_cli.rl_pinned  # noqa: F401  ReportLab's own defaults, before any other ReportLab module

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.acroform import PDFFromString
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFObjectReference,
    PDFStream,
    PDFString,
    PDFZCompress,
)
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph
from reportlab.platypus.doctemplate import LayoutError

from pakta_cli import __version__, coverage, fonts, layout, pactfile, stamp, templates
from pakta_cli.definition.model import Pact
from pakta_cli.errors import InputError
from pakta_cli.i18n import _
from pakta_cli.pactfile import (
    DEFINITION_NAME,
    LOGO_PREFIX,
    MANIFEST_NAME,
    MANIFEST_VERSION,
    canonical_json,
    definition_json,
    signing_steps,
)
from pakta_cli.pdf import canonical
from pakta_cli.template_registry import signing_order

PAPER_SIZES = {"A4": A4, "F4": (215 * mm, 330 * mm)}
# Tata naskah dinas: 3 cm at the binding edge; 2 cm elsewhere keeps a standard pact on one page
MARGINS = {"left": 3 * cm, "right": 2 * cm, "top": 2 * cm, "bottom": 2 * cm}
FOOTER_SIZE = 8
FOOTER_BASELINE = 1 * cm  # the last footer line; the page number sits on it at the right
@lru_cache(maxsize=32)
def _deflated(data: bytes) -> bytes:
    return zlib.compress(data)


def _deflate(_filter: object, text: str | bytes) -> bytes:
    """ReportLab's deflate, remembering large streams: the pinned font subsets are the same bytes in
    every pact, and deflating them again was a tenth of every render and every re-render in verify."""
    data = text.encode("utf8") if isinstance(text, str) else text
    return _deflated(data) if len(data) >= 4096 else zlib.compress(data)


PDFZCompress.__class__.encode = _deflate  # the same bytes, made once
__all__ = ["DEFINITION_NAME", "LOGO_PREFIX", "MANIFEST_NAME", "Rendered", "render", "reproduce"]


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    definition: bytes
    manifest: dict[str, Any]


def canonical_definition(pact: Pact) -> bytes:
    """The definition as embedded and hashed: the pact after roster expansion, keys in schema order."""
    return definition_json(pact.to_mapping())


def manifest_for(pact: Pact, definition: bytes, template: templates.TemplateSource) -> dict[str, Any]:
    return {
        "pakta_manifest": MANIFEST_VERSION,
        "pakta_version": __version__,
        "definition": {"file": DEFINITION_NAME, "sha256": hashlib.sha256(definition).hexdigest()},
        "template": {"name": template.name, "sha256": template.sha256},
        "parties": [
            {
                "field": p.field_name,
                "role": p.role,
                "name": p.name,
                **({"nip": p.nip} if p.nip else {}),
                **({"nik": p.nik} if p.nik else {}),
                **({"key_id": p.key_id} if p.key_id else {}),
            }
            for p in pact.parties
        ],
        "signing_order": signing_steps([(p.field_name, p.role) for p in pact.parties],
                                       signing_order(pact.template, pact.signing_order)),
    }


class _PactCanvas(Canvas):  # type: ignore[misc]
    """Draws the footer once the page count is known (`Halaman X dari Y` only when there is more
    than one page), and embeds the source files.

    The footer claims no signature and names no program: an unsigned pact printed for wet
    signatures is as true as a signed one. What it says comes from the template's `<footer>`.
    """

    def __init__(self, *args: Any, footer: list[str], attachments: list[tuple[str, bytes, str, str]],
                 language: str, font: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._font = fonts.faces(font).regular
        self._footer_style = layout.styles(font)["headsub"].clone("footer", fontSize=FOOTER_SIZE,
                                                                  leading=FOOTER_SIZE * 1.25)
        self._language = language
        self._pages: list[dict[str, Any]] = []
        self._footer = footer
        self._attachments = attachments
        self.page_widgets: list[PDFDictionary] = []  # layout.SignatureSpace adds the widgets it places
        self._stamp_fonts(font)

    def _stamp_fonts(self, choice: str) -> None:
        """Every letter a stamp may show goes first into the regular and bold faces' first subset,
        and the form names those two fonts in /DR: a signature's stamp is then set in the pact's own
        embedded font (`pakta_cli.stamp`), and a pact holds no font that is not embedded."""
        registered = fonts.faces(choice)
        names = {}
        for resource, face in zip(stamp.RESOURCES, (registered.regular, registered.bold), strict=True):
            font = pdfmetrics.getFont(face)
            font.splitString(coverage.CHARACTERS, self._doc)
            names[resource] = PDFObjectReference(font.getSubsetInternalName(0, self._doc)[1:])
        self.acroForm.extras["DR"] = PDFDictionary({"Font": PDFDictionary(names)})

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self.page_widgets = []
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            # pages are written only now (once their count is known), so only now is each page's
            # reference known: a widget's /P must name the page that lists it, or readers disagree
            for widget in self.page_widgets:
                widget["P"] = self._doc.thisPageRef()
            self._draw_footer(total)
            Canvas.showPage(self)
        self._embed()
        Canvas.save(self)

    def _draw_footer(self, total: int) -> None:
        width, _ = self._pagesize
        left, right = MARGINS["left"], width - MARGINS["right"]
        self.saveState()
        self.setFont(self._font, FOOTER_SIZE)
        y = FOOTER_BASELINE  # lines stack upwards from the bottom one
        if total > 1:
            page = "Page {} of {}" if self._language == "en" else "Halaman {} dari {}"
            self.drawRightString(right, y, page.format(self._pageNumber, total))
            y += FOOTER_SIZE * 1.25
        for text in reversed(self._footer):
            plain = "<" not in text and "&" not in text
            if plain and stringWidth(text, self._font, FOOTER_SIZE) <= right - left:
                self.drawCentredString((left + right) / 2, y, text)  # one line needs no paragraph parsing
                y += FOOTER_SIZE * 1.25
                continue
            para = Paragraph(text, self._footer_style)
            _, height = para.wrap(right - left, 5 * cm)
            para.drawOn(self, left, y - FOOTER_SIZE * 0.25)
            y += height
        self.restoreState()

    def _embed(self) -> None:
        names: list[Any] = []
        # PDFName would escape the slash of a MIME type; the name is written as PDF syntax instead.
        for name, data, mime, description in sorted(self._attachments):
            stream = PDFStream(
                PDFDictionary({"Type": PDFName("EmbeddedFile"), "Subtype": PDFFromString(mime),
                               "Params": PDFDictionary({"Size": len(data)})}),
                data,
                filters=[PDFZCompress],  # compressed: no embedded text can look like PDF structure
            )
            spec = PDFDictionary({
                "Type": PDFName("Filespec"),
                "F": PDFString(name),
                "UF": PDFString(name),
                "Desc": PDFString(description),
                "AFRelationship": PDFName("Source"),
                "EF": PDFDictionary({"F": self._doc.Reference(stream)}),
            })
            names += [PDFString(name), self._doc.Reference(spec)]
        self._doc.Catalog.Names = PDFDictionary({"EmbeddedFiles": PDFDictionary({"Names": PDFArray(names)})})


def render(pact: Pact) -> Rendered:
    """Render one pact; the same pact always gives the same bytes."""
    template = templates.load_template(pact)
    markup = templates.render_markup(template, pact)
    definition = canonical_definition(pact)
    manifest = manifest_for(pact, definition, template)

    pagesize = PAPER_SIZES[pact.paper]
    frame_width = pagesize[0] - MARGINS["left"] - MARGINS["right"]
    ctx = layout.BuildContext(base_dir=Path(pact.base_dir), frame_width=frame_width, font=pact.font,
                              logo=pact.institution.logo)
    flowables = layout.build(markup, ctx)
    expected = [p.field_name for p in pact.parties]
    placed = list(dict.fromkeys(ctx.field_names))
    missing = [name for name in expected if name not in placed]
    unknown = [name for name in placed if name not in expected]
    if missing or unknown:
        raise InputError(
            _("template {name!r} places signature spaces for {placed} but the pact's "
              "parties sign in {expected}").format(
                name=template.name, placed=placed or 'nobody', expected=expected),
            hint=_('each party needs a <block party="{{ party.field_name }}"> with <sign/> (two for a '
                   "party that signs in two places, such as an agreement and its annex)"),
        )

    attachments = [
        (DEFINITION_NAME, definition, "/application#2Fjson", "pact definition as rendered (JSON, a subset of YAML)"),
        (MANIFEST_NAME, canonical_json(manifest), "/application#2Fjson", "pakta manifest: hashes and parties"),
    ]
    if pact.institution.logo:
        logo = Path(pact.base_dir) / pact.institution.logo
        attachments.append(
            (LOGO_PREFIX + logo.name, logo.read_bytes(), "/application#2Foctet-stream", "letterhead logo")
        )
    out = BytesIO()
    title = _first_title(markup)
    doc = _PactDocument(
        out,
        pagesize=pagesize,
        leftMargin=MARGINS["left"],
        rightMargin=MARGINS["right"],
        topMargin=MARGINS["top"],
        bottomMargin=MARGINS["bottom"],
        title=title,
        author=pact.institution.name,
        subject=title,
        creator=f"pakta {__version__}",
        producer=f"pakta {__version__} (ReportLab)",
        invariant=1,
        # an embedded initial font: ReportLab would otherwise name Helvetica on every page
        initialFontName=fonts.faces(pact.font).regular,
        lang="id-ID" if pact.language == "id" else "en",
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    try:
        with _no_source_date_epoch():
            doc.build(flowables, canvasmaker=partial(_PactCanvas, footer=ctx.footer, attachments=attachments,
                                                     language=pact.language, font=pact.font))
    except _TooLarge as exc:
        raise InputError(_too_large(pact, exc.flowable),
                         hint=_("shorten that text, or split it into several entries")) from None
    return Rendered(_in_pakta_form(out.getvalue()), definition, manifest)


@contextlib.contextmanager
def _no_source_date_epoch() -> Iterator[None]:
    """ReportLab dates a document by SOURCE_DATE_EPOCH even in invariant mode, and build tools set it: a
    pact's dates come from pakta alone (a render is one process's work, so the variable is set aside
    for its length and put back)."""
    saved = os.environ.pop("SOURCE_DATE_EPOCH", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["SOURCE_DATE_EPOCH"] = saved


class _TooLarge(Exception):
    def __init__(self, flowable: Flowable) -> None:
        super().__init__()
        self.flowable = flowable


class _PactDocument(BaseDocTemplate):  # type: ignore[misc]
    """Remembers which flowable ReportLab could not place, so the message can name the definition
    key that holds its text instead of ReportLab's internals."""

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        culprit = flowables[0] if flowables else None
        try:
            super().handle_flowable(flowables)
        except LayoutError:
            raise _TooLarge(culprit) from None


def _printed_values(pact: Pact) -> list[tuple[str, str]]:
    """Every text of the definition with the words a message names it by (as the loader does)."""
    values = [("institution name", pact.institution.name), ("institution address", pact.institution.address),
              ("title", pact.title), ("number", pact.number), ("place", pact.place), ("context", pact.context),
              ("closing", pact.closing)]
    values += [(f"commitments item {n}", text) for n, text in enumerate(pact.commitments, 1)]
    for n, party in enumerate(pact.parties, 1):
        values += [(f"parties item {n} {key}", getattr(party, key))
                   for key in ("name", "nip", "nik", "rank", "position", "unit", "area", "decree")]
    for n, target in enumerate(pact.targets, 1):
        values += [(f"targets item {n} {key}", getattr(target, key)) for key in ("goal", "indicator", "target")]
    values += [(f"programs item {n} program", program.program) for n, program in enumerate(pact.programs, 1)]
    return [(key, " ".join(value.split())) for key, value in values if value]


def _too_large(pact: Pact, flowable: Flowable | None) -> str:
    """One line naming what does not fit on a page: the longest definition text the flowable prints."""
    printed = " ".join(" ".join(layout.texts(flowable)).split()) if flowable is not None else ""
    folded = printed.casefold()  # a letterhead prints the institution in capitals
    found = [(len(value), key) for key, value in _printed_values(pact) if value.casefold() in folded]
    if found:
        return f"layout: {max(found)[1]} is too long to fit on one page"
    return f"layout: the template's text {printed[:60]!r} does not fit on one page"


def _in_pakta_form(drawn: bytes) -> bytes:
    """ReportLab's file written again in pakta's PDF dialect, which is the only form `verify` accepts.

    The one thing a clerk's input can break there is compressed data (most of it a logo's pixels and
    file) that holds a word a PDF reader takes for structure, by a rare chance: refused with a way out.
    """
    pdf, hidden = canonical.rewrite_rendered(drawn)
    if hidden is not None:
        raise InputError(_("the pact's compressed data (most likely the logo's) happens to hold bytes "
                           "that a PDF reader could take for PDF structure"),
                         hint=_("save the logo again (any change to it gives other bytes) and render again"))
    return pdf


def reproduce(definition: bytes, attachments: dict[str, bytes], *, name: str, sha256: str,
              custom: str | None = None) -> bytes:
    """Render an embedded definition again, as `verify --reproduce` does, trusting nothing in the file.

    `name` and `sha256` are the template the pact's manifest records. It renders with that built-in
    template, or with `custom` (a template the auditor gives, `--template FILE`), and only when the
    hash matches. No value in the pact becomes a path on the auditor's machine: the definition is
    parsed in a new empty folder holding only what this function writes there (the template text
    and the pact's own embedded logo, each at its recorded name, which must be a plain relative path).
    Raises PaktaError when the definition no longer parses or the template cannot be used.
    """
    from pakta_cli.definition.loader import parse_definition

    if custom is None:
        source = templates.builtin_source(name)
        if source is None:
            raise InputError(_("template {name!r} is not built in: re-rendering needs the template "
                               "file the pact was rendered with").format(name=name))
        if source.sha256 != sha256:
            raise InputError(_("this pakta's {name} template differs from the one the pact was rendered with").format(
                                 name=name))
    elif templates.TemplateSource(name, custom).sha256 != sha256:
        raise InputError(_("the template file given is not the one the pact was rendered with (its "
                           "hash differs)"))
    try:
        mapping = pactfile.load_json(definition)
    except ValueError:
        raise InputError(_("the embedded definition is not JSON")) from None
    if not isinstance(mapping, dict) or mapping.get("template") != name:
        raise InputError(_("the embedded definition names another template than its manifest"))
    institution = mapping.get("institution")
    logo = institution.get("logo") if isinstance(institution, dict) else None
    with tempfile.TemporaryDirectory(prefix="pakta-reproduce-") as folder:
        base = Path(folder)
        if custom is not None:
            _place(base, name, custom.encode("utf-8"))
        if logo is not None:
            data = attachments.get(LOGO_PREFIX + Path(str(logo)).name)
            if data is None:
                raise InputError(_("the logo {logo!r} is not embedded in the pact").format(logo=logo))
            _place(base, str(logo), data)
        pact = parse_definition(definition.decode("utf-8"), "embedded definition", base, roster=False)
        return render(pact).pdf


def _place(base: Path, relative: str, data: bytes) -> None:
    """Write `data` at `relative` under `base`, which must stay under it (no absolute path, no `..`)."""
    parts = Path(relative).parts
    if not parts or Path(relative).is_absolute() or any(p in ("..", "") for p in parts) or "\\" in relative:
        raise InputError(_("the pact names a file outside its own folder ({relative!r}); nothing is "
                           "read from there").format(relative=relative))
    target = base.joinpath(*parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _first_title(markup: str) -> str:
    start = markup.find("<title>")
    end = markup.find("</title>", start)
    if start < 0 or end < 0:
        return "Pakta"
    import html

    return html.unescape(markup[start + 7 : end]).strip()
