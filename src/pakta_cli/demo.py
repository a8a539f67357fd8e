"""`pakta demo`: the whole flow on the bundled examples, in a fresh folder, as the three users do it.

A clerk renders KPU Kabupaten Kediri's three 2026 documents (seed 004); the institution makes a CA
and certifies two officials; each official signs the pacts that name them, in turn; an auditor
verifies the folder trusting only the CA root. When `openssl` is on the PATH the institution also
runs a timestamp authority its CA certified (OpenSSL's, on 127.0.0.1, for the demo's length), and
every signature carries its token: the verdicts say the signing times are attested. Then one signed
pact is copied and changed after signing, and verified again, to show what a FAIL looks like.
Nothing outside the folder is touched.

The demo can be run again in its folder: it leaves a marker (`.pakta-demo`) listing every file and
folder it made, and replaces a folder only when the marker is there and the folder holds nothing
the marker does not list. Anything else that is not empty is refused, so a mistyped folder name
never costs a clerk their files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.serialization import Encoding

from pakta_cli import localtsa
from pakta_cli.ca import CertificateAuthority
from pakta_cli.definition import load_definition
from pakta_cli.errors import InputError
from pakta_cli.fsutil import atomic_write, make_folder
from pakta_cli.i18n import _
from pakta_cli.render import render
from pakta_cli.timestamps import Authority

if TYPE_CHECKING:
    from pakta_cli.sign import SignOptions
from pakta_cli.verify import Policy, Verdict, verify_file

MARKER = ".pakta-demo"
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
    raise InputError(_("the bundled examples are missing from this installation"),
                     hint=_("reinstall pakta (pip install .) from its source folder"))


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    verdicts: list[Verdict]
    tampered: Verdict
    ca_cert: Path
    steps: list[str]


def run_demo(folder: Path, *, say: Callable[[str], None] = lambda _: None) -> DemoResult:
    """Render, certify, sign, verify, tamper, verify again; returns every verdict.

    `folder` is new, empty, or one an earlier demo made (which is replaced).
    """
    if clear_earlier_demo(folder):
        say(_("replaced the earlier demo in {folder}/").format(folder=folder))
    make_folder(folder)
    try:
        return _run(folder, say)
    finally:  # also after a failure or Ctrl-C: all the folder holds now, this run made
        marker = json.dumps({"pakta_demo": 1, "made": sorted(_entries(folder))}, indent=1) + "\n"
        with contextlib.suppress(OSError):  # the folder went away meanwhile: there is nothing left to mark
            (folder / MARKER).write_text(marker, encoding="utf-8")


def clear_earlier_demo(folder: Path) -> bool:
    """Empty a folder an earlier `pakta demo` made (True); refuse any other folder that is not empty."""
    if not folder.exists() and not folder.is_symlink():
        return False
    if not folder.is_dir():
        raise InputError(_("{folder}: exists and is not a folder").format(folder=folder),
                         hint=_("name a new or empty folder for the demo"))
    found = _entries(folder)
    if not found:
        return False
    made = _made_by_demo(folder)
    if made is None:
        raise InputError(_("{folder}: exists, is not empty and is not a pakta demo folder (it has no {marker} "
                           "marker)").format(folder=folder, marker=MARKER),
                         hint=_("pakta demo replaces only a folder it made itself: name a new or empty folder"))
    strangers = sorted(found - made - {MARKER})
    if strangers:
        shown = ", ".join(strangers[:3]) + (f" and {len(strangers) - 3} more" if len(strangers) > 3 else "")
        raise InputError(_("{folder}: an earlier pakta demo, but it holds what the demo did not make: {shown}").format(
                             folder=folder, shown=shown),
                         hint=_("move those out of the folder first, or name another folder"))
    try:
        for entry in sorted(found, key=lambda e: e.count("/"), reverse=True):  # what is inside a folder goes first
            path = folder / entry
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink()
    except OSError as exc:
        raise InputError(_("{folder}: cannot remove the earlier demo: {reason}").format(
                             folder=folder, reason=exc.strerror or exc)) from None
    return True


def _entries(folder: Path) -> set[str]:
    """Every file, folder and link below `folder`, relative, never following a link out of it."""
    found: set[str] = set()
    for top, dirs, files in os.walk(folder):
        base = Path(top).relative_to(folder)
        found.update((base / name).as_posix() for name in (*dirs, *files))
    return found


def _made_by_demo(folder: Path) -> set[str] | None:
    """What the marker says the demo made, or None when there is no marker pakta wrote."""
    marker = folder / MARKER
    if marker.is_symlink() or not marker.is_file():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # unreadable, not JSON, nested past Python's decoder
        return None
    made = data.get("made") if isinstance(data, dict) and data.get("pakta_demo") == 1 else None
    if not isinstance(made, list) or not all(isinstance(entry, str) for entry in made):
        return None
    return set(made)


NARRATION_COLUMN = 13  # where what was done starts, after who did it


def narration(role: str, text: str) -> str:
    """One line of the demo's story: who acts, in a column of its own, then what they did."""
    return f"{role + ':':<{NARRATION_COLUMN}}{text}"


