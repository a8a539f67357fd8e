"""Load a pact definition from YAML, reporting every problem at once with `file:line:col`.

PyYAML's composer keeps a mark for every node, so values are read from the node tree rather than
from `safe_load`: that keeps the position of each value, and keeps identity numbers as typed
(`0812...` would otherwise lose its leading zero as an int).
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pakta_cli import coverage, printable
from pakta_cli import identity_numbers as identity
from pakta_cli.definition.model import (
    DEFAULT_FONT,
    FONTS,
    LANGUAGES,
    PAPERS,
    ROLES,
    SCHEMA_VERSION,
    Institution,
    Pact,
    Party,
    Program,
    Role,
    Target,
    assign_field_names,
)
from pakta_cli.errors import InputError, Location, Problem, ValidationError
from pakta_cli.i18n import N_, _, current, reworded
from pakta_cli.images import ImageProblem, load_file, logo_file_problem
from pakta_cli.pactfile import SIGNING_ORDERS
from pakta_cli.template_registry import BUILT_INS, template_problem

T = TypeVar("T")

TOP_LEVEL_REQUIRED = ("pakta", "template", "institution", "place", "date", "parties")
TOP_LEVEL_OPTIONAL = (
    "language",
    "paper",
    "font",
    "title",
    "number",
    "year",
    "context",
    "commitments",
    "closing",
    "verify_url",
    "targets",
    "programs",
    "signing_order",
)
PARTY_FIELDS = ("name", "nip", "nik", "rank", "position", "unit", "area", "decree", "key_id", "meterai")
YES, NO = ("true", "yes", "ya"), ("false", "no", "tidak")  # a roster cell may say ya / tidak
KEY_ID = re.compile(r"^[0-9a-f]{16}$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# 1250000, 1.250.000 (as Indonesians write rupiah) or 1_250_000; never 1500.75 or 6.48.2
WHOLE_NUMBER = re.compile(r"^(\d+|\d{1,3}(\.\d{3})+|\d{1,3}(_\d{3})+)$")
WEB_ADDRESS = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
SHARED = (("nip", "NIP"), ("nik", "NIK"), ("key_id", "key_id"))


class _Reader:
    """Reads typed values from YAML nodes, collecting problems instead of stopping at the first."""

    def __init__(self, source: str, sheet: str | None = None, font: str = DEFAULT_FONT) -> None:
        self.source = source
        self.sheet = sheet  # a workbook's sheet: places read people.xlsx[Sheet1]:4:B
        self.font = font  # printed text must be in what this font's faces can draw
        self.problems: list[Problem] = []
        self.hints: list[str] = []  # how to fix a problem, where a few words say it (shown once each)
        self.about: str | None = None  # what the command line may say better (`pakta_cli.errors.PaktaError`)

    def where(self, node: Node) -> Location:
        mark = node.start_mark
        return Location(self.source, mark.line + 1, mark.column + 1, self.sheet)

    def fail(self, node: Node, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.where(node), message))
        if hint is not None and hint not in self.hints:
            self.hints.append(hint)

    def mapping(
        self, node: Node, what: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.fail(node, _("{what} must be a mapping of `key: value` lines").format(what=what))
            return None
        allowed = required + optional
        found: dict[str, Node] = {}
        key_nodes: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.fail(key_node, _("a key in {what} must be a plain word").format(what=what))
                continue
            key = key_node.value
            if key in found:
                first = self.where(key_nodes[key]).line
                self.fail(key_node, _("duplicate key '{key}' in {what} (first at line {first})").format(
                                        key=key, what=what, first=first))
                continue
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                suggestion = f"; did you mean '{close[0]}'?" if close else f"; expected one of: {', '.join(allowed)}"
                self.fail(key_node, _("unknown key '{key}' in {what}{suggestion}").format(
                                        key=key, what=what, suggestion=suggestion))
                continue
            found[key] = value_node
            key_nodes[key] = key_node
        for key in required:
            if key not in found:
                self.fail(node, _("missing required key '{key}' in {what}").format(key=key, what=what))
        return found

    def text(self, node: Node, what: str, *, printed: bool = True) -> str | None:
        """The value as text; `printed=False` for values that name files rather than appear in the pact."""
        if not isinstance(node, ScalarNode):
            self.fail(node, (_("{what} must be text, not a list") if isinstance(node, SequenceNode)
                             else _("{what} must be text, not a mapping")).format(what=what))
            return None
        if node.tag == "tag:yaml.org,2002:null" or not node.value.strip():
            self.fail(node, _("{what} must not be empty").format(what=what))
            return None
        # one form for the letters people type with their accents apart (as some keyboards and macOS do)
        value = unicodedata.normalize("NFC", node.value)
        if printed:
            bad = coverage.unprintable(value, self.font)
            if bad is not None:  # located at the value (a roster's column is its cell); the message names the letter
                self.fail(node, _("{what}: {character} cannot be printed in a pact ({why})").format(
                                    what=what, character=printable.describe(bad[1]),
                                    why=coverage.why_unprintable(bad[1], self.font)))
                return None
            word = coverage.overlong_word(value)
            if word is not None:
                self.fail(node, _("{what}: {why}").format(what=what, why=coverage.why_overlong(word)))
                return None
        return " ".join(value.split()) if "\n" in value else value.strip()

    def boolean(self, node: Node, what: str) -> bool | None:
        value = self.text(node, what, printed=False)
        if value is not None and value.lower() not in YES + NO:
            self.fail(node, _("{what} must be true or false, not {value!r}").format(what=what, value=value))
            return None
        return None if value is None else value.lower() in YES

    def integer(self, node: Node, what: str) -> int | None:
        value = self.text(node, what)
        if value is None:
            return None
        if not WHOLE_NUMBER.match(value):
            hint = " (dots only between groups of three digits: 1.250.000)" if "." in value or "," in value else ""
            self.fail(node, _("{what} must be a whole number, not {value!r}{hint}").format(
                                what=what, value=value, hint=hint))
            return None
        return int(value.replace(".", "").replace("_", ""))

    def date(self, node: Node, what: str) -> dt.date | None:
        value = self.text(node, what)
        if value is None:
            return None
        match = ISO_DATE.match(value)
        if not match:
            self.fail(node, _("{what} must be a date written YYYY-MM-DD, not {value!r}").format(
                                what=what, value=value))
            return None
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as exc:
            self.fail(node, _("impossible date {value}: {exc}").format(value=value, exc=exc))
            return None

    def choice(self, node: Node, what: str, choices: tuple[str, ...]) -> str | None:
        value = self.text(node, what)
        if value is not None and value not in choices:
            self.fail(node, _("{what} must be one of {choices}, not {value!r}").format(
                                what=what, choices=', '.join(choices), value=value))
            return None
        return value

    def items(self, node: Node, what: str, read: Callable[[Node, str], T | None]) -> list[T] | None:
        if not isinstance(node, SequenceNode):
            self.fail(node, _("{what} must be a list (lines starting with '- ')").format(what=what))
            return None
        out = []
        for index, item in enumerate(node.value, start=1):
            value = read(item, f"{what} item {index}")
            if value is not None:
                out.append(value)
        return out


def _read_party(reader: _Reader, node: Node, what: str) -> Party | None:
    fields = reader.mapping(node, what, ("role", "name"), PARTY_FIELDS[1:])
    if fields is None:
        return None
    return read_party_fields(reader, fields, what)


def read_party_fields(reader: _Reader, fields: dict[str, Node], what: str, role: Role | None = None) -> Party | None:
    """Build a Party from already-located fields; shared by the YAML loader and the roster."""
    before = len(reader.problems)
    if role is None and "role" in fields:
        chosen = reader.choice(fields["role"], f"{what} role", ROLES)
        role = next((r for r in ROLES if r == chosen), None)
    values: dict[str, str | None] = {}
    for key in PARTY_FIELDS[:-1]:
        values[key] = reader.text(fields[key], f"{what} {key}") if key in fields else None
    meterai = reader.boolean(fields["meterai"], f"{what} meterai") if "meterai" in fields else False
    for key, check in (("nip", identity.nip_problem), ("nik", identity.nik_problem)):
        raw = values[key]
        if raw is not None:
            problem = check(raw)
            if problem:
                reader.fail(fields[key], problem)
            else:
                values[key] = identity.normalise(raw)
    key_id = values["key_id"]
    if key_id is not None:
        values["key_id"] = key_id = key_id.lower().replace(":", "")
        if not KEY_ID.match(key_id):
            reader.fail(fields["key_id"], _("key_id must be the 16 hex digits `pakta keys show` "
                                            "prints, not {key_id!r}").format(key_id=key_id))
    if len(reader.problems) > before or role is None or values["name"] is None or meterai is None:
        return None
    return Party(role=role, meterai=meterai, **{k: v for k, v in values.items()})  # type: ignore[arg-type]


def _refuse_shared_identities(reader: _Reader, parties: list[Party], node: Node) -> None:
    """One person is one party: two parties with one NIP, NIK or key id would let one person sign twice."""
    items = node.value if isinstance(node, SequenceNode) and len(node.value) == len(parties) else None
    for key, label in SHARED:
        first: dict[str, int] = {}
        for index, party in enumerate(parties, start=1):
            value = getattr(party, key)
            if value is None:
                continue
            if value in first:
                reader.fail(items[index - 1] if items else node,
                            _("parties item {index} ({name}) has the same {label} as item "
                              "{first}: one person is one party").format(
                                index=index, name=party.name, label=label, first=first[value]))
            else:
                first[value] = index


def _read_target(reader: _Reader, node: Node, what: str) -> Target | None:
    fields = reader.mapping(node, what, ("goal", "indicator", "target"))
    if fields is None or len(fields) < 3:
        return None
    goal, indicator, target = (reader.text(fields[k], f"{what} {k}") for k in ("goal", "indicator", "target"))
    if goal is None or indicator is None or target is None:
        return None
    return Target(goal, indicator, target)


def _read_program(reader: _Reader, node: Node, what: str) -> Program | None:
    fields = reader.mapping(node, what, ("program", "budget"))
    if fields is None or len(fields) < 2:
        return None
    program = reader.text(fields["program"], f"{what} program")
    budget = reader.integer(fields["budget"], f"{what} budget (in rupiah)")
    if program is None or budget is None:
        return None
    return Program(program, budget)


# what PyYAML says most often, in the run's language; a sentence no pattern knows stays as PyYAML wrote it
YAML_PROBLEMS = (
    (r"expected the node content, but found (?P<found>.+)", N_("a value was expected, but found {found}")),
    (r"expected <block end>, but found (?P<found>.+)", N_("the indentation ends wrongly: found {found}")),
    (r"mapping values are not allowed here", N_("a colon here starts no key (is a text missing its quotes?)")),
    (r"found character (?P<found>.+) that cannot start any token",
     N_("the character {found} cannot start a value (tabs are not allowed for indentation)")),
    (r"could not find expected ':'", N_("a colon (:) is missing")),
    (r"did not find expected key", N_("a key was expected (check the indentation)")),
    (r"did not find expected (?P<found>.+)", N_("{found} was expected")),
    (r"found unexpected end of stream", N_("the file ends in the middle of a value (a quote not closed?)")),
    (r"expected ',' or '(?P<close>[\]}])', but got (?P<found>.+)", N_("expected ',' or '{close}', but found {found}")),
    (r"found undefined alias (?P<found>.+)", N_("the alias {found} is not defined")),
    (r"while (?:parsing|scanning) (?P<what>.+)", N_("the file breaks off while reading {what}")),
)


def yaml_problem(english: str) -> str:
    if current() == "en":
        return english  # PyYAML's own words, which its documentation and forums use
    return reworded(english, YAML_PROBLEMS)


FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_definition(text: str, source: str, base_dir: Path, *, roster: bool = False) -> Pact:
    """Parse definition text; `roster=True` allows a pact with no signer (the roster brings them)."""
    try:
        try:  # libyaml's parser, five times as fast (verify re-renders every pact's definition)
            root = yaml.compose(text, Loader=FAST_LOADER)
        except yaml.YAMLError:  # said in PyYAML's own words, at its own marks
            root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(source, mark.line + 1, mark.column + 1) if mark else Location(source)
        raise ValidationError([Problem(where, _("not valid YAML: {problem}").format(
                                                  problem=yaml_problem(str(exc.problem or exc.context))))]) from exc
    except yaml.YAMLError as exc:
        raise ValidationError([Problem(Location(source), _("not valid YAML: {exc}").format(exc=exc))]) from exc
    if root is None:
        raise ValidationError([Problem(Location(source, 1, 1), _("the definition is empty"))])

    reader = _Reader(source)
    top = reader.mapping(root, "the definition", TOP_LEVEL_REQUIRED, TOP_LEVEL_OPTIONAL)
    if top is None:
        raise ValidationError(reader.problems)
    font = reader.choice(top["font"], "font", FONTS) if "font" in top else DEFAULT_FONT
    reader.font = font or DEFAULT_FONT  # first: what the rest may contain depends on it

    if "pakta" in top:
        version = reader.integer(top["pakta"], "pakta (schema version)")
        if version is not None and version != SCHEMA_VERSION:
            reader.fail(top["pakta"], _("this pakta reads schema version {schema}, not {version}").format(
                                          schema=SCHEMA_VERSION, version=version))

    def field_text(key: str) -> str | None:
        return reader.text(top[key], key) if key in top else None

    template = reader.text(top["template"], "template", printed=False) if "template" in top else None
    if template is not None:
        problem = template_problem(template, base_dir)
        if problem:
            reader.fail(top["template"], problem)
        built_in = BUILT_INS.get(template)
        for key in built_in.ignores if built_in else ():
            if key in top:  # a field the pact would not print is dropped silently no more than a typo is
                reader.fail(top[key], _("template {template!r} does not print {key}; remove it, or "
                                        "choose a template that does").format(template=template, key=key))

    institution = None
    if "institution" in top:
        inst = reader.mapping(top["institution"], "institution", ("name",), ("address", "logo"))
        if inst is not None and "name" in inst:
            name = reader.text(inst["name"], "institution name")
            address = reader.text(inst["address"], "institution address") if "address" in inst else None
            logo = reader.text(inst["logo"], "institution logo", printed=False) if "logo" in inst else None
            if logo is not None and not (base_dir / logo).is_file():
                reader.fail(inst["logo"], _("logo file {logo!r} not found (looked in {base_dir})").format(
                                              logo=logo, base_dir=base_dir))
            elif logo is not None:
                try:
                    # read and decoded once, under pakta's limits; layout reuses the pixels
                    data, _picture = load_file(base_dir / logo)
                    carried = logo_file_problem(Path(logo).name, data)
                    if carried is not None:
                        raise ImageProblem(base_dir / logo, carried, _("save the picture again as a plain PNG"))
                except ImageProblem as exc:
                    reader.fail(inst["logo"], _("logo {logo!r}: {problem}").format(
                        logo=logo, problem=exc.problem), exc.hint)
            if name is not None:
                institution = Institution(name, address, logo)

    language = reader.choice(top["language"], "language", LANGUAGES) if "language" in top else "id"
    paper = reader.choice(top["paper"], "paper", PAPERS) if "paper" in top else "A4"
    date = reader.date(top["date"], "date") if "date" in top else None
    year = reader.integer(top["year"], "year") if "year" in top else None
    signing_order = (reader.choice(top["signing_order"], "signing_order", SIGNING_ORDERS)
                     if "signing_order" in top else None)

    def read_text(node: Node, what: str) -> str | None:
        return reader.text(node, what)

    commitments = reader.items(top["commitments"], "commitments", read_text) if "commitments" in top else []
    if "commitments" in top and isinstance(top["commitments"], SequenceNode) and not top["commitments"].value:
        reader.fail(top["commitments"], _("commitments must not be an empty list; leave the key out "
                                          "for the template's standard points"))
    parties: list[Party] | None = None
    if "parties" in top:
        parties = reader.items(top["parties"], "parties", lambda n, w: _read_party(reader, n, w))
        complete = parties is not None and len(parties) == len(top["parties"].value)
        if complete and not roster and not any(p.role == "signer" for p in parties or ()):
            reader.fail(top["parties"], _("no party has role 'signer'; add one, or give the signers in a "
                                          "roster"))
            reader.about = "roster_needed"
    targets = (
        reader.items(top["targets"], "targets", lambda n, w: _read_target(reader, n, w)) if "targets" in top else []
    )
    programs = (
        reader.items(top["programs"], "programs", lambda n, w: _read_program(reader, n, w)) if "programs" in top else []
    )

    texts = {key: field_text(key) for key in ("place", "title", "number", "context", "closing", "verify_url")}
    if texts["verify_url"] is not None and not WEB_ADDRESS.match(texts["verify_url"]):
        reader.fail(top["verify_url"], _("verify_url must be a web address (https://...), not "
                                         "{value!r}").format(value=texts['verify_url']))
    if parties:
        _refuse_shared_identities(reader, parties, top["parties"])

    if reader.problems:
        raise ValidationError(reader.problems, hint="; ".join(reader.hints) or None, about=reader.about)
    place = texts["place"]
    assert template is not None and institution is not None and date is not None and parties is not None
    assert place is not None and language is not None and paper is not None and font is not None
    pact = Pact(
        template=template,
        institution=institution,
        place=place,
        date=date,
        parties=assign_field_names(tuple(parties)),
        language=language,
        paper=paper,
        font=font,
        title=texts["title"],
        number=texts["number"],
        year=year,
        context=texts["context"],
        commitments=tuple(commitments or ()),
        closing=texts["closing"],
        verify_url=texts["verify_url"],
        targets=tuple(targets or ()),
        programs=tuple(programs or ()),
        signing_order=signing_order,
        base_dir=str(base_dir),
    )
    problems = _template_requirement_problems(pact, Location(source, root.start_mark.line + 1, 1))
    if problems:
        raise ValidationError(problems)
    return pact


def _template_requirement_problems(pact: Pact, where: Location) -> list[Problem]:
    """A built-in template's own needs, such as the superior a performance agreement names."""
    built_in = BUILT_INS.get(pact.template)
    if built_in is None:
        return []
    roles = {p.role for p in pact.parties}
    problems = [
        Problem(where, _("template {template!r} needs a party with role '{role}'").format(
                           template=pact.template, role=role))
        for role in built_in.required_roles
        if role not in roles and role != "signer"
    ]
    signers = sum(1 for p in pact.parties if p.role == "signer")
    if built_in.max_signers is not None and signers > built_in.max_signers:
        problems.append(Problem(where, _("template {template!r} takes at most {max_signers} signer, "
                                         "the definition has {signers}").format(
                                           template=pact.template, max_signers=built_in.max_signers,
                                           signers=signers)))
    return problems


