"""A structure-aware mutation fuzzer for `pakta verify`, checked against other PDF readers.

Mutants start from honest pacts (one and two parties, signed by pakta; with OpenSSL, the two-party
pact also after `pakta archive --tsa`, its store and archive timestamp) and change what readers
disagree about: cross-reference entries and subsection headers, trailer values, object headers and
generations, references, strings and their escapes, the page tree's /Count and /Kids, widgets and
their /Annots, white space, comments and keywords, bytes appended after the last revision. Half of
the mutants are made the way a signer or preparer would make them: the change goes into a revision
that is then signed with a real key (so the digest and signature hold and only the form can give
the forgery away), or into the rendered revision before anyone signs.

For every mutant pakta calls VALID, each reader must show exactly what it shows for the honest pact:
the same page count, and the same text on every page, in poppler (`pdftotext`), pypdf and MuPDF
(`mutool`, when installed). A mutant VALID with another reading is a *differential*: the bug class
issue 8 is about. `run` counts mutants, VALIDs and differentials; pytest runs it with a fixed seed
for about a minute (`tests/test_fuzz_verify.py`), `bench/fuzz_verify.py --minutes N` runs longer.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509

from pakta_cli import localtsa
from pakta_cli.verify import Policy, verify_bytes
from tests.attacks import identities, prepared
from tests.attacks.forge import forge
from tests.attacks.identities import Identity

Mutator = Callable[[random.Random, bytes], bytes]

# -- where things are ---------------------------------------------------------------------------


def _spans(pattern: bytes, data: bytes) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(pattern, data, re.S)]


def _pick(rng: random.Random, pattern: bytes, data: bytes) -> tuple[int, int] | None:
    spans = _spans(pattern, data)
    return rng.choice(spans) if spans else None


def _replace(data: bytes, span: tuple[int, int], new: bytes) -> bytes:
    return data[: span[0]] + new + data[span[1] :]


def _structure(data: bytes) -> list[tuple[int, int]]:
    """Everything but stream data: where a mutation changes what a reader parses."""
    spans, pos = [], 0
    for match in re.finditer(rb"stream\n.*?\nendstream", data, re.S):
        spans.append((pos, match.start() + 7))
        pos = match.end() - 10
    spans.append((pos, len(data)))
    return spans


# -- mutators: (rng, pdf) -> mutant --------------------------------------------------------------


def xref_offset(rng: random.Random, pdf: bytes) -> bytes:
    span = _pick(rng, rb"\d{10} \d{5} n", pdf)
    if span is None:
        return pdf
    offset = int(pdf[span[0] : span[0] + 10]) + rng.choice([-3, -1, 1, 2, 40, -40])
    return _replace(pdf, (span[0], span[0] + 10), b"%010d" % max(offset, 0))


def xref_subsection(rng: random.Random, pdf: bytes) -> bytes:
    span = _pick(rng, rb"\n(\d+) (\d+)\n(?=\d{10})", pdf)
    if span is None:
        return pdf
    first, count = pdf[span[0] + 1 : span[1] - 1].split()
    choice = rng.choice([b"%d %d" % (int(first) + 1, int(count)), b"%d %d" % (int(first), int(count) + 1),
                         first + b"  " + count, first + b" " + count + b" ", b"%d %d" % (int(first), 0)])
    return _replace(pdf, span, b"\n" + choice + b"\n")


def xref_entry_kind(rng: random.Random, pdf: bytes) -> bytes:
    span = _pick(rng, rb"\d{10} \d{5} [nf]( \n|\r\n| \r)", pdf)
    if span is None:
        return pdf
    entry = pdf[span[0] : span[1]]
    changed = rng.choice([entry[:17] + (b"f" if entry[17:18] == b"n" else b"n") + entry[18:],
                          entry[:11] + b"00001" + entry[16:], entry[:18] + b"\r\n", entry[:18] + b"\n"])
    return _replace(pdf, span, changed)


def trailer_value(rng: random.Random, pdf: bytes) -> bytes:
    span = _pick(rng, rb"trailer\n<<.*?>>\nstartxref", pdf)
    if span is None:
        return pdf
    text = pdf[span[0] : span[1]]
    page = b"9 0 obj << /Type /Page /Contents 1 0 R >> endobj"
    changed = rng.choice([
        re.sub(rb"/Size (\d+)", lambda m: b"/Size %d" % (int(m.group(1)) + rng.choice([-2, -1, 1, 5])), text),
        re.sub(rb"/ID \[(<[0-9A-F]+>) <[0-9A-F]+>\]", lambda m: b"/ID [" + m.group(1) + b" (\n" + page + b"\n)]", text),
        text.replace(b" >>\nstartxref", b" /XRefStm 10 >>\nstartxref"),
        text.replace(b"/Root", b"/Root 1 0 R /Root", 1),
        re.sub(rb"/Prev (\d+)", lambda m: b"/Prev %d" % (int(m.group(1)) - 1), text),
        text.replace(b"trailer\n", b"trailer ", 1),
        text.replace(b">>\nstartxref", b">>\n%comment\nstartxref"),
    ])
    return _replace(pdf, span, changed)


def object_header(rng: random.Random, pdf: bytes) -> bytes:
    span = _pick(rng, rb"(?m)^\d+ 0 obj\n", pdf)
    if span is None:
        return pdf
    number = int(pdf[span[0] : span[1]].split()[0])
    return _replace(pdf, span, rng.choice([b"%d 1 obj\n" % number, b"%d 0 obj \n" % number, b"%d 0 obj\r\n" % number,
                                           b"%d  0 obj\n" % number, b"%d 0 obj\n" % (number + 1)]))


def reference(rng: random.Random, pdf: bytes) -> bytes:
    structure = _structure(pdf)
    refs = [s for s in _spans(rb"(?<![0-9])\d+ 0 R\b", pdf) if any(a <= s[0] < b for a, b in structure)]
    if not refs:
        return pdf
    span = rng.choice(refs)
    number = int(pdf[span[0] : span[1]].split()[0])
    choices = [b"%d 1 R" % number, b"%d 0 R" % (number + 1), b"%d 0 R" % max(number - 1, 1)]
    return _replace(pdf, span, rng.choice(choices))


def string_value(rng: random.Random, pdf: bytes) -> bytes:
    span = _pick(rng, rb"<[0-9A-F]{2,64}>", pdf)
    if span is None:
        return pdf
    hex_digits = pdf[span[0] + 1 : span[1] - 1]
    raw = bytes.fromhex(hex_digits.decode())
    literal = b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
    return _replace(pdf, span, rng.choice([literal, b"<" + hex_digits.lower() + b">", b"<" + hex_digits + b"0>",
                                           b"< " + hex_digits + b">"]))


def page_tree(rng: random.Random, pdf: bytes) -> bytes:
    span = _pick(rng, rb"/Count \d+", pdf)
    if span is None:
        return pdf
    count = int(pdf[span[0] + 7 : span[1]])
    kids = re.search(rb"/Kids \[([^\]]*)\]", pdf)
    choice = rng.choice([b"/Count %d" % (count - 1), b"/Count %d" % (count + 1)])
    if kids is not None and rng.random() < 0.4:
        first = kids.group(1).split(b" R")[0] + b" R"
        return _replace(pdf, kids.span(1), kids.group(1) + b" " + first.strip())
    return _replace(pdf, span, choice)


def annotations(rng: random.Random, pdf: bytes) -> bytes:
    span = _pick(rng, rb"/Annots \[[^\]]*\]", pdf)
    if span is None:
        return pdf
    text = pdf[span[0] : span[1]]
    first = re.search(rb"\d+ 0 R", text)
    if first is None:
        return pdf
    choice = rng.choice([text[:-1] + b" " + first.group() + b"]", b"/Annots []", text.replace(b"[", b"[ ", 1)])
    return _replace(pdf, span, choice)


def widget(rng: random.Random, pdf: bytes) -> bytes:
    span = _pick(rng, rb"/Rect \[[^\]]*\]", pdf)
    if span is None:
        return pdf
    numbers = pdf[span[0] + 7 : span[1] - 1].split()
    index = rng.randrange(len(numbers))
    numbers[index] = b"%.2f" % (float(numbers[index]) + rng.choice([-100, -1, 1, 300]))
    return _replace(pdf, span, b"/Rect [" + b" ".join(numbers) + b"]")


def white_space_and_comments(rng: random.Random, pdf: bytes) -> bytes:
    a, b = rng.choice(_structure(pdf))
    if b <= a:
        return pdf
    at = rng.randrange(a, b)
    return pdf[:at] + rng.choice([b" ", b"\n", b"\r", b"%x\n", b"\x00", b"\t", b"endobj\n", b"1 0 obj\n"]) + pdf[at:]


def byte_flip(rng: random.Random, pdf: bytes) -> bytes:
    at = rng.randrange(len(pdf))
    return pdf[:at] + bytes([rng.randrange(256)]) + pdf[at + 1 :]


def appended(rng: random.Random, pdf: bytes) -> bytes:
    return pdf + rng.choice([b"\n", b" ", b"%%EOF\n", b"\x00" * 3, pdf[-200:]])


BYTE_MUTATORS: dict[str, Mutator] = {
    "xref offset": xref_offset, "xref subsection": xref_subsection, "xref entry": xref_entry_kind,
    "trailer": trailer_value, "object header": object_header, "reference": reference, "string": string_value,
    "page tree": page_tree, "annotations": annotations, "widget": widget, "white space": white_space_and_comments,
    "byte": byte_flip, "appended": appended,
}


# -- the fuzzer ------------------------------------------------------------------------------------


@dataclass
class Corpus:
    """Honest pacts to mutate, the people who signed them, and how readers read each.

    Every signature, honest or forged, is made at `when`: a mutant re-signed by its signer then
    differs from the honest pact only by the mutation (the stamp shows the same time).
    """

    when: dt.datetime
    identities: list[Identity]
    honest: list[tuple[bytes, bytes, list[tuple[str, Identity]]]]  # (unsigned, signed, [(field, signer)])
    readings: dict[bytes, Reading] = field(default_factory=dict)
    archived: list[bytes] = field(default_factory=list)  # signed pacts after `pakta archive --tsa`
    time_roots: tuple[x509.Certificate, ...] = ()  # the TSA that made the archive timestamps, when there is one


@dataclass(frozen=True)
class Reading:
    pages: int
    text: tuple[tuple[str, ...], ...]  # per reader, per page


def readers() -> list[str]:
    found = ["pypdf"]
    if shutil.which("pdftotext") and shutil.which("pdfinfo"):
        found.insert(0, "poppler")
    if shutil.which("mutool"):
        found.append("mupdf")
    return found


def _normal(text: str) -> str:
    return " ".join(text.split())


def read(pdf: bytes) -> Reading | None:
    """Page count and each page's text as poppler, pypdf and MuPDF read `pdf`; None when one cannot."""
    texts: list[tuple[str, ...]] = []
    counts = set()
    with tempfile.TemporaryDirectory(prefix="pakta-fuzz-") as folder:
        path = Path(folder) / "m.pdf"
        path.write_bytes(pdf)
        for reader in readers():
            try:
                pages = _read_with(reader, path, pdf)
            except Exception:
                return None
            counts.add(len(pages))
            texts.append(tuple(_normal(p) for p in pages))
    return Reading(counts.pop() if len(counts) == 1 else -1, tuple(texts))