def _clock(moment: dt.datetime, options: SignOptions) -> str:
    """`11:53:32 WIB`: a time of day as the stamps and verdicts show it, in the zone the demo signs in."""
    from pakta_cli.zones import zone_of

    local = moment.astimezone(options.zone.tzinfo)
    return f"{local:%H:%M:%S} {zone_of(local).label}"


def _run(folder: Path, say: Callable[[str], None]) -> DemoResult:
    from pakta_cli.ca import init_ca, issue
    from pakta_cli.certificates import load_certificate, make_identity
    from pakta_cli.keys import generate_identity
    from pakta_cli.sign import SignOptions, load_credentials, sign_pdf

    steps: list[str] = []

    def step(text: str) -> None:
        steps.append(text)
        say(text)

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
        step(narration(_("clerk"), _("rendered {file} ({count} to sign)").format(
            file=target.relative_to(folder), count=len(pact.parties))))

    # 2. the institution: a CA, and a certificate for each official (demo keys carry no passphrase)
    keys = folder / "keys"
    keys.mkdir()
    ca = init_ca(keys / "demo-ca", INSTITUTION, None)
    step(narration(_("institution"), _("created the demo CA {file} (the root auditors trust)").format(
        file=ca.paths.cert.relative_to(folder))))
    credentials = {}
    for number, (nip, (person, position, unit)) in enumerate(people.items(), start=1):
        prefix = keys / f"official-{number}"
        made = generate_identity(prefix, make_identity(person, nip, position, INSTITUTION, unit), None)
        issued = issue(ca, made.paths.cert, days=365)
        made.paths.cert.write_bytes(issued.public_bytes(Encoding.PEM))
        credentials[nip] = (person, load_credentials(made.paths.key, None, made.paths.cert))
        step(narration(_("institution"), _("certified {person} (NIP {nip}), key id {key_id}").format(
            person=person, nip=nip, key_id=made.key_id)))

    # 3. the officials, each signing the pacts that name them, signer before superior
    with contextlib.ExitStack() as stack:
        options = SignOptions()
        if localtsa.available():
            tsa = stack.enter_context(localtsa.LocalTsa(_institution_tsa(ca, keys / "tsa")))
            options = SignOptions(tsa=Authority(tsa.url))
            step(narration(_("institution"), _("started its timestamp authority (OpenSSL, {url}), certified by the "
                                               "demo CA").format(url=tsa.url)))
        for name, path in pact_files.items():
            for nip in signing_order[name]:
                person, creds = credentials[nip]
                signed = sign_pdf(path.read_bytes(), creds, options, source=str(path))
                atomic_write(path, signed.pdf, force=True)
                signed_in = (_("{person} signed {file} in {field}, time attested {time}")
                             if signed.attested else _("{person} signed {file} in {field}"))
                step(narration(_("official"), signed_in.format(
                    person=person, file=path.relative_to(folder), field=signed.field,
                    time=_clock(signed.attested, options) if signed.attested else "")))
        if options.tsa is not None:  # the office keeps one pact checkable for years (PAdES B-LTA)
            from pakta_cli.archive import archive_file, load_crls

            path = pact_files["pakta-integritas"]
            done = archive_file(path, path, load_crls([ca.paths.crl]), [], authority=options.tsa)
            assert done.timestamp is not None
            step(narration(_("archivist"), _("stored the certificates and the CA's CRL in {file}, with an archive "
                                             "timestamp {time}").format(
                file=path.relative_to(folder), time=_clock(done.timestamp.time, options))))

    # 4. the auditor
    policy = Policy((load_certificate(ca.paths.cert),), reproduce=True)
    verdicts = [verify_file(path, policy) for path in pact_files.values()]

    # 5. someone changes a signed pact: a budget on the annex, in an update appended after the signatures
    original = pact_files["perjanjian-kinerja"]
    tampered_path = folder / "tampered" / original.name
    tampered_path.parent.mkdir()
    changed, page = _raise_a_budget(original.read_bytes())
    if changed is None:
        raise InputError(_("{original}: the demo pact has no budget to change").format(original=original))
    tampered_path.write_bytes(changed)
    step(narration(_("tamperer"), _("raised a budget on page {page} of {file}, in an update appended after the "
                                    "signatures").format(page=page, file=tampered_path.relative_to(folder))))
    tampered = verify_file(tampered_path, policy)
    return DemoResult(folder, verdicts, tampered, ca.paths.cert, steps)


def _institution_tsa(ca: CertificateAuthority, folder: Path) -> localtsa.TsaFiles:
    """The institution's own timestamp authority, certified by its CA (so the CA root is all an
    auditor trusts); RSA, as `openssl ts` signs with."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(65537, 2048)
    cert = localtsa.tsa_certificate(f"TSA {INSTITUTION}", ca.cert, ca.key, key, days=365)
    return localtsa.write_tsa(folder, cert, key, [ca.cert])


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
