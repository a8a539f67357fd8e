"""`pakta render`, `pakta check` and `pakta templates`: the clerk's commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pakta_cli import templates
from pakta_cli.batch import render_roster
from pakta_cli.cli.console import note, out
from pakta_cli.cli.progress import progress_bar
from pakta_cli.definition import Party, RosterEntry, load_definition, load_roster
from pakta_cli.definition.model import DEFAULT_FONT, Pact
from pakta_cli.errors import InputError, ValidationError
from pakta_cli.fsutil import atomic_write, refuse_signed
from pakta_cli.pactfile import signing_steps
from pakta_cli.parallel import default_jobs
from pakta_cli.render import render as render_pact
from pakta_cli.template_registry import BUILT_INS, signing_order

Definition = Annotated[Path, typer.Argument(help="The pact definition (YAML).", metavar="DEF.yaml", show_default=False)]
Roster = Annotated[
    Path | None,
    typer.Option("--roster", "-r", help="People, one pact per row (the row is the signer): an Excel .xlsx or a CSV."),
]
Sheet = Annotated[
    str | None,
    typer.Option("--sheet", help="With an .xlsx roster: the sheet to read. [default: the first]", show_default=False),
]


def render(
    definition: Definition,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Output PDF; with --roster, the output folder. [default: beside DEF]"),
    ] = None,
    roster: Roster = None,
    sheet: Sheet = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="Processes for a roster; 0 means all cores.")] = 0,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Overwrite existing outputs (never a signed pact).")
    ] = False,
) -> None:
    """Render a pact definition to PDF; with --roster, one PDF per person and a manifest.json."""
    pact = load_definition(definition, roster=roster is not None)
    if roster is None:
        target = output or definition.with_suffix(".pdf")
        refuse_input_as_output(target, definition)
        refuse_signed([target])
        atomic_write(target, render_pact(pact).pdf, force=force)
        note(f"rendered {target}")
        return
    entries = read_roster(roster, sheet, pact.beside_roster, font=pact.font)
    replaced = [p.name for p in pact.parties if p.role == "signer"]
    if replaced:
        note(f"note: each roster row takes the place of the definition's signer ({', '.join(replaced)})")
    out_dir = output or definition.with_suffix("")
    with progress_bar("rendering", len(entries)) as advance:
        result = render_roster(
            pact, entries, out_dir, definition_path=definition, jobs=jobs or default_jobs(), force=force,
            progress=advance,
        )
    note(f"rendered {result.count} pacts into {result.out_dir}/ (list: {result.manifest_path})")


def read_roster(path: Path, sheet: str | None, others: tuple[Party, ...] = (), *,
                font: str = DEFAULT_FONT) -> list[RosterEntry]:
    """The roster's people; how it was read (ignored columns, a Windows-1252 CSV) is one note each."""
    roster = load_roster(path, others, sheet=sheet, font=font)
    for notice in roster.notices:
        note(f"note: {notice}")
    return list(roster.entries)


def refuse_input_as_output(target: Path, *inputs: Path | None) -> None:
    """`-o pact.yaml --force` must not put a PDF where the definition was."""
    for source in inputs:
        if source is not None and target.exists() and source.exists() and target.samefile(source):
            raise InputError(f"{target}: is an input of this render; choose another output")


def check(definition: Definition, roster: Roster = None, sheet: Sheet = None) -> None:
    """Validate a definition (and roster) and render it once in memory; every problem is listed.

    The render (nothing is written) catches what only the template can: a custom template's
    undefined names, layout mistakes, a party without its signature space.
    """
    try:
        pact = load_definition(definition, roster=roster is not None)
    except ValidationError as exc:
        if roster is None:
            raise
        try:  # the roster's problems too, in the same run: a clerk fixes both files at once
            load_roster(roster, sheet=sheet)
        except ValidationError as also:
            raise ValidationError([*exc.problems, *also.problems]) from None
        raise
    if roster is None:
        render_pact(pact)
        out.print(f"OK: {definition} is a valid {pact.template} pact with {len(pact.parties)} "
                  f"part{'y' if len(pact.parties) == 1 else 'ies'} to sign", markup=False)
        out.print(signing_order_line(pact), markup=False)
        return
    entries = read_roster(roster, sheet, pact.beside_roster, font=pact.font)
    first = pact.with_signer(entries[0].party)
    render_pact(first)
    out.print(f"OK: {definition} is a valid {pact.template} pact; {roster} lists {len(entries)} "
              f"{'person' if len(entries) == 1 else 'people'}", markup=False)
    out.print(signing_order_line(first, roster=True), markup=False)


def signing_order_line(pact: Pact, *, roster: bool = False) -> str:
    """`signing order: sequential (the template's default): the signer (...), then the superior (...)`."""
    order = signing_order(pact.template, pact.signing_order)
    why = "as the definition states" if pact.signing_order else "the template's default"
    if order == "any":
        return f"signing order: any ({why}): the parties sign in any order"
    names = {p.field_name: "each roster row" if roster and p.role == "signer" else p.name for p in pact.parties}
    roles = {p.field_name: p.role for p in pact.parties}
    steps = []
    for step in signing_steps([(p.field_name, p.role) for p in pact.parties], order):
        role = roles[step[0]]
        if len(step) == 1:
            steps.append(f"the {role} ({names[step[0]]})")
        else:
            steps.append(f"the {len(step)} {role}{'es' if role == 'witness' else 's'} (in any order among them)")
    return f"signing order: {order} ({why}): " + ", then ".join(steps)


def list_templates(
    name: Annotated[str | None, typer.Argument(help="Print this built-in template's source, to copy and edit.")] = None,
) -> None:
    """List the built-in templates, or print one to start your own from."""
    if name is not None:
        source = templates.builtin_source(name)
        if source is None:
            raise InputError(f"unknown template {name!r}", hint=f"built-in templates: {', '.join(BUILT_INS)}")
        typer.echo(source.text, nl=False)
        return
    width = max(len(n) for n in BUILT_INS)
    for template_name, built_in in BUILT_INS.items():
        out.print(f"{template_name:<{width}}  {built_in.description}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("render")(render)
    app.command("check")(check)
    app.command("templates")(list_templates)