def _read_with(reader: str, path: Path, pdf: bytes) -> list[str]:
    if reader == "pypdf":
        from pypdf import PdfReader

        return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]
    if reader == "poppler":
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, timeout=30, check=True).stdout
        count = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
        return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(path), "-"],
                               capture_output=True, text=True, timeout=30, check=True).stdout
                for n in range(1, count + 1)]
    out = subprocess.run(["mutool", "draw", "-F", "txt", "-o", "-", str(path)], capture_output=True, text=True,
                         timeout=30, check=True).stdout
    return out.split("\f")[:-1] if "\f" in out else [out]


def corpus() -> Corpus:
    """A one-party and a two-party pact, each signed by every party."""
    from pakta_cli.definition import parse_definition
    from pakta_cli.render import render
    from tests.test_attacks import ONE_PARTY, TWO_PARTIES

    putu = identities.self_signed("Putu Contoh", "198609262015051001", "Sekretaris")
    made = identities.self_signed("Made Atasan", "197501012000031002", "Ketua")
    when = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5)
    honest = []
    for text, signers in ((ONE_PARTY, [("pakta-signer-1", putu)]),
                          (TWO_PARTIES, [("pakta-signer-1", putu), ("pakta-superior-1", made)])):
        unsigned = render(parse_definition(text, "t.yaml", Path("."))).pdf
        signed = unsigned
        for name, who in signers:
            signed = forge(signed, name, who, signed_at=when)  # byte for byte what pakta sign writes
        honest.append((unsigned, signed, signers))
    base = Corpus(when, [putu, made], honest)
    if localtsa.available():  # the two-party pact archived with an archive timestamp (PAdES B-LTA)
        archived, base.time_roots = _archived(honest[-1][1])
        base.archived.append(archived)
    return base


