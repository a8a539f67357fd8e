"""What a pact's rendered revision holds: catalog, pages, signature fields, embedded files, manifest.

Read leniently on purpose (a value of the wrong type is skipped, not fatal): the reading serves the
checks and the messages, and the strict judgement of whether the revision is exactly what pakta
renders is `pakta_cli.verify.shape`'s. Every object found gets a role (page 2, the form, a field),
so a message can say what an attacker changed in words instead of object numbers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from pakta_cli import pactfile
from pakta_cli.pactfile import Party
from pakta_cli.parties import Office
from pakta_cli.pdf.reader import Document
from pakta_cli.pdf.syntax import PdfError, Ref, Stream, same
from pakta_cli.verify.verdict import Message, say

MAX_PAGES = 10_000
NO_MANIFEST = "no_manifest"  # the key of `manifest_problem` when there is none: a PDF pakta did not render


def text(value: Any) -> str:
    """A PDF text string as Python text (UTF-16 with a byte order mark, else PDFDocEncoding ~ Latin-1)."""
    if isinstance(value, bytes):
        if value.startswith(b"\xfe\xff"):
            return value[2:].decode("utf-16-be", "replace")
        if value.startswith(b"\xef\xbb\xbf"):
            return value[3:].decode("utf-8", "replace")
        return value.decode("latin-1")
    return str(value)


@dataclass
class Field:
    name: str
    widget: int  # object number of the field: the merged field/widget, or the field over its widgets
    page: int | None  # the page of its (first) widget
    kids: tuple[int, ...] = ()  # its widgets, when it has several (a party signing in two places)


class Pact:
    """The rendered revision (the first) of a PDF, read as a pact."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        first = doc.revisions[0]
        for rev in doc.revisions:
            if "Encrypt" in rev.trailer:
                raise PdfError("the PDF is encrypted; a pakta pact never is")
            if "XRefStm" in rev.trailer:
                raise PdfError("hybrid cross-reference sections are not accepted")
        root = first.trailer.get("Root")
        if not isinstance(root, Ref):
            raise PdfError("the trailer names no document catalog")
        self.root = root
        self.catalog = doc.get(root.num, 1)
        if not isinstance(self.catalog, dict):
            raise PdfError("the document catalog is missing")
        # roles: object number -> what it is, for messages that say what changed
        self.roles: dict[int, tuple[str, Any]] = {root.num: ("catalog", None)}
        info = first.trailer.get("Info")
        if isinstance(info, Ref):
            self.roles[info.num] = ("info", None)
        self.pages = self._pages()
        self.fields: dict[str, Field] = {}
        self.acroform: int | None = None
        self._fields()
        self.ambiguous: set[str] = set()  # embedded files a reader could take two ways
        self.damaged: set[str] = set()  # embedded files that do not decode
        self.files = self._embedded_files()
        for key, role in (("Metadata", "metadata"), ("OCProperties", "ocproperties"), ("Names", "names"),
                          ("Outlines", "outlines"), ("StructTreeRoot", "structure")):
            value = self.catalog.get(key)
            if isinstance(value, Ref):
                self.roles.setdefault(value.num, (role, None))
        self.manifest: dict[str, Any] | None = None
        self.parties: tuple[Party, ...] = ()
        self.manifest_problem: Message | None = None
        self._manifest()

    def get(self, value: Any) -> Any:
        return self.doc.resolve(value, 1)

    @functools.cached_property
    def definition(self) -> dict[str, Any] | None:
        """The embedded definition as JSON (pakta embeds it as canonical JSON), or None."""
        raw = self.files.get(pactfile.DEFINITION_NAME)
        try:
            mapping = pactfile.load_json(raw) if raw is not None else None
        except ValueError:
            return None
        return mapping if isinstance(mapping, dict) else None

    @functools.cached_property
    def verify_url(self) -> str | None:
        """The embedded definition's verify_url, which every stamp's QR code encodes."""
        url = self.definition.get("verify_url") if self.definition else None
        return url if isinstance(url, str) else None

    def office(self, field_name: str) -> Office | None:
        """The position the embedded definition gives the party of this field, and where it serves
        (the institution, the party's unit and area): what a signer's certificate title must name."""
        mapping = self.definition
        parties = mapping.get("parties") if mapping else None
        if mapping is None or not isinstance(parties, list):
            return None
        roles = [str(p.get("role")) if isinstance(p, dict) else "" for p in parties]
        party = next((p for f, p in zip(pactfile.field_names(roles), parties, strict=True) if f == field_name), None)
        if not isinstance(party, dict):
            return None
        institution = mapping.get("institution")
        name = institution.get("name") if isinstance(institution, dict) else None
        where = (name, party.get("unit"), party.get("area"))
        position = party.get("position")
        return Office(position if isinstance(position, str) else None, tuple(w for w in where if isinstance(w, str)))

    def _pages(self) -> list[int]:
        pages: list[int] = []
        stack: list[Any] = [self.catalog.get("Pages")]
        seen: set[int] = set()
        while stack and len(pages) < MAX_PAGES:
            ref = stack.pop()
            if not isinstance(ref, Ref) or ref.num in seen:
                continue
            seen.add(ref.num)
            node = self.get(ref)
            if not isinstance(node, dict):
                continue
            if node.get("Type") == "Pages" or ("Kids" in node and node.get("Type") != "Page"):
                self.roles.setdefault(ref.num, ("pagetree", None))
                kids = self.get(node.get("Kids"))
                if isinstance(kids, list):
                    stack.extend(reversed(kids))
                continue
            pages.append(ref.num)
            number = len(pages)
            self.roles[ref.num] = ("page", number)
            contents = self._mark(node.get("Contents"), "content", number)
            self._mark_each(contents if isinstance(contents, list) else [], "content", number)
            resources = self._mark(node.get("Resources"), "resources", number)
            for value in resources.values() if isinstance(resources, dict) else ():
                inner = self._mark(value, "resources", number)
                self._mark_each(inner.values() if isinstance(inner, dict) else [], "resources", number)
            annots = self._mark(node.get("Annots"), "annots", number)
            self._mark_each(annots if isinstance(annots, list) else [], "annotation", number)
        return pages

    def _mark(self, value: Any, role: str, arg: Any) -> Any:
        """Remember what the object `value` refers to is (the first role found wins); return it resolved."""
        if isinstance(value, Ref):
            self.roles.setdefault(value.num, (role, arg))
        return self.get(value)

    def _mark_each(self, values: Any, role: str, arg: Any) -> None:
        for value in values:
            if isinstance(value, Ref):
                self.roles.setdefault(value.num, (role, arg))

    def page_of(self, widget: dict[str, Any]) -> int | None:
        page = widget.get("P")
        if isinstance(page, Ref) and self.roles.get(page.num, ("", None))[0] == "page":
            return int(self.roles[page.num][1])
        return None

    def _fields(self) -> None:
        form_ref = self.catalog.get("AcroForm")
        if isinstance(form_ref, Ref):
            self.acroform = form_ref.num
            self.roles[form_ref.num] = ("acroform", None)
        form = self.get(form_ref)
        fields = self.get(form.get("Fields")) if isinstance(form, dict) else None
        for ref in fields if isinstance(fields, list) else []:
            widget = self.get(ref) if isinstance(ref, Ref) else None
            if not isinstance(widget, dict):
                continue
            name = text(widget.get("T", b""))
            self.roles[ref.num] = ("field", name)
            if widget.get("FT") != "Sig" or name in self.fields:
                continue
            if "Kids" not in widget:
                self.fields[name] = Field(name, ref.num, self.page_of(widget))
                continue
            kids = self.get(widget.get("Kids"))
            numbers = tuple(kid.num for kid in kids if isinstance(kid, Ref)) if isinstance(kids, list) else ()
            for number in numbers:
                self.roles.setdefault(number, ("field", name))
            first = self.get(Ref(numbers[0], 0)) if numbers else None
            self.fields[name] = Field(name, ref.num, self.page_of(first) if isinstance(first, dict) else None,
                                      numbers)

    def _embedded_files(self) -> dict[str, bytes]:
        names = self.get(self.catalog.get("Names"))
        files: dict[str, bytes] = {}
        if not isinstance(names, dict):
            return files
        tree = self.get(names.get("EmbeddedFiles"))
        if isinstance(names.get("EmbeddedFiles"), Ref):
            self.roles.setdefault(names["EmbeddedFiles"].num, ("files", None))
        pairs = self.get(tree.get("Names")) if isinstance(tree, dict) else None
        if not isinstance(pairs, list):
            return files
        for key, spec_ref in zip(pairs[::2], pairs[1::2], strict=False):
            name = text(key)
            spec = self.get(spec_ref)
            if isinstance(spec_ref, Ref):
                self.roles[spec_ref.num] = ("file", name)
            if not isinstance(spec, dict):
                continue
            ef = self.get(spec.get("EF"))
            stream_ref = ef.get("F") if isinstance(ef, dict) else None
            stream = self.get(stream_ref)
            if isinstance(stream_ref, Ref):
                self.roles[stream_ref.num] = ("file", name)
            if name in files or (isinstance(ef, dict) and any(not same(v, stream_ref) for v in ef.values())):
                # a second file of the same name, or a /UF stream besides /F: tools differ on which they show
                self.ambiguous.add(name)
            if isinstance(stream, Stream) and name not in files:
                try:
                    files[name] = self.doc.decode(stream, _embedded_limit(name))
                except PdfError:  # damaged or too large: the checks that need it say so
                    self.damaged.add(name)
        return files

    def _manifest(self) -> None:
        raw = self.files.get(pactfile.MANIFEST_NAME)
        if pactfile.MANIFEST_NAME in self.damaged:
            self.manifest_problem = say("manifest_damaged", "manifest pakta rusak",
                                        "the embedded pakta manifest is damaged")
            return
        if raw is None:
            self.manifest_problem = say(NO_MANIFEST, "tidak ada manifest pakta di dalam PDF (bukan pakta?)",
                                        "no pakta manifest embedded in the PDF (not a pakta pact?)")
            return
        try:
            self.manifest, self.parties = pactfile.read_manifest(raw)
        except pactfile.ManifestError as exc:
            if str(exc) == "damaged":
                self.manifest_problem = say("manifest_damaged", "manifest pakta rusak",
                                            "the embedded pakta manifest is damaged")
            else:
                self.manifest_problem = say("manifest_incomplete", "manifest pakta tidak lengkap",
                                            "the embedded pakta manifest is incomplete")

    def party(self, field_name: str) -> Party | None:
        return next((p for p in self.parties if p.field == field_name), None)

    def describe(self, num: int) -> tuple[str, str]:
        """What object `num` is, as (Indonesian, English), for change messages."""
        role, arg = self.roles.get(num, ("", None))
        names = {
            "catalog": ("katalog dokumen", "the document catalog"),
            "info": ("info dokumen", "the document info"),
            "pagetree": ("susunan halaman", "the page tree"),
            "acroform": ("formulir (AcroForm)", "the form (AcroForm)"),
            "metadata": ("metadata XMP", "the XMP metadata"),
            "ocproperties": ("status konten opsional", "the optional-content state"),
            "names": ("kamus nama", "the names dictionary"),
            "files": ("daftar lampiran", "the list of embedded files"),
            "outlines": ("kerangka dokumen", "the outline"),
            "structure": ("struktur dokumen", "the structure tree"),
        }
        if role in names:
            return names[role]
        if role == "page":
            return f"halaman {arg}", f"page {arg}"
        if role == "content":
            return f"isi halaman {arg}", f"content of page {arg}"
        if role == "resources":
            return f"sumber daya halaman {arg}", f"resources of page {arg}"
        if role in ("annots", "annotation"):
            return f"anotasi halaman {arg}", f"an annotation of page {arg}"
        if role == "field":
            return f"kolom {arg}", f"form field {arg}"
        if role == "file":
            return f"lampiran {arg}", f"embedded file {arg}"
        return f"objek {num}", f"object {num}"


def _embedded_limit(name: str) -> int:
    if name == pactfile.DEFINITION_NAME:
        return pactfile.MAX_DEFINITION
    if name == pactfile.MANIFEST_NAME:
        return pactfile.MAX_MANIFEST
    return pactfile.MAX_LOGO
