"""`pakta demo`: the whole flow on the bundled examples, in a fresh folder, as the three users do it.

A clerk renders KPU Kabupaten Kediri's three 2026 documents (seed 004); the institution makes a CA
and certifies two officials; each official signs the pacts that name them, in turn; an auditor
verifies the folder trusting only the CA root. Then one signed pact is copied and changed after
signing, and verified again, to show what a FAIL looks like. Nothing outside the folder is touched.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

from pakta_cli.definition import load_definition
from pakta_cli.errors import InputError
from pakta_cli.fsutil import atomic_write
from pakta_cli.render import render
from pakta_cli.verify import Policy, Verdict, verify_file

SET = "kpu-kediri-2026"
DOCUMENTS = ("perjanjian-kinerja", "pakta-integritas", "pernyataan-bebas-benturan-kepentingan")
INSTITUTION = "Komisi Pemilihan Umum Kabupaten Kediri"


def examples_folder() -> Path:
    """The bundled examples: inside the installed wheel, or beside `src/` in a source checkout."""
    packaged = resources.files("pakta_cli") / "examples"
    if packaged.is_dir():
        return Path(str(packaged))
    source = Path(__file__).resolve().parents[2] / "examples"
    if source.is_dir():
        return source
    raise InputError("the bundled examples are missing from this installation",
                     hint="reinstall pakta (pip install .) from its source folder")


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    verdicts: list[Verdict]
    tampered: Verdict
    ca_cert: Path
    steps: list[str]


def run_demo(folder: Path, *, say: Callable[[str], None] = lambda _: None) -> DemoResult:
    """Render, certify, sign, verify, tamper, verify again; returns every verdict."""
    from pakta_cli.keys import generate_identity, load_certificate, make_identity
    from pakta_cli.sign import SignOptions, load_credentials, sign_pdf
    from pakta_cli.trust import init_ca, issue

    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(f"{folder}: exists and is not empty", hint="the demo needs a fresh folder: name another one")
    steps: list[str] = []

    def step(text: str) -> None:
        steps.append(text)
        say(text)

    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "definitions"
    shutil.copytree(examples_folder() / SET, source)
    shutil.copy(examples_folder() / "logo-kpu.png", folder / "logo-kpu.png")
    pacts = folder / "pacts"
    pacts.mkdir()

    # 1. the clerk
    pact_files: dict[str, Path] = {}
    signing_order: dict[str, list[str]] = {}  # pact -> the NIPs of its parties, in the order they sign
    people: dict[str, tuple[str, str | None, str | None]] = {}
    for name in DOCUMENTS:
        pact = load_definition(source / f"{name}.yaml")
        target = pacts / f"{name}.pdf"
        atomic_write(target, render(pact).pdf)
        pact_files[name] = target
        signing_order[name] = [p.nip for p in pact.parties if p.nip]
        for party in pact.parties:
            if party.nip:
                people.setdefault(party.nip, (party.name, party.position, party.unit))
        step(f"clerk:       rendered {target.relative_to(folder)} ({len(pact.parties)} to sign)")

    # 2. the institution: a CA, and a certificate for each official (demo keys carry no passphrase)
    keys = folder / "keys"
    keys.mkdir()
    ca = init_ca(keys / "demo-ca", INSTITUTION, None)
    step(f"institution: created the demo CA {ca.paths.cert.relative_to(folder)} (the root auditors trust)")
    credentials = {}
    for number, (nip, (person, position, unit)) in enumerate(people.items(), start=1):
        prefix = keys / f"official-{number}"
        made = generate_identity(prefix, make_identity(person, nip, position, INSTITUTION, unit), None)
        issued = issue(ca, made.paths.cert, days=365)
        made.paths.cert.write_bytes(issued.public_bytes(Encoding.PEM))
        credentials[nip] = (person, load_credentials(made.paths.key, None, made.paths.cert))
        step(f"institution: certified {person} (NIP {nip}), key id {made.key_id}")

    # 3. the officials, each signing the pacts that name them, signer before superior
    for name, path in pact_files.items():
        for nip in signing_order[name]:
            person, creds = credentials[nip]
            signed = sign_pdf(path.read_bytes(), creds, SignOptions(), source=str(path))
            atomic_write(path, signed.pdf, force=True)
            step(f"official:    {person} signed {path.relative_to(folder)} in {signed.field}")

    # 4. the auditor
    policy = Policy((load_certificate(ca.paths.cert),))
    verdicts = [verify_file(path, policy) for path in pact_files.values()]

    # 5. someone changes a signed pact: a budget on the annex, in an update appended after the signatures
    original = pact_files["perjanjian-kinerja"]
    tampered_path = folder / "tampered" / original.name
    tampered_path.parent.mkdir()
    changed, page = _raise_a_budget(original.read_bytes())
    if changed is None:
        raise InputError(f"{original}: the demo pact has no budget to change")
    tampered_path.write_bytes(changed)
    step(f"tamperer:    raised a budget on page {page} of {tampered_path.relative_to(folder)}, in an update "
         "appended after the signatures")
    tampered = verify_file(tampered_path, policy)
    return DemoResult(folder, verdicts, tampered, ca.paths.cert, steps)


def _raise_a_budget(pdf: bytes) -> tuple[bytes | None, int]:
    """The signed pact with one page's first rupiah amount raised by a billion, redefined in an
    incremental update: what an editor that "saves" a signed PDF does, and what verify must catch."""
    import re
    import zlib

    from pakta_cli.pdf import writer
    from pakta_cli.pdf.syntax import Ref, Stream
    from pakta_cli.verify import read_pact

    pact = read_pact(pdf)
    doc = pact.doc
    for number, page_num in enumerate(pact.pages, start=1):
        page = doc.get(page_num)
        ref = page.get("Contents") if isinstance(page, dict) else None
        content = doc.get(ref.num) if isinstance(ref, Ref) else None
        if not isinstance(ref, Ref) or not isinstance(content, Stream):
            continue
        text = doc.decode(content)
        amount = re.search(rb"\((\d{1,3}(?:\.\d{3}){2,})\)", text)
        if amount is None:
            continue
        digits = amount.group(1)
        raised = str(int(digits.replace(b".", b"")) + 1_000_000_000)
        grouped = f"{int(raised):,}".replace(",", ".").encode()
        data = zlib.compress(text[: amount.start(1)] + grouped + text[amount.end(1) :])
        last = doc.revisions[-1]
        chunk = writer.indirect(ref.num, {"Filter": content.dict.get("Filter"), "Length": 0}, data)
        trailer = {key: last.trailer[key] for key in ("ID", "Info", "Root", "Size") if key in last.trailer}
        trailer["Prev"] = last.xref_offset
        update = chunk + writer.tail({ref.num: len(pdf)}, trailer, len(pdf) + len(chunk), first=False)
        return pdf + update, number
    return None, 0
