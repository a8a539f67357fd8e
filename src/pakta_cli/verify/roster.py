"""A roster's completeness: how a folder of verified pacts compares with the batch manifest
`pakta render --roster` wrote (missing, unsigned, unknown, altered and duplicated pacts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RosterReport:
    """How a folder of verified pacts compares with the batch manifest `pakta render --roster` wrote."""

    manifest: str
    expected: int
    present: int
    missing: tuple[str, ...]  # listed in the manifest, no file found
    incomplete: tuple[str, ...]  # found, but not every party has signed
    unknown: tuple[str, ...]  # files found that the manifest does not list
    altered: tuple[str, ...]  # named as a listed pact, but its rendered revision is not that pact's bytes
    duplicates: tuple[str, ...]  # more than one file holds the same listed pact

    @property
    def ok(self) -> bool:
        return not (self.missing or self.incomplete or self.unknown or self.altered or self.duplicates)

    def to_json(self) -> dict[str, Any]:
        return {
            "manifest": self.manifest, "ok": self.ok, "expected": self.expected, "present": self.present,
            "missing": list(self.missing), "incomplete": list(self.incomplete), "unknown": list(self.unknown),
            "altered": list(self.altered), "duplicates": list(self.duplicates),
        }


def check_roster(manifest: dict[str, Any], manifest_path: str,
                 results: Sequence[tuple[str, str, bool, str | None]]) -> RosterReport:
    """Compare verified files with a batch manifest.

    `results` holds (path shown, name relative to the folder verified, whether every party signed,
    sha256 of the file as handed to its first signer). A file is a listed pact when those bytes hash
    to that pact's recorded sha256 (the manifest hashes the file as rendered; signing only appends),
    so renamed or moved files are still found; a file that carries a listed pact's name but other
    rendered bytes is reported as altered, not as that pact.
    """
    entries = [p for p in manifest.get("pacts", []) if isinstance(p, dict) and isinstance(p.get("file"), str)]
    by_hash: dict[str, dict[str, Any]] = {str(p.get("sha256")): p for p in entries}
    by_name: dict[str, dict[str, Any]] = {}
    for entry in entries:
        by_name.setdefault(entry["file"], entry)
        by_name.setdefault(Path(entry["file"]).name, entry)
    found: dict[str, list[str]] = {}
    incomplete: list[str] = []
    unknown: list[str] = []
    altered: list[str] = []
    for shown, relative, fully_signed, digest in results:
        found_entry = by_hash.get(digest or "")
        if found_entry is None:
            named = by_name.get(relative) or by_name.get(Path(relative).name)
            (altered if named is not None else unknown).append(shown)
            continue
        entry = found_entry
        found.setdefault(entry["file"], []).append(shown)
        if not fully_signed:
            incomplete.append(shown)
    missing = [e["file"] for e in entries if e["file"] not in found]
    duplicates = [", ".join(files) for files in found.values() if len(files) > 1]
    return RosterReport(
        manifest=manifest_path,
        expected=len(entries),
        present=len(found),
        missing=tuple(missing),
        incomplete=tuple(incomplete),
        unknown=tuple(unknown),
        altered=tuple(altered),
        duplicates=tuple(duplicates),
    )


