"""`as_rendered`: the rendered revision holds exactly what `pakta render` writes, and nothing else.

Three layers, each closing a class of tricks rather than a list of cases:

1. **Bytes.** The revision is exactly pakta's PDF dialect for its own objects
   (`pakta_cli.pdf.canonical`): one table, objects 1..N in order, generation 0, no comment or stray
   byte. Every reader then parses the same objects pakta read.
2. **Streams.** No stream's data holds PDF structure (an object header, `endstream`, `trailer`...)
   that a reader repairing the file could find.
3. **Objects.** Walking from the catalog, every object has one role (page, font, field...) and the
   shape pakta renders for that role: the keys it writes, values of the types it writes, and no
   object that nothing refers to. A page tree's /Count equals its pages; each signature field is on
   exactly one page, listed once, the size of a signature block, on its page, over no other field.
   So nothing can act when the file opens (no actions, scripts, optional content, outlines), and
   nothing planted now can be sprung by a later signature.

What it does not prove: that the words on the pages are the rendering of the embedded definition.
A preparer could draw other words and leave the definition alone; `--reproduce` proves that.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pakta_cli import __version__, fontpins, pactfile, stamp
from pakta_cli.pdf import canonical, content
from pakta_cli.pdf.syntax import Name, PdfError, Ref, Stream
from pakta_cli.verify.pact import Pact
from pakta_cli.verify.verdict import Check, Message, say

MAX_PROBLEMS = 8
MAX_ANNOTS = 64  # signature blocks on one page (a page holds a few; the geometry check compares pairs)
SUBSET_NAME = re.compile(r"^[A-Z]{6}\+[A-Za-z0-9-]+$")  # a subset tag, then the face: AAAAAA+LiberationSans
INFO_TEXT_KEYS = frozenset({"Author", "CreationDate", "Creator", "Keywords", "ModDate", "Producer", "Subject",
                            "Title"})
PROC_SETS = frozenset({"PDF", "Text", "ImageB", "ImageC", "ImageI"})
COLOUR_SPACES = {"DeviceRGB": 3, "DeviceGray": 1}  # an image's colours, and the samples of each pixel


NUMBERS = (int, Decimal)


def _is_number(value: Any) -> bool:
    return type(value) in NUMBERS


def _box(value: Any) -> tuple[float, ...] | None:
    """A PDF rectangle as (left, bottom, right, top), or None when it is not four numbers."""
    if not isinstance(value, list) or len(value) != 4 or not all(_is_number(v) for v in value):
        return None
    x1, y1, x2, y2 = (float(v) for v in value)
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _stamp_resources(value: Any) -> bool:
    """The form's /DR as render writes it: the two fonts a stamp is set in (`pakta_cli.stamp`), by reference."""
    return isinstance(value, dict) and set(value) == {"Font"} and isinstance(value["Font"], dict) \
        and set(value["Font"]) == set(stamp.RESOURCES) and all(isinstance(r, Ref) for r in value["Font"].values())