def read_text_file(path: Path, what: str) -> str:
    """Read a UTF-8 input (BOM allowed), turning OS errors into one-line messages."""
    return decode_text(read_input(path, what), path)


def read_input(path: Path, what: str) -> bytes:
    """An input file's bytes; a missing, unreadable or folder path is one line naming it."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(_("{path}: {what} not found").format(path=path, what=_(what)),
                         hint=_("check the path")) from None
    except IsADirectoryError:
        raise InputError(_("{path}: is a folder, expected a {what} file").format(path=path, what=_(what))) from None
    except OSError as exc:
        raise InputError(_("{path}: cannot read {what}: {strerror}").format(
                             path=path, what=_(what), strerror=exc.strerror)) from None


UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 with or without a BOM, or UTF-16 with its BOM; else an error at the first bad byte."""
    if data.startswith(UTF16_BOMS):  # Excel's "Unicode Text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ValidationError([Problem(Location(path, 1, 1), _("damaged UTF-16 text"))],
                                  hint=_("save the file as UTF-8")) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data[: exc.start].count(b"\n") + 1
        column = len(data[line_start: exc.start].decode("utf-8", "replace")) + 1
        raise ValidationError(
            [Problem(Location(path, line, column),
                     _("not UTF-8 text (byte 0x{byte:02x}, perhaps Windows-1252)").format(
                         byte=data[exc.start]))],
            hint=_('save the file as UTF-8 (in Excel: Save As, "CSV UTF-8 (Comma delimited)")'),
        ) from None


def load_definition(path: Path, *, roster: bool = False) -> Pact:
    """Load and validate a definition file."""
    return parse_definition(read_text_file(path, N_("definition")), str(path), path.parent, roster=roster)
