"""Keep pakta's message catalogs in step with the source: extract, update the .po, compile the .mo.

    python tools/catalogs.py           # after changing a message: new ones arrive untranslated in the .po
    (translate them in src/pakta_cli/locale/id/LC_MESSAGES/pakta.po, then run it again to compile)

Babel does the work (`pip install '.[test]'` brings it); pakta itself reads the compiled .mo with the
standard library's gettext and needs no Babel to run. The .mo is committed, so a wheel carries it
without a build step; tests/test_catalogs.py fails while it is older than its .po or the .po misses a
message the source has.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "pakta_cli"
LOCALES = PACKAGE / "locale"
DOMAIN = "pakta"
LANGUAGES = ("id",)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def po_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every message the source marks with `_`, `N_` or `ngettext`, where it is made."""
    catalog = Catalog(project="pakta", domain=DOMAIN, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        catalog.add(message, None, [(f"src/pakta_cli/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def read(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, project="pakta", domain=DOMAIN, fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def updated(language: str, template: Catalog) -> Catalog:
    """The language's catalog with the source's messages: new ones empty, gone ones dropped (no guessing)."""
    catalog = read(language)
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.obsolete.clear()
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, ignore_obsolete=True, include_previous=False)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def main() -> int:
    template = extract()
    for language in LANGUAGES:
        catalog = updated(language, template)
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(po_bytes(catalog))
        path.with_suffix(".mo").write_bytes(mo_bytes(read(language)))
        missing = [m.id for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages, {len(missing)} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