def _filters(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class _Walk:
    """The object graph from the catalog, each object checked against the shape of its role."""

    def __init__(self, pact: Pact) -> None:
        self.pact = pact
        self.doc = pact.doc
        self.listed = set(self.doc.revisions[0].entries)
        self.roles: dict[int, str] = {}
        self.problems: list[Message] = []
        self.pages_root: Ref | None = None
        self.page_numbers: dict[int, int] = {}
        self.widget_pages: dict[int, list[int]] = {}
        self.field_listings: dict[int, int] = {}
        self.kid_listings: dict[int, list[int]] = {}  # widget -> the fields that list it as a kid

    # -- reporting ---------------------------------------------------------------------------------

    def problem(self, num: int | None, indonesian: str, english: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            return
        if num is not None:
            what_id, what_en = self.pact.describe(num)
            indonesian, english = f"{what_id}: {indonesian}", f"{what_en}: {english}"
        self.problems.append(say("not_as_rendered", indonesian, english))

    def keys(self, num: int, value: dict[str, Any], allowed: dict[str, Callable[[Any], bool]],
             required: tuple[str, ...] = ()) -> None:
        """Only the keys pakta writes for this role, each with a value of the type pakta writes."""
        for key in sorted(set(value) - set(allowed)):
            self.problem(num, f"memuat /{key}, yang tidak pernah dibuat pakta",
                         f"holds /{key}, which pakta never renders")
        for key in sorted(set(allowed) & set(value)):
            if not allowed[key](value[key]):
                self.problem(num, f"nilai /{key} tidak seperti yang dibuat pakta",
                             f"its /{key} is not what pakta renders")
        for key in required:
            if key not in value:
                self.problem(num, f"tidak memuat /{key}", f"has no /{key}")

    # -- the walk ------------------------------------------------------------------------------------

    def visit(self, ref: Any, role: str, holder: int | None) -> Any:
        """Check the object `ref` names as a `role` (once); return its value, or None when it is not one."""
        if not isinstance(ref, Ref):
            self.problem(holder, f"merujuk {role} secara langsung, bukan sebagai objek",
                         f"holds a {role} directly, where pakta writes a reference")
            return None
        if ref.num not in self.listed:
            self.problem(holder, f"merujuk objek {ref.num} yang tidak ada di revisi yang dirender",
                         f"refers to object {ref.num}, which the rendered revision does not hold")
            return None
        seen = self.roles.get(ref.num)
        if seen is not None:
            if seen != role:
                self.problem(ref.num, f"dipakai sebagai {seen} dan sebagai {role}", f"is used as {seen} and as {role}")
                return None
            return self.doc.get(ref.num, 1)
        self.roles[ref.num] = role
        value = self.doc.get(ref.num, 1)
        check = getattr(self, f"_{role}")
        check(ref.num, value)
        return value

    def run(self) -> None:
        trailer = self.doc.revisions[0].trailer
        self.visit(trailer.get("Root"), "catalog", None)
        if "Info" in trailer:
            self.visit(trailer.get("Info"), "info", None)
        for num in sorted(self.listed - set(self.roles)):
            self.problem(None, f"objek {num} tidak dirujuk apa pun dalam pakta",
                         f"object {num} is not part of the pact (nothing refers to it)")
        for widget in sorted(n for n, role in self.roles.items() if role == "widget"):
            pages = self.widget_pages.get(widget, [])
            if len(pages) != 1:  # on no page: its size and place go unchecked; on two: drawn twice
                self.problem(widget, f"tercantum di /Annots {len(pages)} halaman", f"is listed on {len(pages)} pages")
        for widget in sorted(n for n, role in self.roles.items() if role == "widget"):
            parents = self.kid_listings.get(widget, [])
            if parents and (len(parents) != 1 or widget in self.field_listings):
                self.problem(widget, "tercantum di lebih dari satu kolom", "is listed under more than one field")
            elif not parents and self.field_listings.get(widget, 0) != 1:
                self.problem(widget, "tidak tercantum tepat sekali di /Fields formulir",
                             "is not listed exactly once in the form's /Fields")
        for field in sorted(n for n, role in self.roles.items() if role == "field"):
            if self.field_listings.get(field, 0) != 1:
                self.problem(field, "tidak tercantum tepat sekali di /Fields formulir",
                             "is not listed exactly once in the form's /Fields")
        self._geometry()

    # -- roles ---------------------------------------------------------------------------------------

    def _dict(self, num: int, value: Any, role: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.problem(num, f"bukan kamus {role}", f"is not a {role} dictionary")
        return None

    def _catalog(self, num: int, value: Any) -> None:
        catalog = self._dict(num, value, "katalog")
        if catalog is None:
            return
        self.keys(num, catalog, {
            "Type": lambda v: v == "Catalog" and isinstance(v, Name), "Pages": lambda v: True,
            "AcroForm": lambda v: True, "Names": lambda v: True, "Lang": lambda v: isinstance(v, bytes),
            "PageMode": lambda v: v == "UseNone" and isinstance(v, Name),
        }, ("Type", "Pages"))
        self.pages_root = catalog.get("Pages") if isinstance(catalog.get("Pages"), Ref) else None
        self.visit(catalog.get("Pages"), "pages", num)
        if "AcroForm" in catalog:
            self.visit(catalog["AcroForm"], "form", num)
        if "Names" in catalog:
            self.visit(catalog["Names"], "names", num)

    def _info(self, num: int, value: Any) -> None:
        info = self._dict(num, value, "info")
        if info is not None:
            allowed: dict[str, Callable[[Any], bool]] = {key: lambda v: isinstance(v, bytes) for key in INFO_TEXT_KEYS}
            allowed["Trapped"] = lambda v: isinstance(v, Name) and v in ("True", "False")
            self.keys(num, info, allowed)

    def _pages(self, num: int, value: Any) -> None:
        node = self._dict(num, value, "pohon halaman")
        if node is None:
            return
        kids = node.get("Kids")
        self.keys(num, node, {"Type": lambda v: v == "Pages" and isinstance(v, Name),
                              "Kids": lambda v: isinstance(v, list) and len(v) > 0,
                              "Count": lambda v: type(v) is int}, ("Type", "Kids", "Count"))
        if not isinstance(kids, list):
            return
        if node.get("Count") != len(kids):  # a viewer shows /Count pages; every page here is a leaf
            self.problem(num, f"/Count {node.get('Count')} tidak sama dengan {len(kids)} halamannya",
                         f"/Count {node.get('Count')} differs from its {len(kids)} pages")
        for index, kid in enumerate(kids, start=1):
            if isinstance(kid, Ref) and kid.num in self.page_numbers:
                self.problem(num, f"mencantumkan halaman {self.page_numbers[kid.num]} dua kali",
                             f"lists page {self.page_numbers[kid.num]} twice")
                continue
            if isinstance(kid, Ref):
                self.page_numbers[kid.num] = index
            self.visit(kid, "page", num)

    def _page(self, num: int, value: Any) -> None:
        page = self._dict(num, value, "halaman")
        if page is None:
            return
        self.keys(num, page, {
            "Type": lambda v: v == "Page" and isinstance(v, Name),
            "Parent": lambda v: v == self.pages_root and isinstance(v, Ref),
            "MediaBox": lambda v: _box(v) is not None, "Resources": lambda v: isinstance(v, dict),
            "Contents": lambda v: True, "Rotate": lambda v: v == 0 and type(v) is int,
            "Trans": lambda v: v == {}, "Annots": lambda v: isinstance(v, list) and len(v) <= MAX_ANNOTS,
        }, ("Type", "Parent", "MediaBox", "Resources", "Contents"))
        self.visit(page.get("Contents"), "content", num)
        resources = page.get("Resources")
        if isinstance(resources, dict):
            self._resources(num, resources)
            self._operations(num, page.get("Contents"), resources)
        annots = page.get("Annots")
        # more than a page's signature blocks is said above once, not looked into one by one
        for annot in annots if isinstance(annots, list) and len(annots) <= MAX_ANNOTS else []:
            if isinstance(annot, Ref):
                self.widget_pages.setdefault(annot.num, []).append(num)
            widget = self.visit(annot, "widget", num)
            if isinstance(widget, dict) and widget.get("P") != Ref(num, 0):
                self.problem(annot.num, "/P-nya bukan halaman yang mencantumkannya",
                             "its /P is not the page that lists it")

    def _resources(self, page: int, resources: dict[str, Any]) -> None:
        self.keys(page, resources, {
            "Font": lambda v: isinstance(v, (Ref, dict)),
            "ProcSet": lambda v: isinstance(v, list) and all(isinstance(x, Name) and x in PROC_SETS for x in v),
            "XObject": lambda v: isinstance(v, dict) and all(isinstance(x, Ref) for x in v.values()),
        })
        fonts = resources.get("Font")
        if isinstance(fonts, Ref):
            self.visit(fonts, "fonts", page)
        elif isinstance(fonts, dict):
            self._fonts(page, fonts)
        images = resources.get("XObject")
        for ref in images.values() if isinstance(images, dict) else ():
            self.visit(ref, "image", page)

    def _operations(self, page: int, contents: Any, resources: dict[str, Any]) -> None:
        """The page's content is operations pakta's pages use, on fonts and images its resources hold."""
        stream = self.doc.get(contents.num, 1) if isinstance(contents, Ref) else None
        if not isinstance(stream, Stream):
            return  # said where the content is visited
        fonts = self.doc.resolve(resources.get("Font"), 1)
        images = resources.get("XObject")
        try:
            data = self.doc.decode(stream)
        except PdfError:
            return  # said where the content is visited
        problem = content.content_problem(data, frozenset(fonts) if isinstance(fonts, dict) else frozenset(),
                                          frozenset(images) if isinstance(images, dict) else frozenset())
        if problem is not None:
            self.problem(contents.num, f"isi halaman memuat operasi yang tidak ditulis pakta (byte {problem.offset})",
                         f"its page content departs from what pakta draws at byte {problem.offset}: {problem.reason}")

    def _fonts(self, num: int, value: Any) -> None:
        fonts = self._dict(num, value, "daftar fon")
        for ref in fonts.values() if fonts is not None else ():
            self.visit(ref, "font", num)

    def _font(self, num: int, value: Any) -> None:
        """A subset of one of pakta's TrueType faces, embedded (pakta prints no other kind of font)."""
        font = self._dict(num, value, "fon")
        if font is None:
            return
        self.keys(num, font, {
            "Type": lambda v: v == "Font" and isinstance(v, Name), "Subtype": lambda v: v == "TrueType",
            "BaseFont": lambda v: isinstance(v, Name) and SUBSET_NAME.match(v) is not None,
            "FirstChar": lambda v: type(v) is int and 0 <= v <= 255,
            "LastChar": lambda v: type(v) is int and 0 <= v <= 255,
            "Widths": lambda v: isinstance(v, list) and len(v) <= 256 and all(type(x) in NUMBERS for x in v),
            "FontDescriptor": lambda v: isinstance(v, Ref), "ToUnicode": lambda v: isinstance(v, Ref),
            "Encoding": lambda v: isinstance(v, Ref), "Name": lambda v: isinstance(v, Name),
        }, ("Type", "Subtype", "BaseFont", "FirstChar", "LastChar", "Widths", "FontDescriptor"))
        if fontpins.pinned(self.doc, Ref(num, 0), 1) is None:
            # what a viewer paints comes from the program and the character map it picks: only pakta's
            self.problem(num, "bukan fon yang disematkan pakta (program, lebar huruf atau peta karakternya lain)",
                         "is not a font pakta embeds (its program, widths or character map differ from pakta's)")
        self.visit(font.get("FontDescriptor"), "fontdescriptor", num)
        if "ToUnicode" in font:
            self.visit(font["ToUnicode"], "cmap", num)
        if "Encoding" in font:
            self.visit(font["Encoding"], "encoding", num)

    def _fontdescriptor(self, num: int, value: Any) -> None:
        descriptor = self._dict(num, value, "deskripsi fon")
        if descriptor is None:
            return
        number: Callable[[Any], bool] = _is_number
        self.keys(num, descriptor, {
            "Type": lambda v: v == "FontDescriptor", "FontName": lambda v: isinstance(v, Name),
            "Flags": lambda v: type(v) is int, "FontBBox": lambda v: _box(v) is not None,
            "ItalicAngle": number, "Ascent": number, "Descent": number, "CapHeight": number, "StemV": number,
            "MissingWidth": number, "FontFile2": lambda v: isinstance(v, Ref),
        }, ("Type", "FontName", "FontFile2"))
        self.visit(descriptor.get("FontFile2"), "fontfile", num)

    def _fontfile(self, num: int, value: Any) -> None:
        stream = self._stream(num, value, "fon")
        if stream is not None:
            self.keys(num, stream.dict, {"Length": lambda v: type(v) is int, "Length1": lambda v: type(v) is int,
                                         "Filter": lambda v: _filters(v) == ["FlateDecode"]}, ("Length1",))

    def _cmap(self, num: int, value: Any) -> None:
        self._content(num, value)

    def _encoding(self, num: int, value: Any) -> None:
        encoding = self._dict(num, value, "pengodean")
        if encoding is not None:
            self.keys(num, encoding, {
                "Type": lambda v: v == "Encoding",
                "Differences": lambda v: isinstance(v, list) and all(type(x) is int or isinstance(x, Name) for x in v),
                "BaseEncoding": lambda v: v in ("WinAnsiEncoding", "MacRomanEncoding"),
            }, ("Differences",))

    def _stream(self, num: int, value: Any, what: str) -> Stream | None:
        if isinstance(value, Stream):
            return value
        self.problem(num, f"bukan stream {what}", f"is not a {what} stream")
        return None

    def _content(self, num: int, value: Any) -> None:
        stream = self._stream(num, value, "isi halaman")
        if stream is not None:
            self.keys(num, stream.dict, {"Length": lambda v: type(v) is int,
                                         "Filter": lambda v: _filters(v) == ["FlateDecode"]})

    def _image(self, num: int, value: Any) -> None:
        """An image as pakta draws one (`pakta_cli.images`): pixels only, in data every reader decodes
        alike. A JPEG, JPEG 2000, JBIG2 or fax image is decoded by each reader's own decoder, and those
        disagree on crafted files (one JPEG showed "SAH" in pdf.js and "BATAL" in poppler)."""
        stream = self._pixels(num, value, {"SMask": lambda v: isinstance(v, Ref)})
        if stream is None or "SMask" not in stream.dict:
            return
        mask = self.visit(stream.dict["SMask"], "smask", num)
        if isinstance(mask, Stream) and (mask.dict.get("Width"), mask.dict.get("Height")) != \
                (stream.dict.get("Width"), stream.dict.get("Height")):
            self.problem(num, "topeng transparansinya berukuran lain dari gambarnya",
                         "its soft mask is not the size of the image")

    def _smask(self, num: int, value: Any) -> None:
        """An image's transparency, as pakta writes it: gray pixels, /Decode [0 1] as ReportLab writes it."""
        stream = self._pixels(num, value, {"Decode": lambda v: v == [0, 1]})
        if stream is not None and stream.dict.get("ColorSpace") != "DeviceGray":
            self.problem(num, "topeng transparansi yang tidak abu-abu", "is a soft mask that is not gray")

    def _pixels(self, num: int, value: Any, extra: dict[str, Callable[[Any], bool]]) -> Stream | None:
        """The checks an image and a soft mask share: 8-bit RGB or gray samples, deflated, no more pixels
        than pakta draws, and exactly Width x Height x colours bytes of them (read within that many)."""
        stream = self._stream(num, value, "gambar")
        if stream is None:
            return None
        image = stream.dict
        self.keys(num, image, {
            "Type": lambda v: v == "XObject" and isinstance(v, Name), "Subtype": lambda v: v == "Image",
            "BitsPerComponent": lambda v: v == 8 and type(v) is int, "Length": lambda v: type(v) is int,
            "Width": lambda v: True, "Height": lambda v: True, "ColorSpace": lambda v: True,  # said below
            "Filter": lambda v: True, **extra,
        }, ("Type", "Subtype", "Width", "Height", "ColorSpace", "BitsPerComponent", "Filter"))
        if not {"Width", "Height", "ColorSpace", "Filter"} <= set(image):
            return stream  # said above
        filters = _filters(image["Filter"])
        if filters != ["FlateDecode"]:
            named = " ".join(f"/{f}" for f in filters if isinstance(f, Name)) or "?"
            self.problem(num, f"datanya berupa {named}, bukan piksel yang ditulis pakta (/FlateDecode): "
                              "pembaca PDF dapat menggambarnya secara berbeda",
                         f"its data is {named}, not the pixels pakta writes (/FlateDecode): PDF readers may "
                         "draw it differently")
        colours = COLOUR_SPACES.get(image["ColorSpace"]) if isinstance(image["ColorSpace"], Name) else None
        if colours is None:
            self.problem(num, "ruang warnanya bukan /DeviceRGB atau /DeviceGray yang ditulis pakta",
                         "its colour space is not /DeviceRGB or /DeviceGray, as pakta writes")
        width, height = image["Width"], image["Height"]
        if type(width) is not int or type(height) is not int or width < 1 or height < 1:
            self.problem(num, "lebar atau tingginya bukan bilangan bulat positif",
                         "its /Width or /Height is not a positive whole number")
            return stream
        if width * height > pactfile.MAX_IMAGE_PIXELS:
            million = pactfile.MAX_IMAGE_PIXELS // 1_000_000
            self.problem(num, f"berukuran {width} x {height} piksel, lebih dari {million} juta piksel yang "
                              "digambar pakta", f"is {width} x {height} pixels, more than the {million} million "
                              "pakta draws")
            return stream
        if filters != ["FlateDecode"] or colours is None or "DecodeParms" in image:
            return stream
        expected = width * height * colours
        try:
            size = len(self.doc.decode(stream, limit=expected))
        except PdfError as exc:
            self.problem(num, "datanya tidak terbaca", f"its data cannot be read: {exc}")
            return stream
        if size != expected:
            self.problem(num, f"datanya {size} bita, bukan {expected} bita piksel seukurannya",
                         f"its data is {size} bytes, not the {expected} bytes of pixels of its size")
        return stream

    def _widget(self, num: int, value: Any) -> None:
        """A signature field that is its own widget, or one of the widgets of a field (/Parent)."""
        widget = self._dict(num, value, "kolom tanda tangan")
        if widget is None:
            return
        common: dict[str, Callable[[Any], bool]] = {
            "Type": lambda v: v == "Annot" and isinstance(v, Name), "Subtype": lambda v: v == "Widget",
            "F": lambda v: v == pactfile.WIDGET_FLAGS and type(v) is int, "Rect": lambda v: _box(v) is not None,
            "P": lambda v: isinstance(v, Ref),
        }
        if "Parent" in widget:
            self.keys(num, widget, {**common, "Parent": lambda v: isinstance(v, Ref)},
                      ("Type", "Subtype", "F", "Rect", "P", "Parent"))
            return
        self.keys(num, widget, {**common, "FT": lambda v: v == "Sig" and isinstance(v, Name),
                                "T": lambda v: isinstance(v, bytes)}, ("Type", "Subtype", "FT", "T", "F", "Rect", "P"))

    def _field(self, num: int, value: Any) -> None:
        """A signature field over the widgets of a party that signs in more than one place."""
        field = self._dict(num, value, "kolom tanda tangan")
        if field is None:
            return
        kids = field.get("Kids")
        self.keys(num, field, {
            "FT": lambda v: v == "Sig" and isinstance(v, Name), "T": lambda v: isinstance(v, bytes),
            "Kids": lambda v: isinstance(v, list) and 0 < len(v) <= pactfile.MAX_WIDGETS,
        }, ("FT", "T", "Kids"))
        for kid in kids if isinstance(kids, list) else []:
            if isinstance(kid, Ref):
                self.kid_listings.setdefault(kid.num, []).append(num)
            widget = self.visit(kid, "widget", num)
            if isinstance(widget, dict) and widget.get("Parent") != Ref(num, 0):
                self.problem(kid.num if isinstance(kid, Ref) else num, "/Parent-nya bukan kolom yang mencantumkannya",
                             "its /Parent is not the field that lists it")

    def _form(self, num: int, value: Any) -> None:
        form = self._dict(num, value, "formulir")
        if form is None:
            return
        self.keys(num, form, {"Fields": lambda v: isinstance(v, list), "DR": _stamp_resources},
                  ("Fields", "DR"))
        for ref in form.get("Fields", []) if isinstance(form.get("Fields"), list) else []:
            if isinstance(ref, Ref):
                self.field_listings[ref.num] = self.field_listings.get(ref.num, 0) + 1
            target = self.doc.get(ref.num, 1) if isinstance(ref, Ref) else None
            self.visit(ref, "field" if isinstance(target, dict) and "Kids" in target else "widget", num)
        resources = form.get("DR")
        if isinstance(resources, dict) and _stamp_resources(resources):
            for ref in resources["Font"].values():
                self.visit(ref, "font", num)

    def _names(self, num: int, value: Any) -> None:
        names = self._dict(num, value, "kamus nama")
        if names is None:
            return
        self.keys(num, names, {"EmbeddedFiles": lambda v: isinstance(v, dict) and set(v) == {"Names"}},
                  ("EmbeddedFiles",))
        tree = names.get("EmbeddedFiles")
        pairs = tree.get("Names") if isinstance(tree, dict) else None
        if not isinstance(pairs, list) or len(pairs) % 2:
            self.problem(num, "daftar lampiran bukan satu daftar datar", "the embedded files are not one flat list")
            return
        for key, spec in zip(pairs[::2], pairs[1::2], strict=True):
            value = self.visit(spec, "filespec", num)
            if isinstance(value, dict) and not (isinstance(key, bytes) and value.get("F") == key == value.get("UF")):
                self.problem(spec.num, "nama lampirannya tidak sama di daftar dan di berkasnya",
                             "its name differs between the list and the file")

    def _filespec(self, num: int, value: Any) -> None:
        spec = self._dict(num, value, "lampiran")
        if spec is None:
            return
        self.keys(num, spec, {
            "Type": lambda v: v == "Filespec" and isinstance(v, Name), "F": lambda v: isinstance(v, bytes),
            "UF": lambda v: isinstance(v, bytes), "Desc": lambda v: isinstance(v, bytes),
            "AFRelationship": lambda v: v == "Source", "EF": lambda v: isinstance(v, dict) and set(v) == {"F"},
        }, ("Type", "F", "UF", "EF"))
        ef = spec.get("EF")
        if isinstance(ef, dict) and "F" in ef:
            self.visit(ef["F"], "embedded", num)

    def _embedded(self, num: int, value: Any) -> None:
        stream = self._stream(num, value, "lampiran")
        if stream is not None:
            self.keys(num, stream.dict, {
                "Type": lambda v: v == "EmbeddedFile", "Subtype": lambda v: isinstance(v, Name),
                "Params": lambda v: isinstance(v, dict) and set(v) == {"Size"} and type(v["Size"]) is int,
                "Filter": lambda v: _filters(v) == ["FlateDecode"], "Length": lambda v: type(v) is int,
            }, ("Type", "Filter"))

    # -- where the signature fields lie --------------------------------------------------------------

    def _geometry(self) -> None:
        """Each field the size of a signature block at most, inside its page, over no other field."""
        boxes: dict[int, list[tuple[int, tuple[float, ...]]]] = {}
        for widget_num, pages in sorted(self.widget_pages.items()):
            widget = self.doc.get(widget_num, 1)
            page = self.doc.get(pages[0], 1)
            if not isinstance(widget, dict) or not isinstance(page, dict):
                continue
            box, page_box = _box(widget.get("Rect")), _box(page.get("MediaBox"))
            if box is None or page_box is None:
                continue
            inside = page_box[0] <= box[0] and page_box[1] <= box[1] and box[2] <= page_box[2] \
                and box[3] <= page_box[3]
            if box[2] - box[0] > pactfile.FIELD_MAX[0] or box[3] - box[1] > pactfile.FIELD_MAX[1] or not inside:
                self.problem(widget_num, "lebih besar dari blok tanda tangan atau di luar halaman",
                             "is larger than a signature block or lies off its page")
            for other, other_box in boxes.get(pages[0], []):
                if box[0] < other_box[2] and other_box[0] < box[2] and box[1] < other_box[3] \
                        and other_box[1] < box[3]:
                    other_id, other_en = self.pact.describe(other)
                    self.problem(widget_num, f"menutupi {other_id}", f"overlaps {other_en}")
            boxes.setdefault(pages[0], []).append((widget_num, box))


def as_rendered_check(pact: Pact) -> Check:
    """The `as_rendered` check (see the module docstring)."""
    doc = pact.doc
    problems: list[Message] = []
    deviation = canonical.rendered_deviation(doc)
    if deviation is not None:
        version = pact.manifest.get("pakta_version") if pact.manifest else None
        if isinstance(version, str) and version != __version__:
            problems.append(say("unsupported_version",
                                f"dibuat oleh pakta {version}, versi yang bentuk berkasnya tidak lagi diperiksa "
                                "pakta ini",
                                f"written by pakta {version}, an unsupported version whose files this pakta no "
                                "longer verifies"))
        problems.append(say("not_in_pakta_form",
                            f"revisi yang dirender bukan bentuk yang ditulis pakta (byte {deviation.offset})",
                            f"the rendered revision is not in the form pakta writes (at byte {deviation.offset}: "
                            f"{deviation.reason})"))
    hidden = canonical.hidden_structure(doc, doc.revisions[0])
    if hidden is not None:
        problems.append(say("hidden_structure",
                            f"revisi yang dirender menyembunyikan struktur PDF (byte {hidden.offset})",
                            f"the rendered revision hides PDF structure (at byte {hidden.offset}: {hidden.reason})"))
    walk = _Walk(pact)
    try:
        walk.run()
    except (PdfError, RecursionError) as exc:
        walk.problem(None, "struktur tidak terbaca", f"its structure cannot be read: {exc}")
    problems += walk.problems
    if problems:
        return Check.failed("as_rendered", *problems)
    return Check.passed("as_rendered", say("as_rendered", "revisi yang dirender hanya memuat apa yang dibuat pakta",
                                           "the rendered revision holds only what pakta renders"))
