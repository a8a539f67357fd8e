"""Verdicts -> what an auditor reads: a rich table (plain when piped or NO_COLOR is set) or JSON.

Kept apart from `pakta_cli.verify` so that the verifier returns values and never formats them, and
apart from `pakta_cli.cli.verify` so that the same presentation serves any caller (the CLI, a
notebook, a web service). Nothing here prints: functions return renderables or JSON-ready values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from pakta_cli.verify import RosterReport, SignatureVerdict, Verdict


def verdict_word(verdict: Verdict) -> str:
    return "VALID" if verdict.ok else "FAIL"


def _signer_line(sig: SignatureVerdict) -> str:
    """`Name [key id] time`, and a warning when only the name tied the signer to the party."""
    line = sig.signer or "?"
    if sig.key_id:
        line += f" [{sig.key_id}]"
    if sig.signing_time:
        line += " " + sig.signing_time.strftime("%Y-%m-%d %H:%M UTC")
    if sig.match == "name":
        line += " (cocok nama saja, lemah / matched by name only, weak)"
    return line


def _reason_lines(reason: str) -> list[str]:
    """One reason as one item; a list of changes (`a; b`) becomes one item per change."""
    return [f"- {part}" for part in reason.split("; ")]


def table(verdicts: Sequence[Verdict], *, wrap: bool = True) -> Table:
    """One row per document: file, verdict, parties signed, signers (key id, time), reasons.

    `wrap=True` fits a terminal, giving the reasons most of the width. `wrap=False` is for output
    that is piped or saved: no cell wraps, so every reason stays whole on one line for grep and
    diff; print it on a console as wide as the table measures.
    """
    grid = Table(box=box.SIMPLE_HEAD, expand=wrap, pad_edge=False)
    grid.add_column("Berkas / File", overflow="fold", ratio=2 if wrap else None, min_width=10, no_wrap=not wrap)
    grid.add_column("Hasil / Verdict", no_wrap=True)
    grid.add_column("Pihak / Parties", no_wrap=True, justify="right")
    grid.add_column("Penanda tangan / Signers", overflow="fold", ratio=2 if wrap else None, min_width=12,
                    no_wrap=not wrap)
    grid.add_column("Alasan / Reasons", overflow="fold", ratio=4 if wrap else None, min_width=20, no_wrap=not wrap)
    for index, verdict in enumerate(verdicts):
        signed = len({sig.field for sig in verdict.signatures if sig.party is not None})
        count = f"{signed}/{len(verdict.parties)}" if verdict.parties else "-"
        signers = "\n".join(_signer_line(sig) for sig in verdict.signatures) or "-"
        reasons = "\n".join(line for reason in verdict.reasons for line in _reason_lines(reason)) or "-"
        grid.add_row(
            Text(verdict.path),
            Text(verdict_word(verdict), style="bold green" if verdict.ok else "bold red"),
            Text(count),
            Text(signers),
            Text(reasons),
            end_section=index < len(verdicts) - 1 and bool(verdict.reasons or len(verdict.signatures) > 1),
        )
    return grid


def summary(verdicts: Sequence[Verdict], roster: RosterReport | None = None) -> Text:
    valid = sum(1 for v in verdicts if v.ok)
    failed = len(verdicts) - valid
    text = Text(f"{len(verdicts)} dokumen / documents: ")
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


def to_json(verdicts: Sequence[Verdict], roster: RosterReport | None = None) -> dict[str, Any]:
    """Every check of every document, for machines; the same facts the table shows, and more."""
    valid = sum(1 for v in verdicts if v.ok)
    out: dict[str, Any] = {
        "summary": {"documents": len(verdicts), "valid": valid, "failed": len(verdicts) - valid,
                    "ok": valid == len(verdicts) and (roster is None or roster.ok)},
        "documents": [v.to_json() for v in verdicts],
    }
    if roster is not None:
        out["roster"] = roster.to_json()
    return out
