"""Signed pact -> frozen Verdict: every check of every signature and of the document, by name.

The verifier reads the file's bytes with pakta's own strict reader (`pakta_cli.pdf.reader`) and
judges them against pakta's own writer: a VALID pact holds only bytes pakta writes, the rendered
revision in pakta's PDF dialect (`verify.shape`), each signing revision exactly what `pakta sign`
appends (`verify.revisions`). So a VALID means the same for every PDF reader a person later opens
the file with. On top of that form, each signature is checked (`verify.signature`), and the
document's own facts (`verify.document`).

Why not pyHanko's validator: its difference analysis accepts, after an approval signature, form
filling and new signature fields; a pact allows none. And speed: a national audit verifies
millions of pacts; here a pact is parsed once and the signature maths is one Ed25519 verify.

The library never prints: `verify_bytes` returns a Verdict for any input (a file that cannot be read
is a Verdict with a failed `readable` check), and only `pakta_cli.cli.verify` presents it.

Modules: `verdict` (the values), `policy` (what the auditor trusts), `pact` (reading the rendered
revision), `shape` (as_rendered), `revisions` (unchanged_after_signing), `signature` (per
signature), `document` (the document's checks), `roster` (a batch's completeness).
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pakta_cli import pactfile
from pakta_cli.parallel import run_parallel
from pakta_cli.pdf.reader import Document
from pakta_cli.pdf.syntax import PdfError
from pakta_cli.verify.document import (
    all_parties_check,
    definition_check,
    embedded_check,
    pending_parties,
    reproduce_check,
    signing_order_check,
)
from pakta_cli.verify.pact import NO_MANIFEST, Pact
from pakta_cli.verify.policy import Policy
from pakta_cli.verify.revisions import Revisions
from pakta_cli.verify.roster import RosterReport, check_roster
from pakta_cli.verify.shape import as_rendered_check
from pakta_cli.verify.signature import SignatureCheck
from pakta_cli.verify.verdict import (
    DOCUMENT_CHECKS,
    FOREIGN_SIGNATURE_CHECKS,
    SIGNATURE_CHECKS,
    Check,
    Message,
    SignatureVerdict,
    Status,
    Verdict,
    say,
)

if TYPE_CHECKING:
    from pakta_cli.timestamps import Attested

MAX_FILE_SIZE = 256 << 20  # a pact is tens of kilobytes; a logo may make it a few megabytes

# The checks that hold or fail whoever the reader trusts: what an official can ask of a pact before
# adding a signature to it (sign never puts a signature on a pact that was changed after rendering).
# What is wrong with a timestamp token whoever trusts its authority: it sits outside every byte range, so
# anyone may swap it, and a later signature must not be made over a damaged one (nor an archive).
# "cannot_check": a timestamp check that stopped on what the token holds.
TOKEN_DAMAGE = ("timestamp_damaged", "timestamp_imprint", "timestamp_no_certificate", "timestamp_usage",
                "cannot_check")
INTEGRITY_CHECKS = ("readable", "signing_order", "unchanged_after_signing", "as_rendered", "embedded_hashes",
                    "byte_range", "digest", "signature", "party", "stamp")

__all__ = [
    "DOCUMENT_CHECKS", "INTEGRITY_CHECKS", "SIGNATURE_CHECKS", "Check", "Message", "Policy", "RosterReport",
    "SignatureVerdict", "Status", "Verdict", "check_roster", "fully_signed", "integrity_problems", "read_pact",
    "verify_bytes", "verify_file", "verify_paths",
]


def verify_file(path: Path, policy: Policy) -> Verdict:
    """Verify one file; a file that cannot be read is a failed Verdict, not an exception."""
    return _verify_path(path, policy)[0]


def verify_bytes(data: bytes, policy: Policy, *, name: str = "<bytes>") -> Verdict:
    """Verify a PDF given as bytes; never raises for bad PDF input."""
    return _verify(data, policy, name)[0]


def integrity_problems(data: bytes, name: str = "<bytes>", pact: Pact | None = None) -> list[Message]:
    """Why this pact is not as rendered and signed so far, trust aside; empty when it is.

    `pact`, when the caller has read `data` already (as sign has), is not read again.
    """
    verdict = _verify(data, Policy(()), name, pact)[0]
    return [message for check, message in verdict.failures
            if check in INTEGRITY_CHECKS or (check == "timestamp" and message.key in TOKEN_DAMAGE)
            or (check == "archive_timestamp" and message.key.removeprefix("archive_") in TOKEN_DAMAGE)]


def read_pact(data: bytes) -> Pact:
    """The pact a PDF holds, read as verify reads it (raises PdfError for a PDF it cannot read)."""
    return Pact(Document(data))


def fully_signed(verdict: Verdict) -> bool:
    """Whether every party the pact names has signed (whatever the other checks say)."""
    check = verdict.check("all_parties_signed")
    return check is not None and check.ok


def verify_paths(
    paths: Sequence[Path], policy: Policy, *, jobs: int, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[int, Verdict, str | None]]:
    """Verify many files over `jobs` processes, yielding (index, verdict, sha256 of the rendered revision).

    The sha256 is what a batch manifest records for the file as rendered, before any signature.
    """
    work = functools.partial(_verify_path_str, policy=policy)
    for index, (verdict, digest) in run_parallel(work, [str(p) for p in paths], jobs=jobs, chunk=16):
        if progress:
            progress(1)
        yield index, verdict, digest


def _verify_path_str(path: str, *, policy: Policy) -> tuple[Verdict, str | None]:
    return _verify_path(Path(path), policy)


def _unreadable(name: str, message: Message) -> Verdict:
    return Verdict(name, (), (Check.failed("readable", message),))


def _verify_path(path: Path, policy: Policy) -> tuple[Verdict, str | None]:
    try:
        # opened without blocking and checked before reading: a FIFO named x.pdf must not hang a run
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return _unreadable(str(path), say("not_a_file", "bukan berkas biasa", "not a regular file")), None
            if info.st_size > MAX_FILE_SIZE:
                return _unreadable(str(path), say("too_large", "berkas terlalu besar untuk sebuah pakta",
                                                  f"the file is too large for a pact ({info.st_size} bytes)")), None
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(MAX_FILE_SIZE + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return _unreadable(str(path), say("cannot_read", "berkas tidak dapat dibaca",
                                          f"cannot read the file: {reason}")), None
    return _verify(data, policy, str(path))


def _verify(data: bytes, policy: Policy, name: str, pact: Pact | None = None) -> tuple[Verdict, str | None]:
    """Verify one document; whatever happens, the answer is a Verdict (a bug is a FAIL, not a crash).

    In a national audit one strange file must not stop a run over millions; a failure of the
    verifier itself is reported as that document's reason, never as VALID.
    """
    try:
        return _verify_read(data, pact, policy, name) if pact is not None else _verify_document(data, policy, name)
    except Exception as exc:
        return _unreadable(name, say("internal_error", "pemeriksaan terhenti karena galat pada pakta",
                                     f"verification stopped by an error in pakta: {type(exc).__name__}: {exc} "
                                     "(please report it)")), None


def _verify_document(data: bytes, policy: Policy, name: str) -> tuple[Verdict, str | None]:
    if len(data) > MAX_FILE_SIZE:
        return _unreadable(name, say("too_large", "berkas terlalu besar untuk sebuah pakta",
                                     f"the file is too large for a pact ({len(data)} bytes)")), None
    try:
        doc = Document(data)
        pact = Pact(doc)
    except (PdfError, RecursionError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        if not data:
            return _unreadable(name, say("empty", "berkas kosong", "the file is empty")), None
        if not data.startswith(b"%PDF-"):
            return _unreadable(name, say("not_pdf", "bukan berkas PDF", "not a PDF file")), None
        return _unreadable(name, say("damaged", "PDF rusak atau terpotong", f"damaged or truncated PDF: {exc}")), None
    return _verify_read(data, pact, policy, name)


def _verify_read(data: bytes, pact: Pact, policy: Policy, name: str) -> tuple[Verdict, str | None]:
    """The checks of a document that has been read (`pact.doc` holds `data`)."""
    doc = pact.doc
    revisions = Revisions(doc, pact)
    if pact.manifest_problem is not None and pact.manifest_problem.key == NO_MANIFEST:
        return _foreign(doc, pact, revisions, policy, name)
    judged = policy.with_archived(revisions.archived) if revisions.archived else policy
    proofs: dict[int, Attested | None] = {}  # by signature: the archive timestamp it existed by
    stamped: list[Check] = []
    if revisions.timestamps:  # PAdES B-LTA: loaded only for a pact that has one
        from pakta_cli.verify.archive import archive_timestamps, existed_by

        check, held = archive_timestamps(data, revisions.timestamps, judged)
        stamped.append(check)
        proofs = {slot.sig: existed_by(slot.revision, held) for slot in revisions.slots}
    signatures = tuple(SignatureCheck(doc, pact, slot, judged, existed_by=proofs.get(slot.sig)).run()
                       for slot in revisions.slots)
    count = len(doc.revisions)
    checks = [
        Check.passed("readable", say("readable", f"PDF terbaca, {count} revisi", f"PDF readable, {count} revision(s)")),
        all_parties_check(pact, signatures),
        signing_order_check(pact, signatures),
        revisions.check(),
        *stamped,
        as_rendered_check(pact),
        embedded_check(pact),
    ]
    if policy.definition is not None:
        checks.append(definition_check(pact, policy.definition, policy.definition_logo))
    if policy.reproduce:
        checks.append(reproduce_check(pact, data[: revisions.unsigned_end], policy))
    unsigned = hashlib.sha256(data[: revisions.unsigned_end]).hexdigest()
    parties = tuple(p.name for p in pact.parties)
    return Verdict(name, signatures, tuple(checks), parties, tuple(pending_parties(pact, signatures)),
                   unsigned[: pactfile.PACT_ID_LENGTH]), unsigned


def _foreign(doc: Document, pact: Pact, revisions: Revisions, policy: Policy, name: str) -> tuple[Verdict, str | None]:
    """A PDF that carries no pakta manifest (signed with `pakta sign --any-pdf`, or by another tool).

    It is not a pact, so it is never VALID, and that is the one reason given: the checks that
    hold a pact to what pakta renders and signs would only list, as if they were attacks, the ways
    another program writes PDF. Its signatures get the checks any PDF signature has (byte range,
    digest, signature, trust, validity, revocation), so an auditor still learns who signed it and
    whether those bytes are what they signed.
    """
    signatures = tuple(SignatureCheck(doc, pact, slot, policy, FOREIGN_SIGNATURE_CHECKS).run()
                       for slot in revisions.slots)
    count = len(doc.revisions)
    then = (("hanya tanda tangannya yang diperiksa", "only its signatures were checked") if signatures
            else ("dan tidak ada tanda tangan di dalamnya", "and it holds no signature"))
    checks = (
        Check.passed("readable", say("readable", f"PDF terbaca, {count} revisi", f"PDF readable, {count} revision(s)")),
        Check.failed("pact", say("not_a_pact",
                                 "bukan pakta: PDF ini tidak dirender oleh pakta (tidak ada manifest pakta); "
                                 f"{then[0]}",
                                 f"not a pact: pakta did not render this PDF (it carries no pakta manifest); "
                                 f"{then[1]}")),
    )
    unsigned = hashlib.sha256(doc.data[: revisions.unsigned_end]).hexdigest()
    return Verdict(name, signatures, checks, pact_id=unsigned[: pactfile.PACT_ID_LENGTH]), unsigned
