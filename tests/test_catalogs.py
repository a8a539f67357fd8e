"""The Indonesian catalog covers every message the source marks, keeps each placeholder, and the
compiled .mo that ships is the .po's current compilation (see tools/catalogs.py)."""

from __future__ import annotations

import re
import sys
from io import BytesIO
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
catalogs = pytest.importorskip("catalogs")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
FLAG = re.compile(r"--[a-z][a-z-]+")


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def _texts(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


@pytest.fixture(scope="module")
def indonesian():  # type: ignore[no-untyped-def]
    return catalogs.read("id")


def test_every_message_in_the_source_has_its_indonesian(indonesian) -> None:  # type: ignore[no-untyped-def]
    source = {message.id for message in catalogs.extract() if message.id}
    translated = {m.id for m in indonesian if m.id and all(_texts(m.string))}
    missing = sorted(str(m) for m in source - translated)
    assert not missing, f"{len(missing)} messages without Indonesian (run python tools/catalogs.py): {missing[:10]}"


def test_a_translation_keeps_every_placeholder_and_flag(indonesian) -> None:  # type: ignore[no-untyped-def]
    for message in indonesian:
        if not message.id:
            continue
        english = _texts(message.id)[-1]
        for text in _texts(message.string):
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(english)), (english, text)
            assert set(FLAG.findall(text)) == set(FLAG.findall(english)), (english, text)


def test_the_shipped_mo_is_the_po_compiled(indonesian) -> None:  # type: ignore[no-untyped-def]
    from babel.messages.mofile import read_mo

    shipped = read_mo(BytesIO(catalogs.po_path("id").with_suffix(".mo").read_bytes()))
    compiled = read_mo(BytesIO(catalogs.mo_bytes(indonesian)))
    def table(catalog):  # type: ignore[no-untyped-def]
        return {_hashable(m.id): _hashable(m.string) for m in catalog if m.id}

    assert table(shipped) == table(compiled), \
        "the .mo is older than the .po: run python tools/catalogs.py"


def test_official_terms_are_used_as_offices_use_them(indonesian) -> None:  # type: ignore[no-untyped-def]
    """The words of an office, never English ones left in an Indonesian sentence."""
    said = {m.id: _texts(m.string)[0] for m in indonesian if m.id and not isinstance(m.id, tuple)}
    assert said["INCOMPLETE"] == "BELUM LENGKAP"
    assert said["interrupted; no file was left half-written"].startswith("dihentikan")
    everything = " ".join(_texts(m.string)[0] for m in indonesian if m.id).lower()
    for english in (" signature ", " signer ", " revoked ", " certificate ", " not found", " already exists"):
        assert english not in everything, english
