"""`pakta render`, `pakta check` and `pakta templates`: the clerk's commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pakta_cli import templates
from pakta_cli.batch import render_roster
from pakta_cli.cli.console import note, out
from pakta_cli.cli.language import command
from pakta_cli.cli.progress import progress_bar
from pakta_cli.definition import Party, RosterEntry, load_definition, load_roster
from pakta_cli.definition.model import DEFAULT_FONT, Pact
from pakta_cli.errors import InputError, ValidationError
from pakta_cli.fsutil import atomic_write, refuse_signed
from pakta_cli.i18n import N_, _, ngettext
from pakta_cli.pactfile import signing_steps
from pakta_cli.parallel import default_jobs
from pakta_cli.render import render as render_pact
from pakta_cli.template_registry import BUILT_INS, signing_order

Definition = Annotated[Path, typer.Argument(
    help=N_("The pact definition (YAML)."), metavar="DEF.yaml", show_default=False)]
Roster = Annotated[
    Path | None,
    typer.Option("--roster", "-r", help=N_("People, one pact per row (the row is the signer): an "
                                           "Excel .xlsx or a CSV.")),
]
Sheet = Annotated[
    str | None,
    typer.Option("--sheet",
        help=N_("With an .xlsx roster: the sheet to read. [default: the first]"), show_default=False),
]


def render(
    definition: Definition,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help=N_("Output PDF; with --roster, the output folder. "
                                               "[default: beside DEF]")),
    ] = None,
    roster: Roster = None,
    sheet: Sheet = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help=N_("Processes for a roster; 0 means "
                                                                     "all cores."))] = 0,
    force: Annotated[
        bool, typer.Option("--force", "-f", help=N_("Overwrite existing outputs (never a signed pact)."))
    ] = False,
) -> None:
    pact = load_definition(definition, roster=roster is not None)
    if roster is None:
        target = output or definition.with_suffix(".pdf")
        refuse_input_as_output(target, definition)
        refuse_signed([target])
        atomic_write(target, render_pact(pact).pdf, force=force)
        note(_("rendered {target}").format(target=target))
        return
    entries = read_roster(roster, sheet, pact.beside_roster, font=pact.font)
    replaced = [p.name for p in pact.parties if p.role == "signer"]
    if replaced:
        note(_("note: each roster row takes the place of the definition's signer ({replaced})").format(
            replaced=", ".join(replaced)))
    out_dir = output or definition.with_suffix("")
    with progress_bar(_("rendering"), len(entries)) as advance:
        result = render_roster(
            pact, entries, out_dir, definition_path=definition, jobs=jobs or default_jobs(), force=force,
            progress=advance,
        )
    note(ngettext("rendered {count} pact into {folder}/ (list: {manifest})",
                  "rendered {count} pacts into {folder}/ (list: {manifest})", result.count).format(
        count=result.count, folder=result.out_dir, manifest=result.manifest_path))


def read_roster(path: Path, sheet: str | None, others: tuple[Party, ...] = (), *,
                font: str = DEFAULT_FONT) -> list[RosterEntry]:
    """The roster's people; how it was read (ignored columns, a Windows-1252 CSV) is one note each."""
    roster = load_roster(path, others, sheet=sheet, font=font)
    for notice in roster.notices:
        note(_("note: {notice}").format(notice=notice))
    return list(roster.entries)


def refuse_input_as_output(target: Path, *inputs: Path | None) -> None:
    """`-o pact.yaml --force` must not put a PDF where the definition was."""
    for source in inputs:
        if source is not None and target.exists() and source.exists() and target.samefile(source):
            raise InputError(_("{target}: is an input of this render; choose another output").format(target=target))


def check(definition: Definition, roster: Roster = None, sheet: Sheet = None) -> None:
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
        out.print(ngettext("OK: {definition} is a valid {template} pact with {count} party to sign",
                           "OK: {definition} is a valid {template} pact with {count} parties to sign",
                           len(pact.parties)).format(definition=definition, template=pact.template,
                                                     count=len(pact.parties)), markup=False)
        out.print(signing_order_line(pact), markup=False)
        return
    entries = read_roster(roster, sheet, pact.beside_roster, font=pact.font)
    first = pact.with_signer(entries[0].party)
    render_pact(first)
    out.print(ngettext("OK: {definition} is a valid {template} pact; {roster} lists {count} person",
                       "OK: {definition} is a valid {template} pact; {roster} lists {count} people",
                       len(entries)).format(definition=definition, template=pact.template, roster=roster,
                                            count=len(entries)), markup=False)
    out.print(signing_order_line(first, roster=True), markup=False)


ONE_STEP = {"signer": N_("the signer ({name})"), "superior": N_("the superior ({name})"),
            "witness": N_("the witness ({name})")}
MANY_STEP = {"signer": N_("the {count} signers (in any order among them)"),
             "superior": N_("the {count} superiors (in any order among them)"),
             "witness": N_("the {count} witnesses (in any order among them)")}


def signing_order_line(pact: Pact, *, roster: bool = False) -> str:
    """`signing order: sequential (the template's default): the signer (...), then the superior (...)`."""
    order = signing_order(pact.template, pact.signing_order)
    why = _("as the definition states") if pact.signing_order else _("the template's default")
    if order == "any":
        return _("signing order: any ({why}): the parties sign in any order").format(why=why)
    names = {p.field_name: _("each roster row") if roster and p.role == "signer" else p.name for p in pact.parties}
    roles = {p.field_name: p.role for p in pact.parties}
    steps = []
    for step in signing_steps([(p.field_name, p.role) for p in pact.parties], order):
        role = roles[step[0]]
        if len(step) == 1:
            steps.append(_(ONE_STEP[role]).format(name=names[step[0]]))
        else:
            steps.append(_(MANY_STEP[role]).format(count=len(step)))
    return _("signing order: {order} ({why}): {steps}").format(order=order, why=why,
                                                                steps=_(", then ").join(steps))


def list_templates(
    name: Annotated[str | None, typer.Argument(help=N_("Print this built-in template's source, to "
                                                       "copy and edit."))] = None,
) -> None:
    if name is not None:
        source = templates.builtin_source(name)
        if source is None:
            raise InputError(_("unknown template {name!r}").format(name=name),
                             hint=_("built-in templates: {names}").format(names=", ".join(BUILT_INS)))
        typer.echo(source.text, nl=False)
        return
    width = max(len(n) for n in BUILT_INS)
    for template_name, built_in in BUILT_INS.items():
        out.print(f"{template_name:<{width}}  {_(built_in.description)}", markup=False)


def register(app: typer.Typer) -> None:
    command(app, "render", N_("Render a pact definition to PDF; with --roster, one PDF per person and a "
                              "manifest.json."))(render)
    command(app, "check", N_("Validate a definition (and roster) and render it once in memory; every problem is "
                             "listed.\n\nThe render (nothing is written) catches what only the template can: a "
                             "custom template's undefined names, layout mistakes, a party without its signature "
                             "space."))(check)
    command(app, "templates", N_("List the built-in templates, or print one to start your own from."))(list_templates)
