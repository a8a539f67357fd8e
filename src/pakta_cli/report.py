"""Verdicts -> what an auditor reads: a block per document in a terminal, one tab-separated line per
document when piped or saved, or JSON.

Kept apart from `pakta_cli.verify` so that the verifier returns values and never formats them, and
apart from `pakta_cli.cli.verify` so that the same presentation serves any caller (the CLI, the
demo, a web page). Nothing here prints: functions return text, renderables or JSON values.

Everything a person reads is in the run's language (`pakta_cli.i18n`): a verdict's reasons carry both
languages and the interface picks one; `--json` keeps both, so scripts never depend on it.

A terminal gets, per document, the file's whole name on its own line, the verdict, then one
indented line per signer and per reason, wrapped at word boundaries to the terminal's width (a long
path folds at its slashes). Piped, each document is one line of tab-separated columns that never
change order (status, file, parties signed/required, signers, reasons), so `grep`, `cut -f` and
spreadsheets read them; the status column is the stable word scripts match on (VALID, INCOMPLETE,
FAIL) in either language, reasons are separated by ` | `.

A run over a whole region holds many documents, so presentation works from `Row`s (the few strings a
document shows) and JSON is written one document at a time (`json_document`) as verdicts arrive.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from pakta_cli.i18n import N_, _, current, ngettext
from pakta_cli.printable import visible
from pakta_cli.verify import RosterReport, SignatureVerdict, Status, Verdict
from pakta_cli.verify.verdict import NAMES_DIFFER, Message
from pakta_cli.zones import describe_time

STATUS_STYLE = {Status.VALID: "bold green", Status.INCOMPLETE: "bold yellow", Status.FAIL: "bold red"}
WEAK = N_("matched by name only, weak")


@dataclass(frozen=True)
class Signer:
    name: str
    key_id: str | None
    when: str | None  # in the zone the official signed in, as the stamp shows it
    ok: bool
    notes: tuple[str, ...]  # "matched by name only", "revoked 2026-11-02 10:00 WIB (key-compromise)"


@dataclass(frozen=True)
class Row:
    """One document as a person reads it."""

    path: str
    status: Status
    signed: int
    required: int  # 0 when the parties are unknown (not a pact)
    signers: tuple[Signer, ...]
    reasons: tuple[Message, ...]

    @classmethod
    def of(cls, verdict: Verdict) -> Row:
        """The strings a person reads, each made safe for a terminal (`printable.visible`): names, file
        names and reasons come from documents and certificates anyone can write."""
        signed = len({sig.field for sig in verdict.signatures if sig.party is not None})
        return cls(visible(verdict.path), verdict.status, signed, len(verdict.parties),
                   tuple(_signer(sig) for sig in verdict.signatures),
                   tuple(Message(m.key, visible(m.id), visible(m.en)) for _, m in verdict.failures))

    @property
    def parties(self) -> str:
        return f"{self.signed}/{self.required}" if self.required else "-"


def _signer(sig: SignatureVerdict) -> Signer:
    notes = []
    if sig.match == "name":
        notes.append(_(WEAK))
    elif any(m.key == NAMES_DIFFER for check in sig.checks if check.name == "party" for m in check.messages):
        notes.append(_("the pact names {party}").format(party=sig.party))
    if sig.attested is not None:
        notes.append(_("time attested by {authority}").format(authority=sig.authority))
    elif sig.existed_by is not None:
        notes.append(_("existed by {when}, archive timestamp of {authority}").format(
            when=_as_signed(sig, sig.existed_by), authority=sig.existed_by_authority))
    if sig.revoked is not None:
        when, reason = sig.revoked
        said = _("revoked {when}").format(when=_as_signed(sig, when)) + (f" ({reason})" if reason else "")
        # a revocation a timestamp dates after the signature leaves it standing: say so where it is read
        notes.append(_("{revoked}, after the timestamp: the signature stands").format(revoked=said) if sig.ok
                     else said)
    return Signer(visible(sig.signer or "?"), visible(sig.key_id) if sig.key_id else None,
                  describe_time(sig.signing_time) if sig.signing_time else None, sig.ok,
                  tuple(visible(note) for note in notes))


def _as_signed(sig: SignatureVerdict, moment: dt.datetime) -> str:
    """A moment in the zone the official signed in, as the stamp shows times."""
    return describe_time(moment.astimezone(sig.signing_time.tzinfo) if sig.signing_time else moment)


def status_label(status: Status) -> str:
    """SAH, BELUM LENGKAP, GAGAL under Indonesian; VALID, INCOMPLETE, FAIL under English."""
    return status.indonesian if current() == "id" else status.value


# -- a terminal ---------------------------------------------------------------------------------


def _fold_path(path: str, width: int) -> list[str]:
    """A path on as few lines as `width` allows, broken after a slash (never inside a name that fits)."""
    if len(path) <= width:
        return [path]
    lines, line = [], ""
    for part in path.replace("/", "/\0").split("\0"):
        while len(part) > width:  # one name longer than the screen: folded where it must be
            if line:
                lines.append(line)
                line = ""
            lines.append(part[:width])
            part = part[width:]
        if len(line) + len(part) > width:
            lines.append(line)
            line = part
        else:
            line += part
    if line:
        lines.append(line)
    return lines


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=rest,
                         break_long_words=True, break_on_hyphens=False) or [first.rstrip()]


def block(row: Row, width: int = 80) -> Text:
    """One document for a terminal `width` columns wide (see the module docstring)."""
    width = max(width, 40)
    out = Text()
    for line in _fold_path(row.path, width):
        out.append(line + "\n", style="bold")
    head = status_label(row.status)
    out.append("  ")
    out.append(head, style=STATUS_STYLE[row.status])
    if row.required:
        out.append("  " + _("{signed}/{required} parties signed").format(signed=row.signed, required=row.required))
    out.append("\n")
    for signer in row.signers:
        mark = "+" if signer.ok else "x"
        details = " ".join(part for part in (f"[{signer.key_id}]" if signer.key_id else "", signer.when or "") if part)
        for line in _wrap(f"{signer.name} {details}".strip(), width, f"  {mark} ", "      "):
            out.append(line + "\n", style="" if signer.ok else "red")
        for note in signer.notes:
            for line in _wrap(note, width, "      ", "      "):
                out.append(line + "\n", style="yellow")
    language = current()
    for message in row.reasons:
        for line in _wrap(message.text(language), width, "  - ", "    "):
            out.append(line + "\n")
    return out


def blocks(rows: Iterable[Row | Verdict], width: int = 80) -> RenderableType:
    return Group(*(block(Row.of(r) if isinstance(r, Verdict) else r, width) for r in rows))


# -- piped --------------------------------------------------------------------------------------

COLUMNS = ("status", "file", "parties", "signers", "reasons")


def _cell(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def line(row: Row | Verdict) -> str:
    """One document as one line of tab-separated columns (`COLUMNS`), whole reasons included."""
    row = Row.of(row) if isinstance(row, Verdict) else row
    signers = "; ".join(_cell(" ".join(p for p in (s.name, f"[{s.key_id}]" if s.key_id else "", s.when or "",
                                                       *(f"({n})" for n in s.notes)) if p))
                        for s in row.signers)
    language = current()
    reasons = " | ".join(_cell(m.text(language)) for m in row.reasons)
    return "\t".join((row.status.value, _cell(row.path), row.parties, signers or "-", reasons or "-"))


def plain(rows: Iterable[Row | Verdict]) -> str:
    return "\n".join(line(row) for row in rows)


# -- the run as a whole -------------------------------------------------------------------------


def summary(statuses: Iterable[Status], roster: RosterReport | None = None) -> Text:
    """`N documents: V VALID, I INCOMPLETE, F FAIL` (`N dokumen: V SAH, ...`), and the roster's state with a
    manifest."""
    counts = Counter(statuses)
    total = sum(counts.values())
    text = Text(ngettext("{count} document: ", "{count} documents: ", total).format(count=total))
    for index, status in enumerate(Status):
        if index:
            text.append(", ")
        number = counts.get(status, 0)
        text.append(f"{number} {status_label(status)}", style=STATUS_STYLE[status] if number else "")
    if roster is not None:
        text.append(_("; roster: "))
        text.append(_("complete") if roster.ok else _("INCOMPLETE"), style="green" if roster.ok else "bold red")
    return text


def roster_lines(roster: RosterReport, width: int = 80) -> Text:
    """The roster's completeness, one paragraph per kind of problem, each naming the files."""
    out = Text(_("Roster {manifest}: {present}/{expected} pacts present").format(
        manifest=visible(roster.manifest), present=roster.present, expected=roster.expected) + "\n")
    for label, files in (
        (N_("{count} missing from the folder: {files}"), roster.missing),
        (N_("{count} not fully signed: {files}"), roster.incomplete),
        (N_("{count} not in the manifest: {files}"), roster.unknown),
        (N_("{count} not the pact the manifest lists (rendered bytes differ): {files}"), roster.altered),
        (N_("{count} more than one file for the same pact: {files}"), roster.duplicates),
    ):
        if files:
            more = f", ... (+{len(files) - 20})" if len(files) > 20 else ""
            shown = ", ".join(visible(f) for f in files[:20]) + more
            for text_line in _wrap(_(label).format(count=len(files), files=shown), width, "  ", "    "):
                out.append(text_line + "\n", style="red")
    return out


def json_document(verdict: Verdict) -> str:
    """One document's every check, as one line of JSON (an item of the `documents` array)."""
    return json.dumps(verdict.to_json(), ensure_ascii=False)


def json_tail(statuses: Sequence[Status] | Counter[Status], roster: RosterReport | None = None, *,
              allow_incomplete: bool = False) -> dict[str, Any]:
    """What follows the documents: the summary and, with a batch manifest, the roster."""
    counts = statuses if isinstance(statuses, Counter) else Counter(statuses)
    failed = counts.get(Status.FAIL, 0) + (0 if allow_incomplete else counts.get(Status.INCOMPLETE, 0))
    out: dict[str, Any] = {"summary": {
        "documents": sum(counts.values()), "valid": counts.get(Status.VALID, 0),
        "incomplete": counts.get(Status.INCOMPLETE, 0), "failed": counts.get(Status.FAIL, 0),
        "ok": failed == 0 and (roster is None or roster.ok)}}
    if roster is not None:
        out["roster"] = roster.to_json()
    return out
