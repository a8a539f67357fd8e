"""Verdicts -> what an auditor reads: a rich table (plain when piped or NO_COLOR is set) or JSON.

Kept apart from `pakta_cli.verify` so that the verifier returns values and never formats them, and
apart from `pakta_cli.cli.verify` so that the same presentation serves any caller (the CLI, a
notebook, a web service). Nothing here prints: functions return renderables, text or JSON values.

A run over a whole region holds many documents, so the table is built from `Row`s (the few strings a
row shows, a few hundred bytes) rather than from the Verdicts themselves, and JSON is written one
document at a time (`json_document`) by the caller as verdicts arrive.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from pakta_cli.verify import RosterReport, SignatureVerdict, Verdict
from pakta_cli.zones import describe_time


@dataclass(frozen=True)
class Row:
    """One document as the table shows it."""

    path: str
    ok: bool
    parties: str  # "signed/required", or "-" when the parties are unknown
    signers: tuple[tuple[str, tuple[str, ...]], ...]  # (who, ("[key id]", time, any warning))
    reasons: tuple[str, ...]

    @classmethod
    def of(cls, verdict: Verdict) -> Row:
        signed = len({sig.field for sig in verdict.signatures if sig.party is not None})
        return cls(
            path=verdict.path,
            ok=verdict.ok,
            parties=f"{signed}/{len(verdict.parties)}" if verdict.parties else "-",
            signers=tuple(_signer_line(sig) for sig in verdict.signatures),
            reasons=tuple(line for reason in verdict.reasons for line in _reason_lines(reason)),
        )


def _signer_line(sig: SignatureVerdict) -> tuple[str, tuple[str, ...]]:
    """The signer, and `[key id] time` with a warning when only the name tied them to the party."""
    details = []
    if sig.key_id:
        details.append(f"[{sig.key_id}]")
    if sig.signing_time:
        details.append(describe_time(sig.signing_time))
    if sig.match == "name":
        details.append("(cocok nama saja, lemah / matched by name only, weak)")
    return sig.signer or "?", tuple(details)


def _reason_lines(reason: str) -> list[str]:
    """One reason as one item; a list of changes (`a; b`) becomes one item per change."""
    return [f"- {part}" for part in reason.split("; ")]


def table(rows: Sequence[Row | Verdict], *, wrap: bool = True) -> Table:
    """One row per document: file, verdict, parties signed, signers (key id, time), reasons.

    Takes Verdicts, or the Rows made from them when many documents are shown (see `Row`).

    `wrap=True` fits a terminal, giving the reasons most of the width. `wrap=False` is for output
    that is piped or saved: no cell wraps, so every reason stays whole on one line for grep and
    diff (see `plain`).
    """
    # In a terminal the headings take two lines (Indonesian over English) and each signer two (name
    # over key id and time), so the reasons get the width; piped, everything stays on one line.
    between = "\n" if wrap else " / "
    grid = Table(box=box.SIMPLE_HEAD, expand=wrap, pad_edge=False, leading=int(wrap))
    grid.add_column(f"Berkas{between}File", overflow="fold", ratio=2 if wrap else None, min_width=10,
                    no_wrap=not wrap)
    grid.add_column(f"Hasil{between}Verdict", no_wrap=True)
    grid.add_column(f"Pihak{between}Parties", no_wrap=True, justify="right")
    # wide enough for an indented key id or signing time on one line; names wrap at spaces
    grid.add_column(f"Penanda tangan{between}Signers", overflow="fold", width=24 if wrap else None, no_wrap=not wrap)
    grid.add_column(f"Alasan{between}Reasons", overflow="fold", ratio=4 if wrap else None, min_width=20,
                    no_wrap=not wrap)
    for index, item in enumerate(rows):
        row = Row.of(item) if isinstance(item, Verdict) else item
        signers = Text()
        for number, (who, details) in enumerate(row.signers):
            signers.append("\n" if number else "")
            signers.append(who)
            for detail in details:
                signers.append(("\n  " if wrap else " ") + detail, style="dim" if wrap else "")
        grid.add_row(
            Text(row.path),
            Text("VALID" if row.ok else "FAIL", style="bold green" if row.ok else "bold red"),
            Text(row.parties),
            signers if row.signers else Text("-"),
            Text("\n".join(row.reasons) or "-"),
            end_section=index < len(rows) - 1 and bool(row.reasons or len(row.signers) > 1),
        )
    return grid


def plain(rows: Sequence[Row | Verdict]) -> str:
    """The table as plain text exactly as wide as its longest line: no colour, no wrapping, no
    trailing spaces."""
    grid = table(rows, wrap=False)
    width = Console(width=100_000).measure(grid).maximum
    console = Console(width=width, highlight=False, no_color=True)
    with console.capture() as captured:
        console.print(grid)
    return "\n".join(line.rstrip() for line in captured.get().splitlines()).strip("\n")


def summary(verdicts: Sequence[Verdict] = (), roster: RosterReport | None = None, *,
            counts: tuple[int, int] | None = None) -> Text:
    """`N documents: V VALID, F FAIL`, from the verdicts or from (valid, failed) counts."""
    valid, failed = counts if counts is not None else (sum(v.ok for v in verdicts), sum(not v.ok for v in verdicts))
    text = Text(f"{valid + failed} dokumen / documents: ")
    text.append(f"{valid} VALID", style="green" if valid else "")
    text.append(", ")
    text.append(f"{failed} FAIL", style="bold red" if failed else "")
    if roster is not None:
        text.append("; daftar / roster: ")
        text.append("lengkap / complete" if roster.ok else "TIDAK LENGKAP / INCOMPLETE",
                    style="green" if roster.ok else "bold red")
    return text


def roster_lines(roster: RosterReport) -> RenderableType:
    """The roster's completeness, one line per kind of problem, each naming the files."""
    lines: list[Text] = [Text(f"Daftar / Roster {roster.manifest}: {roster.present}/{roster.expected} "
                              "pakta ada / pacts present")]
    for label, files in (
        (("tidak ada di folder", "missing from the folder"), roster.missing),
        (("belum ditandatangani lengkap", "not fully signed"), roster.incomplete),
        (("tidak ada di manifest", "not in the manifest"), roster.unknown),
        (("berbeda dari yang dirender", "not the pact the manifest lists (rendered bytes differ)"), roster.altered),
        (("lebih dari satu berkas untuk pakta yang sama", "more than one file for the same pact"), roster.duplicates),
    ):
        if files:
            shown = ", ".join(files[:20]) + (f", ... (+{len(files) - 20})" if len(files) > 20 else "")
            lines.append(Text(f"  {len(files)} {label[0]} / {label[1]}: {shown}", style="red"))
    return Group(*lines)


def json_document(verdict: Verdict) -> str:
    """One document's every check, as one line of JSON (an item of the `documents` array)."""
    return json.dumps(verdict.to_json(), ensure_ascii=False)


def json_tail(valid: int, failed: int, roster: RosterReport | None = None) -> dict[str, Any]:
    """What follows the documents: the summary and, with a batch manifest, the roster."""
    out: dict[str, Any] = {"summary": {"documents": valid + failed, "valid": valid, "failed": failed,
                                       "ok": failed == 0 and (roster is None or roster.ok)}}
    if roster is not None:
        out["roster"] = roster.to_json()
    return out
