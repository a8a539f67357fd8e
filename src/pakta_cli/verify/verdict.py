"""Verdicts as values: what each check found, in words an auditor reads, in two languages.

A reason is a `Message`: a stable key that scripts match on, and the same sentence in Indonesian
and in English. The two stay together in one value from the check that writes them to the table or
JSON that shows them: nothing joins them into one string to split them again later.

A document is VALID when every check holds; INCOMPLETE when the only thing missing is a party's
signature (every signature present is valid, nothing changed, the pact is as rendered): the state
of a pact while an office collects signatures; FAIL otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

SIGNATURE_CHECKS = ("byte_range", "digest", "signature", "timestamp", "trusted", "valid_at_signing_time", "not_revoked",
                    "party", "stamp")
# What any PDF signature is checked for; a PDF that is not a pact gets these only (no party, no stamp)
FOREIGN_SIGNATURE_CHECKS = tuple(check for check in SIGNATURE_CHECKS if check not in ("party", "stamp"))
ATTESTED = "attested by a timestamp authority"
NAMES_DIFFER = "names_differ"  # the party check's note: a signer matched by number under another name
CLAIMED = "claimed by the signer"
DOCUMENT_CHECKS = ("readable", "pact", "all_parties_signed", "signing_order", "unchanged_after_signing", "as_rendered",
                   "embedded_hashes", "definition", "reproduces")
COLLECTING = "all_parties_signed"  # the one check whose failure alone leaves a pact INCOMPLETE, not FAIL


@dataclass(frozen=True)
class Message:
    """One reason, with a stable key and the same words in Indonesian (`id`) and English (`en`)."""

    key: str
    id: str
    en: str

    def text(self, language: str | None = None) -> str:
        """The message in one language, or both (`Indonesian / English`) when none is asked for."""
        if language == "id":
            return self.id
        if language == "en":
            return self.en
        return f"{self.id} / {self.en}"

    def to_json(self) -> dict[str, str]:
        return {"key": self.key, "id": self.id, "en": self.en}

    def prefixed(self, id_prefix: str, en_prefix: str) -> Message:
        return Message(self.key, f"{id_prefix}{self.id}", f"{en_prefix}{self.en}")


def say(key: str, indonesian: str, english: str) -> Message:
    return Message(key, indonesian, english)


class Status(StrEnum):
    VALID = "VALID"
    INCOMPLETE = "INCOMPLETE"
    FAIL = "FAIL"

    @property
    def indonesian(self) -> str:
        return {"VALID": "SAH", "INCOMPLETE": "BELUM LENGKAP", "FAIL": "GAGAL"}[self.value]


@dataclass(frozen=True)
class Check:
    """One named check: whether it holds, and the messages that say what it found."""

    name: str  # a stable id: SIGNATURE_CHECKS and DOCUMENT_CHECKS
    ok: bool
    messages: tuple[Message, ...]

    @classmethod
    def passed(cls, name: str, message: Message) -> Check:
        return cls(name, True, (message,))

    @classmethod
    def failed(cls, name: str, *messages: Message) -> Check:
        return cls(name, False, tuple(dict.fromkeys(messages)))

    @property
    def detail(self) -> str:
        """Every message, both languages, one after the other (for logs and tests)."""
        return "; ".join(m.text() for m in self.messages)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "messages": [m.to_json() for m in self.messages]}


@dataclass(frozen=True)
class SignatureVerdict:
    field: str | None
    party: str | None
    signer: str | None
    key_id: str | None
    signing_time: dt.datetime | None
    match: str  # how the signer was matched to the party: "key_id" | "nip" | "nik" | "name" (weak) | "none"
    checks: tuple[Check, ...]
    revoked: tuple[dt.datetime, str | None] | None = None  # when and why the certificate was revoked
    revision: int | None = None  # the revision of the file that added this signature (the rendered one is 1)
    attested: dt.datetime | None = None  # the time a trusted timestamp authority attests, when one does
    authority: str | None = None  # that authority's name
    existed_by: dt.datetime | None = None  # without its own timestamp: the archive timestamp over it, if one holds
    existed_by_authority: str | None = None

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def time_source(self) -> str:
        """Whose word the signing time the checks judged by rests on (`ATTESTED` or `CLAIMED`)."""
        return ATTESTED if self.attested is not None else CLAIMED

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "party": self.party,
            "signer": self.signer,
            "key_id": self.key_id,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "time_source": self.time_source,
            "timestamp": {"time": self.attested.isoformat(), "authority": self.authority} if self.attested else None,
            "existed_by": {"time": self.existed_by.isoformat(), "authority": self.existed_by_authority}
            if self.existed_by else None,
            "match": self.match,
            "revision": self.revision,
            "ok": self.ok,
            "checks": [check.to_json() for check in self.checks],
        }


@dataclass(frozen=True)
class Verdict:
    path: str
    signatures: tuple[SignatureVerdict, ...]
    checks: tuple[Check, ...]  # the document's own checks
    parties: tuple[str, ...] = ()  # the names of the parties the embedded manifest says must sign
    pending: tuple[str, ...] = ()  # the parties who have not signed yet
    pact_id: str | None = None  # `pakta_cli.pactfile.pact_id` of the revision the first signer was handed

    @property
    def status(self) -> Status:
        failed = [c.name for c in self.checks if not c.ok]
        if not failed and all(sig.ok for sig in self.signatures):
            return Status.VALID
        if failed == [COLLECTING] and all(sig.ok for sig in self.signatures):
            return Status.INCOMPLETE
        return Status.FAIL

    @property
    def ok(self) -> bool:
        """VALID only when every check of the document and of every signature holds."""
        return self.status is Status.VALID

    @property
    def failures(self) -> tuple[tuple[str, Message], ...]:
        """(check name, message) of every failed check, the document's first, each message once."""
        found: dict[tuple[str, Message], None] = {}
        for check in self.checks:
            if not check.ok:
                found.update(((check.name, m), None) for m in check.messages)
        for sig in self.signatures:
            for check in sig.checks:
                if not check.ok:
                    found.update(((check.name, m), None) for m in check.messages)
        return tuple(found)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Every failure as `Indonesian / English`, one string per message."""
        return tuple(message.text() for _, message in self.failures)

    def check(self, name: str) -> Check | None:
        """The document check called `name`, if it was run."""
        return next((c for c in self.checks if c.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "pact_id": self.pact_id,
            "status": self.status.value,
            "verdict": self.status.value,
            "ok": self.ok,
            "reasons": [{"check": name, **m.to_json()} for name, m in self.failures],
            "parties": list(self.parties),
            "pending": list(self.pending),
            "checks": [check.to_json() for check in self.checks],
            "signatures": [sig.to_json() for sig in self.signatures],
        }
