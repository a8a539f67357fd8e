"""Many pacts at once: a roster rendered over all cores into a folder, with a batch manifest.

All or nothing: pacts are written into a hidden staging folder inside the output folder and moved
into place only when every one rendered, so a failure never leaves half a batch behind. Before
anything is written, a batch that would replace a signed pact is refused whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pakta_cli import __version__
from pakta_cli.definition.model import Pact
from pakta_cli.definition.roster import RosterEntry
from pakta_cli.errors import InputError, OutputExistsError
from pakta_cli.fsutil import atomic_write, cannot_write, make_folder, read_file, refuse_signed
from pakta_cli.i18n import N_, _
from pakta_cli.pactfile import load_json
from pakta_cli.parallel import run_parallel

BATCH_MANIFEST = "manifest.json"


@dataclass(frozen=True)
class RenderJob:
    pact: Pact
    path: str


def _render_to_file(job: RenderJob) -> tuple[str, int]:
    from pakta_cli.render import render  # here: `pakta verify` uses this module without ReportLab

    pdf = render(job.pact).pdf
    with open(job.path, "wb") as handle:
        handle.write(pdf)
    return hashlib.sha256(pdf).hexdigest(), len(pdf)


@dataclass(frozen=True)
class BatchResult:
    out_dir: Path
    manifest_path: Path
    count: int


def render_roster(
    pact: Pact,
    entries: Sequence[RosterEntry],
    out_dir: Path,
    *,
    definition_path: Path,
    jobs: int,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> BatchResult:
    """Render one pact per roster row into `out_dir` and write its manifest.json."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(_("{out_dir}: exists and is not a folder").format(out_dir=out_dir),
                         hint=_("a roster's pacts go into a folder"), about="roster_output")
    created = make_folder(out_dir)
    try:
        return _render_into(pact, entries, out_dir, definition_path=definition_path, jobs=jobs, force=force,
                            progress=progress)
    except BaseException:
        if created and not any(out_dir.iterdir()):
            out_dir.rmdir()  # a folder this run made and filled with nothing is not left behind
        raise


def _render_into(
    pact: Pact,
    entries: Sequence[RosterEntry],
    out_dir: Path,
    *,
    definition_path: Path,
    jobs: int,
    force: bool,
    progress: Callable[[int], None] | None,
) -> BatchResult:
    from pakta_cli.pactfile import canonical_json

    targets = [out_dir / f"{entry.stem}.pdf" for entry in entries] + [out_dir / BATCH_MANIFEST]
    refuse_signed(targets)  # first: a signed pact is never replaced, so --force is no answer to it
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        raise OutputExistsError(existing[0]) if len(existing) == 1 else InputError(
            _("{out_dir}: {count} of the output files already exist (first: {name})").format(
                out_dir=out_dir, count=len(existing), name=existing[0].name),
            hint=_("overwriting them must be asked for, or choose another folder"), about="overwrite_many",
        )
    try:
        staging = Path(tempfile.mkdtemp(prefix=".pakta-render-", dir=out_dir))
    except OSError as exc:
        raise cannot_write(out_dir, exc) from None
    try:
        pacts = [pact.with_signer(entry.party) for entry in entries]
        jobs_list = [RenderJob(p, str(staging / f"{e.stem}.pdf")) for p, e in zip(pacts, entries, strict=True)]
        digests: dict[int, tuple[str, int]] = {}
        for index, result in run_parallel(_render_to_file, jobs_list, jobs=jobs):
            digests[index] = result
            if progress:
                progress(1)
        records: list[dict[str, Any]] = []
        for index, entry in enumerate(entries):
            person = entry.party
            record: dict[str, Any] = {"file": f"{entry.stem}.pdf", "row": entry.row, "name": person.name}
            if person.nip:
                record["nip"] = person.nip
            if person.nik:
                record["nik"] = person.nik
            record["sha256"], record["size"] = digests[index]
            record["parties"] = [p.field_name for p in pacts[index].parties]
            records.append(record)
        manifest = {
            "pakta_batch": 1,
            "pakta_version": __version__,
            "definition": definition_path.name,
            "template": pact.template,
            "count": len(records),
            "pacts": records,
        }
        for entry in entries:
            os.replace(staging / f"{entry.stem}.pdf", out_dir / f"{entry.stem}.pdf")
        manifest_path = out_dir / BATCH_MANIFEST
        (staging / BATCH_MANIFEST).write_bytes(canonical_json(manifest))
        os.replace(staging / BATCH_MANIFEST, manifest_path)
    except OSError as exc:  # a full disk, a folder removed meanwhile
        raise cannot_write(out_dir, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BatchResult(out_dir, manifest_path, len(entries))


def read_batch_manifest(path: Path) -> dict[str, Any]:
    """Load a manifest.json written by render_roster, checking just enough to trust its shape."""
    try:
        data = load_json(path.read_bytes())  # bounded nesting: a manifest may come from anyone
    except FileNotFoundError:
        raise InputError(_("{path}: manifest not found").format(path=path)) from None
    except IsADirectoryError:
        raise InputError(_("{path}: is a folder, not a manifest").format(path=path),
                         hint=_("name the file: {manifest}").format(manifest=path / BATCH_MANIFEST),
                         about="manifest_folder", manifest=path / BATCH_MANIFEST) from None
    except json.JSONDecodeError as exc:
        raise InputError(_("{path}:{lineno}:{colno}: not a pakta manifest.json ({msg})").format(
                             path=path, lineno=exc.lineno, colno=exc.colno, msg=exc.msg)) from None
    except (OSError, ValueError) as exc:  # unreadable, not UTF-8, nested deeper than any manifest
        raise InputError(_("{path}: not a pakta manifest.json ({exc})").format(path=path, exc=exc)) from None
    if not isinstance(data, dict) or data.get("pakta_batch") != 1 or not isinstance(data.get("pacts"), list):
        raise InputError(_("{path}: not a pakta manifest.json (the one a roster render writes)").format(
                             path=path), about="not_batch_manifest", path=path)
    for number, entry in enumerate(data["pacts"], start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise InputError(_('{path}: pacts item {number} is not a pact entry (an object with a "file" name)').format(
                                 path=path, number=number),
                             hint=_("the manifest was changed by hand; use the one the roster render wrote"),
                             about="manifest_by_hand")
    return data


def batch_of(pacts: Sequence[Path]) -> Path | None:
    """The manifest.json of the one batch folder all these pacts come from, or None.

    One folder, a pakta batch manifest in it, and every pact one that manifest lists: only then are
    the pacts (signed copies of) that batch, and its manifest describes them wherever they go.
    """
    folders = {pact.resolve().parent for pact in pacts}
    if len(folders) != 1:
        return None
    path = folders.pop() / BATCH_MANIFEST
    if not path.is_file():
        return None
    try:
        listed = {entry["file"] for entry in read_batch_manifest(path)["pacts"]}
    except InputError:  # a manifest.json pakta did not write describes no batch
        return None
    return path if all(pact.name in listed for pact in pacts) else None


def copy_batch_manifest(manifest: Path, out_dir: Path) -> Literal["copied", "there", "other"]:
    """Put a batch's manifest.json beside its signed copies in `out_dir`, so `verify --manifest`
    works there as in the batch folder. Another manifest already there (another batch's) is never
    replaced: "other"; the same one: "there"."""
    data = read_file(manifest, N_("batch manifest"))
    target = out_dir / BATCH_MANIFEST
    if target.exists() or target.is_symlink():
        same = target.is_file() and not target.is_symlink() and read_file(target, N_("batch manifest")) == data
        return "there" if same else "other"
    atomic_write(target, data)
    return "copied"
