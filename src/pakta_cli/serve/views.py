"""Verdicts as a web page reads them: the values the templates show, and the template engine itself.

The page says what `pakta verify` says, in the same words: the state (SAH / VALID, BELUM LENGKAP /
INCOMPLETE, GAGAL / FAIL), who signed and when (`report.Row`, as the terminal shows them), and every
reason with its Indonesian and English together. What the pact states about itself (title,
institution, parties and their positions) comes beside it from `facts`.

Escaping is Jinja's autoescape, on for every template; a `finalize` hook masks any NIK in any value
a template prints (`facts.mask_nik`), so no page can show a whole one whatever a template does.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from pakta_cli.report import Row, Signer
from pakta_cli.serve.facts import Facts, mask_nik
from pakta_cli.serve.worker import Outcome
from pakta_cli.verify import Check, Message, Status, Verdict
from pakta_cli.verify.verdict import say

SUMMARY = {
    Status.VALID: ("Semua pihak telah menandatangani, setiap tanda tangan sah dan dipercaya, dan dokumen tidak "
                   "berubah sejak ditandatangani.",
                   "Every party has signed, every signature is valid and trusted, and the document has not "
                   "changed since it was signed."),
    Status.INCOMPLETE: ("Tanda tangan yang ada sah dan dokumen tidak berubah, tetapi belum semua pihak "
                        "menandatangani.",
                        "The signatures present are valid and nothing changed, but not every party has "
                        "signed yet."),
    Status.FAIL: ("Dokumen ini tidak dapat dinyatakan sah. Alasannya tertulis di bawah.",
                  "This document cannot be accepted as valid. The reasons are listed below."),
}
ROLES = {"signer": ("Penanda tangan", "Signer"), "superior": ("Atasan", "Superior"), "witness": ("Saksi", "Witness")}
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
STATIC = ("app.css", "app.js", "icon.svg")


@dataclass(frozen=True)
class PartyView:
    role: tuple[str, str]  # (Indonesian, English)
    name: str
    nip: str | None  # grouped as it is printed: 19860926 201505 1 001
    nik: str | None  # masked
    position: str | None
    signed: str  # "valid" | "invalid" (a signature is there and fails a check) | "missing"


@dataclass(frozen=True)
class VerdictView:
    status: Status
    summary: tuple[str, str]
    name: str
    pact_id: str | None
    facts: Facts | None
    place_date: str | None
    parties: tuple[PartyView, ...]
    signers: tuple[Signer, ...]
    reasons: tuple[Message, ...]

    @property
    def pages(self) -> int:
        return self.facts.pages if self.facts else 0


def verdict_view(outcome: Outcome) -> VerdictView:
    verdict, facts = outcome.verdict, outcome.facts
    row = Row.of(verdict)
    signed = {sig.field: "valid" if sig.ok else "invalid" for sig in verdict.signatures if sig.party is not None}
    parties = tuple(PartyView(ROLES.get(p.role, (p.role, p.role)), p.name, group_nip(p.nip), p.nik, p.position,
                              signed.get(p.field, "missing")) for p in (facts.parties if facts else ()))
    place_date = ", ".join(part for part in (facts.place, long_date(facts.date)) if part) if facts else None
    return VerdictView(verdict.status, SUMMARY[verdict.status], verdict.path, verdict.pact_id, facts,
                       place_date or None, parties, row.signers, row.reasons)


def failed_verdict(name: str, key: str, indonesian: str, english: str) -> Outcome:
    """A FAIL for a file the server could not judge (too slow, a worker that died): never a VALID."""
    return Outcome(Verdict(name, (), (Check.failed("readable", say(key, indonesian, english)),)), None)


def group_nip(nip: str | None) -> str | None:
    """An 18-digit NIP as it is printed, `19860926 201505 1 001`; anything else as it is."""
    if nip and len(nip) == 18 and nip.isdigit():
        return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    return nip


def long_date(value: str | None) -> str | None:
    """`2024-01-02` -> `2 Januari 2024`; anything that is not such a date as it is."""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return value
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, Markup):
        return mask_nik(value)
    return value


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pakta_cli.serve", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["assets"] = asset_versions()
    return env


@functools.cache
def static_files() -> dict[str, tuple[bytes, str]]:
    """The page's stylesheet and script, read once from the package: (bytes, content type) by name."""
    folder = resources.files("pakta_cli.serve") / "static"
    types = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
    return {name: ((folder / name).read_bytes(), types[name[name.rindex("."):]]) for name in STATIC}


def asset_versions() -> dict[str, str]:
    """A digest of each static file, put in its URL, so a browser never runs an old script with a new page."""
    return {name: hashlib.sha256(data).hexdigest()[:12] for name, (data, _) in static_files().items()}