def _archived(signed: bytes) -> tuple[bytes, tuple[x509.Certificate, ...]]:
    """`signed` after `pakta archive --tsa` with OpenSSL's TSA, and the TSA's root."""
    from pakta_cli.archive import archive_pdf
    from pakta_cli.timestamps import Authority
    from tests.tsa import TimestampServer, make_tsa

    with tempfile.TemporaryDirectory(prefix="pakta-fuzz-tsa-") as folder:
        files = make_tsa(Path(folder))
        with TimestampServer(files) as server:
            archived = archive_pdf(signed, [], authority=Authority(server.url)).pdf
        return archived, (x509.load_pem_x509_certificate(files.root.read_bytes()),)


@dataclass
class Result:
    tried: int = 0
    valid: int = 0
    differential: list[str] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)


def _mutant(rng: random.Random, base: Corpus) -> tuple[str, bytes, bytes]:
    """(kind, honest file it came from, mutant)."""
    unsigned, signed, signers = rng.choice(base.honest)
    mode = rng.random()
    name, mutator = rng.choice(list(BYTE_MUTATORS.items()))

    def mutate(rng: random.Random, data: bytes) -> bytes:
        try:
            return mutator(rng, data)
        except (ValueError, IndexError):  # the pattern it looked for did not fit this file
            return data

    if mode < 0.5:  # someone edits the signed file, or the signed and archived one
        what = "edited"
        if base.archived and rng.random() < 0.3:
            signed, what = rng.choice(base.archived), "edited after an archive timestamp"
        mutant = signed
        for _ in range(rng.choice([1, 1, 2, 3])):
            mutant = mutate(rng, mutant)
        return f"{what}: {name}", signed, mutant
    if mode < 0.8:  # the last signer writes the change into their own revision, then signs it
        before = unsigned
        for field_name, who in signers[:-1]:
            before = forge(before, field_name, who, signed_at=base.when)
        field_name, who = signers[-1]

        def change(text: bytes) -> bytes:
            return mutate(rng, text)
        part = rng.choice(["tail", "body"])
        try:
            mutant = forge(before, field_name, who, signed_at=base.when, **{part: change})  # type: ignore[arg-type]
        except ValueError:  # the change took away the /Contents placeholder: nothing was signed
            return f"signer's own revision ({part}): {name}", signed, signed
        return f"signer's own revision ({part}): {name}", signed, mutant
    # the clerk changes the rendered pact before anyone signs; everyone then signs as pakta signs
    try:
        mutant = mutate(rng, unsigned)
        for field_name, who in signers:
            mutant = forge(mutant, field_name, who, signed_at=base.when)
    except Exception:  # a change that leaves no pact to sign: nothing to verify
        return f"prepared: {name}", signed, signed
    return f"prepared: {name}", signed, mutant


def run(seconds: float, seed: int, base: Corpus | None = None, *, reproduce: bool = True) -> Result:
    """Mutate for `seconds`; every VALID mutant is read by every reader and compared with its honest pact."""
    base = base or corpus()
    rng = random.Random(seed)
    policy = Policy(tuple(i.cert for i in base.identities), reproduce=reproduce, tsa_trust=base.time_roots)
    result = Result()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        kind, honest, mutant = _mutant(rng, base)
        if mutant == honest:
            continue
        result.tried += 1
        result.by_kind[kind.split(":")[0]] = result.by_kind.get(kind.split(":")[0], 0) + 1
        if not verify_bytes(mutant, policy).ok:
            continue
        result.valid += 1
        if honest not in base.readings:
            reading = read(honest)
            assert reading is not None, "an honest pact must read in every reader"
            base.readings[honest] = reading
        if read(mutant) != base.readings[honest]:
            result.differential.append(kind)
    return result


__all__ = ["BYTE_MUTATORS", "Corpus", "Result", "corpus", "prepared", "read", "readers", "run"]
