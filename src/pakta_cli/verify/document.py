"""The document's own checks: who still has to sign, whether the embedded definition and manifest
agree, whether the pact carries the definition the auditor holds, and whether it re-renders to
the bytes its first signer was handed.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pakta_cli import __version__, pactfile
from pakta_cli.images import logo_file_problem
from pakta_cli.pdf import canonical
from pakta_cli.verify.pact import Pact
from pakta_cli.verify.policy import Policy
from pakta_cli.verify.verdict import Check, Message, SignatureVerdict, say


def pending_parties(pact: Pact, signatures: tuple[SignatureVerdict, ...]) -> list[str]:
    signed = {sig.field for sig in signatures}
    return [p.name for p in pact.parties if p.field not in signed]


def all_parties_check(pact: Pact, signatures: tuple[SignatureVerdict, ...]) -> Check:
    if pact.manifest is None:
        return Check.failed("all_parties_signed", say(
            "parties_unknown", "tidak ada manifest pakta; pihak yang wajib menandatangani tidak diketahui",
            "no pakta manifest; the parties who must sign are unknown"))
    missing = pending_parties(pact, signatures)
    if missing:
        names = ", ".join(missing)
        return Check.failed("all_parties_signed", say("not_yet_signed", f"belum ditandatangani oleh {names}",
                                                      f"not yet signed by {names}"))
    count = len(pact.parties)
    return Check.passed("all_parties_signed", say("all_signed", f"semua {count} pihak telah menandatangani",
                                                  f"all {count} parties signed"))


def signing_order_check(pact: Pact, signatures: tuple[SignatureVerdict, ...]) -> Check:
    """Each signature came after every party of an earlier step had signed (the manifest's `signing_order`).

    Judged on the order of the revisions, which a signer cannot reorder, never on the signing times
    the signers claim. A pact whose first signers signed in order, and that waits for the rest,
    passes: that is a pact still being collected, INCOMPLETE, not a pact signed out of turn.
    """
    if pact.manifest is None:  # all_parties_signed says why: the parties are unknown
        return Check.passed("signing_order", say("no_order", "tanpa manifest, tidak ada urutan untuk diperiksa",
                                                 "no manifest, so no signing order to check"))
    steps = {p.step for p in pact.parties}
    if len(steps) < 2:
        return Check.passed("signing_order", say("any_order", "pihak boleh menandatangani dalam urutan mana pun",
                                                 "the parties may sign in any order"))
    signed: set[str] = set()
    late = []
    for sig in sorted(signatures, key=lambda s: s.revision or 0):
        party = pact.party(sig.field) if sig.field else None
        if party is None:
            continue
        waiting = [p for p in pact.parties if p.step < party.step and p.field not in signed]
        if waiting:
            names = ", ".join(p.name for p in waiting)
            late.append(say("out_of_order",
                            f"{party.name} menandatangani sebelum {names}, yang harus menandatangani lebih dahulu",
                            f"{party.name} signed before {names}, who must sign first"))
        signed.add(party.field)
    if late:
        return Check.failed("signing_order", *late)
    return Check.passed("signing_order", say("in_order", "ditandatangani sesuai urutan",
                                             "signed in the required order"))


def embedded_check(pact: Pact) -> Check:
    def fail(key: str, indonesian: str, english: str) -> Check:
        return Check.failed("embedded_hashes", say(key, indonesian, english))

    if pact.manifest is None:
        assert pact.manifest_problem is not None
        return Check.failed("embedded_hashes", pact.manifest_problem)
    manifest = pact.manifest
    definition = pact.files.get(pactfile.DEFINITION_NAME)
    if pactfile.DEFINITION_NAME in pact.damaged:
        return fail("definition_damaged", "definisi tertanam rusak", "the embedded definition is damaged")
    if definition is None:
        return fail("no_definition", "definisi pakta tidak tertanam", "the pact definition is not embedded")
    twice = sorted(pact.ambiguous & {pactfile.DEFINITION_NAME, pactfile.MANIFEST_NAME})
    if twice:
        return fail("embedded_twice",
                    f"lampiran {twice[0]} tertanam lebih dari sekali (isi mana yang berlaku tidak jelas)",
                    f"embedded file {twice[0]} is embedded more than once (which content counts is unclear)")
    recorded = manifest.get("definition", {}).get("sha256") if isinstance(manifest.get("definition"), dict) else None
    actual = hashlib.sha256(definition).hexdigest()
    if recorded != actual:
        return fail("definition_hash", f"hash definisi tertanam ({actual[:16]}) tidak sama dengan manifest "
                    f"({str(recorded)[:16]})",
                    f"the embedded definition hashes to {actual[:16]}, the manifest says {str(recorded)[:16]}")
    mapping = pact.definition
    if mapping is None or not isinstance(mapping.get("parties"), list) \
            or not all(isinstance(p, dict) for p in mapping["parties"]):
        return fail("definition_damaged", "definisi tertanam tidak terbaca atau tidak lengkap",
                    "the embedded definition does not parse or is incomplete")
    parties = mapping["parties"]
    fields = pactfile.field_names([str(p.get("role")) for p in parties])
    expected = [(field, p.get("role"), p.get("name"), p.get("nip"), p.get("key_id"), p.get("nik"))
                for field, p in zip(fields, parties, strict=True)]
    listed = [(p.field, p.role, p.name, p.nip, p.key_id, p.nik) for p in pact.parties]
    if expected != listed:
        return fail("parties_differ", "pihak dalam manifest tidak sama dengan pihak dalam definisi",
                    "the manifest's parties differ from the definition's")
    template = manifest.get("template")
    if not isinstance(template, dict) or template.get("name") != mapping.get("template"):
        return fail("template_differs", "templat dalam manifest tidak sama dengan definisi",
                    "the manifest names another template")
    for name, data in pact.files.items():
        problem = logo_file_problem(name[len(pactfile.LOGO_PREFIX):], data) \
            if name.startswith(pactfile.LOGO_PREFIX) else None
        if problem is not None:
            return fail("logo_file", f"berkas logo tertanam {name} bukan sekadar gambar",
                        f"the embedded logo file {name} is not only a picture: {problem}")
    if set(pact.fields) != {p.field for p in pact.parties}:
        return fail("fields_differ", "kolom tanda tangan PDF tidak sama dengan pihak dalam manifest",
                    "the PDF's signature fields differ from the manifest's parties")
    return Check.passed("embedded_hashes", say("embedded", "definisi dan manifest tertanam cocok satu sama lain",
                                               "embedded definition and manifest agree"))


def _load(raw: bytes) -> Any:
    return pactfile.load_json(raw)


_GIVEN = ("definisi yang diberikan pemeriksa", "the definition the auditor gave")


def definition_check(pact: Pact, wanted: bytes, logo: str | None = None) -> Check:
    """The embedded definition is the one given (`--definition`), and, when that names a logo, the
    letterhead's picture is the very file beside it: the definition records the logo by name only, so
    a preparer could otherwise keep every word and swap the emblem for a seal saying BATAL."""
    found = _definition_check(pact, wanted)
    if not found.ok or logo is None:
        return found
    carried = [data for name, data in pact.files.items() if name.startswith(pactfile.LOGO_PREFIX)]
    if [hashlib.sha256(data).hexdigest() for data in carried] != [logo]:
        return Check.failed("definition", say(
            "definition_logo_differs", f"logo kop surat pakta bukan berkas logo di samping {_GIVEN[0]}",
            f"the pact's letterhead logo is not the logo file beside {_GIVEN[1]}"))
    return found


def _definition_check(pact: Pact, wanted: bytes) -> Check:
    embedded = pact.files.get(pactfile.DEFINITION_NAME)
    if embedded is None:
        return Check.failed("definition", say("no_definition", "definisi pakta tidak tertanam",
                                              "the pact definition is not embedded"))
    if embedded == wanted:
        return Check.passed("definition", say("definition", f"definisi tertanam sama dengan {_GIVEN[0]}",
                                              f"the embedded definition equals {_GIVEN[1]}"))
    try:
        mine, theirs = _load(wanted), _load(embedded)
    except ValueError:
        mine = theirs = None
    where = ("", "")
    if isinstance(mine, dict) and isinstance(theirs, dict):
        ours = [p for p in mine.get("parties", []) if isinstance(p, dict)]
        signers = [p for p in theirs.get("parties", []) if isinstance(p, dict) and p.get("role") == "signer"]
        if not any(p.get("role") == "signer" for p in ours) and len(signers) == 1:
            # a roster pact: the given definition has no signer, each pact is one roster row
            expanded = dict(mine)
            expanded["parties"] = [signers[0], *ours]
            if expanded == theirs:
                return Check.passed("definition", say(
                    "definition_roster", f"definisi tertanam sama dengan {_GIVEN[0]} untuk penanda tangan dari daftar",
                    f"the embedded definition equals {_GIVEN[1]}, for its roster signer"))
        key = next((k for k in {**mine, **theirs} if mine.get(k) != theirs.get(k)), None)
        if key is not None:
            where = (f" (bagian {key})", f" (at {key})")
    return Check.failed("definition", say("definition_differs", f"definisi tertanam berbeda dari {_GIVEN[0]}{where[0]}",
                                          f"the embedded definition differs from {_GIVEN[1]}{where[1]}"))


def reproduce_check(pact: Pact, unsigned: bytes, policy: Policy) -> Check:
    """Re-render the embedded definition; it must give exactly what the first signer was handed.

    Nothing the file names is taken from the auditor's disk: the template is the built-in one the
    manifest names (or the auditor's own `--template`), checked by hash, and the logo comes from the
    pact's own embedded files (`pakta_cli.render.reproduce`).
    """
    from pakta_cli import render
    from pakta_cli.errors import PaktaError

    def fail(key: str, indonesian: str, english: str) -> Check:
        return Check.failed("reproduces", say(key, indonesian, english))

    definition = pact.files.get(pactfile.DEFINITION_NAME)
    if pact.manifest is None or definition is None:
        return fail("nothing_to_render", "tidak ada definisi untuk dirender ulang", "nothing to re-render")
    version = pact.manifest.get("pakta_version")
    if version != __version__:  # rendering is deterministic for one version only: no other may stand in for it
        shown = str(version)[:40]
        return fail("other_version", f"dirender oleh pakta {shown}; render ulang memerlukan versi itu "
                    f"(ini pakta {__version__})",
                    f"rendered by pakta {shown}: re-rendering needs that version (this is pakta {__version__})")
    template = pact.manifest.get("template") if isinstance(pact.manifest.get("template"), dict) else {}
    assert isinstance(template, dict)
    try:
        again = render.reproduce(definition, pact.files, name=str(template.get("name")),
                                 sha256=str(template.get("sha256")), custom=policy.template)
    except PaktaError as exc:
        return Check.failed("reproduces", _why(exc.lines()[0]))  # a definition's first problem, not "1 problem found"
    except Exception as exc:
        return fail("render_failed", "render ulang gagal", f"re-rendering failed: {exc}")
    if again != unsigned and not (canonical.rendered_deviation(pact.doc) is None
                                  and canonical.same_rendering(unsigned, again)):
        return fail("not_reproduced", "render ulang definisi tertanam tidak menghasilkan bita yang ditandatangani",
                    "re-rendering the embedded definition does not give the signed bytes")
    return Check.passed("reproduces", say("reproduces", "render ulang menghasilkan bita yang sama persis",
                                          "re-rendering gives exactly the signed bytes"))


def _why(message: str) -> Message:
    return say("render_failed", f"render ulang gagal: {message}", f"re-rendering failed: {message}")
