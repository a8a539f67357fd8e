"""Where `sign` and `archive` write what they make: `-o OUT.pdf`, `--out-dir DIR` or `--in-place`.

Command-line logic, so it lives here and names its options: the library signs and archives a
`SignJob` (a source and a target) and never hears of flags.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pakta_cli.errors import InputError
from pakta_cli.i18n import _
from pakta_cli.sign import SignJob


def plan_jobs(sources: Sequence[Path], *, output: Path | None, out_dir: Path | None, in_place: bool,
              force: bool) -> list[SignJob]:
    """Where each input's signed copy goes, refusing plans that would overwrite by surprise."""
    chosen = sum(x for x in (output is not None, out_dir is not None, in_place))
    if chosen > 1:
        raise InputError(_("choose one of -o OUT.pdf, --out-dir DIR and --in-place"))
    if chosen != 1:
        raise InputError(_("say where the signed PDFs go: -o OUT.pdf, --out-dir DIR or --in-place"),
                         hint=_("--in-place replaces each input with its signed copy"))
    unique: list[Path] = []
    seen: set[Path] = set()
    for source in sources:
        resolved = source.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(source)
    if output is not None:
        if len(unique) != 1:
            raise InputError(_("-o names one output file; for several PDFs use --out-dir DIR or --in-place"))
        if output.resolve() == unique[0].resolve():
            raise InputError(_("{output}: is the input; use --in-place to replace it with the signed copy").format(
                                 output=output))
        return [SignJob(unique[0], output, force)]
    if in_place:
        return [SignJob(source, source, True) for source in unique]
    assert out_dir is not None
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(_("{out_dir}: exists and is not a folder").format(out_dir=out_dir))
    targets: dict[Path, Path] = {}
    jobs = []
    for source in unique:
        target = out_dir / source.name
        if target.resolve() in targets:
            raise InputError(_("{other} and {source} would both be written to {target}").format(
                                 other=targets[target.resolve()], source=source, target=target),
                             hint=_("sign them into different folders"))
        if target.resolve() == source.resolve():
            raise InputError(_("{source}: --out-dir is the folder it is in; use --in-place to replace it").format(
                                 source=source))
        targets[target.resolve()] = source
        jobs.append(SignJob(source, target, force))
    return jobs
