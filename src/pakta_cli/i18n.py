"""The interface's language: one per run, Indonesian or English, through the standard library's gettext.

English is the source language: every message is written in English where it is made, marked with
`_()` (or `ngettext`, or `N_` where it must be translated later, as help texts are), and
`locale/id/LC_MESSAGES/pakta.po` holds its Indonesian. Babel extracts and compiles the catalogs
(`python tools/catalogs.py`); at run time only `gettext` reads the compiled `.mo`.

`_()` translates into the language of the run when the message is made, and does nothing else: the
library still only raises, and the CLI prints. A message keeps its placeholders named
(`_("{path}: not found").format(path=path)`) so a translation may put them in another order, and a
test holds every translation to the same placeholders.

The language: `--lang`, else `PAKTA_LANG`, else the first of `LC_ALL`, `LC_MESSAGES` and `LANG`
that is set (as POSIX reads them: `id_ID.UTF-8` gives Indonesian, anything else English), else
English. A document's own language is its definition's `language:`, never this one.
"""

from __future__ import annotations

import gettext
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

DOMAIN = "pakta"
LANGUAGES = ("id", "en")
LOCALE_DIR = Path(__file__).parent / "locale"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_chosen: str | None = None


def language_of(value: str) -> str | None:
    """`id`, `id_ID.UTF-8` or `ID` -> "id"; `en`, `en_US` -> "en"; anything else None."""
    base = value.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return base if base in LANGUAGES else None


def from_environment(env: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for: PAKTA_LANG, else the locale's messages, else English."""
    env = os.environ if env is None else env
    asked = language_of(env.get("PAKTA_LANG", ""))
    if asked is not None:
        return asked
    for variable in LOCALE_VARIABLES:
        if env.get(variable):
            return "id" if language_of(env[variable]) == "id" else "en"
    return "en"


def current() -> str:
    """The language of this run (`use`), or the environment's when no run chose one (library use)."""
    return _chosen or from_environment()


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Speak `language` for the length of one run, then what was spoken before."""
    global _chosen
    before = _chosen
    use(language)
    try:
        yield
    finally:
        _chosen = before


def use(language: str) -> None:
    """Choose the language of what follows (the process pool's workers fork from here and keep it).

    typer's own help texts (`Options`, `[default: ...]`) go through the standard library's global
    gettext domain, which reads the language from `LANGUAGE`: both point at pakta's catalogs.
    """
    global _chosen
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    _chosen = language
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = language


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def _(message: str) -> str:
    """`message` in the language of the run."""
    return _catalog(current()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural of a message for `count`, in the language of the run."""
    return _catalog(current()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark `message` for the catalogs, to be translated later with `_()` (help texts, tables)."""
    return message


def reworded(english: str, patterns: Sequence[tuple[str, str]]) -> str:
    """A sentence another library wrote in English (click, pydantic, PyYAML), in the run's language when
    one of `patterns` knows it: a regular expression for the whole sentence, and the marked message its
    named groups fill in. A sentence no pattern knows stays as it was written."""
    for pattern, message in patterns:
        found = re.fullmatch(pattern, english)
        if found:
            return _(message).format(**found.groupdict())
    return english
