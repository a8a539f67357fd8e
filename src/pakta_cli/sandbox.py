"""The Jinja sandbox every template renders in, built-in or custom: a template is data, never code.

Offices pass templates to each other, so a template file is hostile input, like a PDF. Jinja's
ImmutableSandboxedEnvironment is the base; pakta narrows it to what templates/README.md lists:

- names: the variables pakta passes and one global, `namespace` (Jinja's `range`, `dict`,
  `cycler`, `joiner` and `lipsum` are gone);
- attributes: an allow-list by type. A pact, party or institution shows its data fields, a date
  its year, month and day, text a few methods that cannot make text longer; nothing else, so no
  `__globals__`, `__class__`, `str.format`, `date.today()` or `int.to_bytes()`;
- filters and tests: an allow-list, without the ones that open other doors (`attr`, `format`,
  `safe`, `xmlattr`, `tojson`, `random`, ...);
- `{% include %}`, `{% import %}` and `{% extends %}` reach only pakta's built-in files (the
  loader is given by templates.py).

Work is bounded, counted rather than timed so that the same template always passes or always
fails, on any machine. Steps count the template code that runs: a loop round costs the syntax
nodes of its body, a call CALL_STEPS more, a macro or template its nodes each time it runs. Units
count every character or list item a template makes, compares or writes, and a filter or operator
that would make a long text pays before it makes it. Jinja has no hook for loops, comparisons, `~`,
slices or output, so the code generator rewrites each template's syntax tree to pass those through
the meter first.
A template prints text, numbers and dates only: printing a list or an object could make text
far larger than anything counted (and would print memory addresses, which are not reproducible).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import fields
from typing import Any, cast

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import TemplateModule
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS, make_attrgetter
from jinja2.runtime import BlockReference, Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.tests import TESTS
from jinja2.utils import Namespace, _PassArg
from jinja2.visitor import NodeTransformer

from pakta_cli.definition.model import Institution, Pact, Party, Program, Target
from pakta_cli.i18n import _

# Limits, each far above what a built-in needs (about 5,000 steps, 25,000 units, 5,000 characters
# of layout) and low enough that a template that hits one stops within a second or two.
MAX_STEPS = 1_000_000  # syntax nodes run: a loop round costs its body's nodes, a call CALL_STEPS more
CALL_STEPS = 20  # a Jinja call (a macro's arguments, its frame) costs about as much as twenty nodes
MAX_UNITS = 10_000_000  # characters and list items made, compared or written
MAX_OUTPUT = 100_000  # characters of layout, some 35 pages of text: ReportLab lays out big tables slowly
MAX_INT_BITS = 128  # whole numbers below 2**128 (rupiah budgets need 40 bits)
MAX_ROUND_PLACES = 38  # 10**38 < 2**128

FILTER_NAMES = (
    "abs", "batch", "capitalize", "count", "d", "default", "dictsort", "first", "float", "groupby", "int",
    "items", "join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace",
    "reverse", "round", "select", "selectattr", "slice", "sort", "string", "sum", "title", "trim", "truncate",
    "unique", "upper",
)
TEST_NAMES = (
    "!=", "<", "<=", "==", ">", ">=", "boolean", "defined", "divisibleby", "eq", "equalto", "even", "false",
    "float", "ge", "greaterthan", "gt", "in", "integer", "iterable", "le", "lessthan", "lt", "mapping", "ne",
    "none", "number", "odd", "sameas", "sequence", "string", "true", "undefined",
)
TEXT_METHODS = frozenset({
    "capitalize", "count", "endswith", "find", "index", "isalnum", "isalpha", "isdigit", "islower", "isspace",
    "istitle", "isupper", "lower", "lstrip", "partition", "removeprefix", "removesuffix", "rfind", "rindex",
    "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "title", "upper",
})
SEQUENCE_METHODS = frozenset({"count", "index"})
MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})
LOOP_FIELDS = frozenset({"changed", "cycle", "depth", "depth0", "first", "index", "index0", "last", "length",
                         "nextitem", "previtem", "revindex", "revindex0"})
# what a template sees of pakta's objects: their data, never a method or base_dir (a folder on this machine)
DATA_FIELDS: dict[type, frozenset[str]] = {
    **{kind: frozenset(f.name for f in fields(kind)) - {"base_dir"}
       for kind in (Pact, Party, Institution, Target, Program)},
    dt.date: frozenset({"year", "month", "day"}),
}
_SIZED = (str, list, tuple, dict)
_PRINTABLE = (str, int, float, dt.date, type(None))
_HOOKS = frozenset({"pakta_rounds", "pakta_steps", "pakta_sized", "pakta_text", "pakta_written"})


class TemplateRefused(SecurityError):
    """A template tried what templates may not do; the message says what, for a clerk."""

    def __init__(self, message: str, lineno: int | None = None) -> None:
        super().__init__(message)
        self.lineno = lineno


def refused(what: str, lineno: int | None = None) -> TemplateRefused:
    return TemplateRefused(_("template tried to reach something templates may not use: {what}").format(
        what=what), lineno)


def _past(limit: str) -> TemplateRefused:
    return TemplateRefused(_("template went past a limit: {limit}").format(limit=limit))


class _Meter:
    """One render's work: steps (template code run) and units (characters and list items handled)."""

    __slots__ = ("steps", "units")

    def __init__(self) -> None:
        self.steps = 0
        self.units = 0

    def step(self, steps: int = 1) -> None:
        self.steps += steps
        if self.steps > MAX_STEPS:
            raise _past(_("more than {limit:,} steps (each loop round, call and macro counts its size)").format(
                            limit=MAX_STEPS))

    def spend(self, units: int) -> None:
        self.units += units
        if self.units > MAX_UNITS:
            raise _past(_("more than {limit:,} characters and list items made, compared or written").format(
                            limit=MAX_UNITS))


_METER: ContextVar[_Meter] = ContextVar("pakta_template_meter")


def _size(value: Any) -> int:
    return len(value) if isinstance(value, _SIZED) else 0


def _sizes(values: Iterable[Any]) -> int:
    """What handing `values` over costs: one unit each, plus the length of each text or list."""
    units = 0
    for value in values:
        units += len(value) + 1 if isinstance(value, _SIZED) else 1
    return units


def _text_size(value: Any) -> int:
    """The printed length of a value a template may print; anything else is refused."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, jinja2.Undefined):
        return 0  # printing it raises Jinja's own "is undefined"
    if isinstance(value, _PRINTABLE):
        return len(str(value))
    raise TemplateRefused(_("template tried to print a {kind}: a template prints text, numbers "
                            "and dates (print a list's items one by one, or join them)").format(
                              kind=type(value).__name__))


def _too_large() -> TemplateRefused:
    return _past(_("a whole number of 2**{bits} or more").format(bits=MAX_INT_BITS))


def _whole_number(value: Any) -> Any:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise _too_large()
    return value


# -- filters and tests ------------------------------------------------------------------------------


def _first_argument(inner: Callable[..., Any]) -> Callable[[Context], tuple[Any, ...]]:
    """What a Jinja filter or test asks for before its value (pass_context and the like)."""
    kind = _PassArg.from_obj(inner)
    if kind is _PassArg.context:
        return lambda context: (context,)
    if kind is _PassArg.eval_context:
        return lambda context: (context.eval_ctx,)
    if kind is _PassArg.environment:
        return lambda context: (context.environment,)
    return lambda context: ()


def _metered(inner: Callable[..., Any], check: Callable[..., None] | None = None) -> Callable[..., Any]:
    """A filter or test that pays for what it reads and makes.

    pass_context also keeps Jinja from running it at compile time, where nothing is metered.
    Lazy results (map, select, batch) are made whole here so that what they make is counted.
    """
    first = _first_argument(inner)

    @jinja2.pass_context
    def run(context: Context, value: Any, *args: Any, **kwargs: Any) -> Any:
        meter = _METER.get()
        meter.spend(_sizes((value, *args, *kwargs.values())))
        if check is not None:
            check(value, *args, **kwargs)
        result = inner(*first(context), value, *args, **kwargs)
        if isinstance(result, Iterator):
            result = list(result)
        meter.spend(_size(result))
        return result

    return run


def _text_value(value: Any, *args: Any, **kwargs: Any) -> None:
    _text_size(value)


def _replace_growth(value: Any, old: Any, new: Any, count: int | None = None) -> None:
    """Pays before replacing for the text it will add (`replace('', long)` puts it between every letter)."""
    _text_size(value), _text_size(old)
    text, old_text = str(value), str(old)
    found = text.count(old_text) if old_text else len(text) + 1
    if count is not None and count >= 0:
        found = min(found, count)
    _METER.get().spend(found * _text_size(new))


def _batch_padding(value: Any, linecount: Any, fill_with: Any = None) -> None:
    if fill_with is not None and isinstance(linecount, int):
        _METER.get().spend(max(linecount, 0))


def _slice_count(value: Any, slices: Any, fill_with: Any = None) -> None:
    if isinstance(slices, int):
        _METER.get().spend(max(slices, 0))  # one round, and one list, per slice


def _round_places(value: Any, precision: Any = 0, method: str = "common") -> None:
    """round computes 10**precision: `round(-10**9)` would run for hours."""
    if isinstance(precision, int) and abs(precision) > MAX_ROUND_PLACES:
        raise _past(_("rounding to more than {limit} places").format(limit=MAX_ROUND_PLACES))


def _items(context: Context, value: Iterable[Any], attribute: str | int | None) -> list[Any]:
    items = list(value)
    if attribute is None:
        return items
    get = make_attrgetter(context.environment, attribute)
    return [get(item) for item in items]


@jinja2.pass_context
def _join(context: Context, value: Iterable[Any], d: str = "", attribute: str | int | None = None) -> str:
    """Jinja's join, paying first for the text it will make (a long separator times many items)."""
    items = _items(context, value, attribute)
    _METER.get().spend(sum(map(_text_size, items)) + max(len(items) - 1, 0) * _text_size(d))
    joined: str = FILTERS["join"](context.eval_ctx, items, d)
    return joined


@jinja2.pass_context
def _sum(context: Context, value: Iterable[Any], attribute: str | int | None = None, start: Any = 0) -> Any:
    """Jinja's sum, for numbers only (adding lists is how a template could multiply them)."""
    items = [*_items(context, value, attribute), start]
    if not all(isinstance(item, (int, float)) for item in items):
        raise refused(_("sum of something other than numbers"))
    return _whole_number(sum(items))


_FILTER_CHECKS: dict[str, Callable[..., None]] = {
    **{name: _text_value for name in ("capitalize", "lower", "string", "title", "trim", "truncate", "upper")},
    "replace": _replace_growth,
    "batch": _batch_padding,
    "slice": _slice_count,
    "round": _round_places,
}
_OWN_FILTERS: dict[str, Callable[..., Any]] = {"join": _join, "sum": _sum}


def filters(extra: Mapping[str, Callable[..., Any]]) -> dict[str, Any]:
    """Jinja's allowed filters and pakta's own (`extra`), each metered."""
    chosen = {name: _OWN_FILTERS.get(name, FILTERS[name]) for name in FILTER_NAMES} | dict(extra)
    return {name: _metered(inner, _FILTER_CHECKS.get(name)) for name, inner in chosen.items()}


def tests() -> dict[str, Any]:
    chosen = cast(Mapping[str, Callable[..., Any]], TESTS)
    return {name: _metered(chosen[name]) for name in TEST_NAMES}


# -- the code generator: loops, comparisons, ~, slices and output go through the meter ----------


def _hook(name: str, *args: nodes.Node) -> nodes.Call:
    call = nodes.Call(nodes.EnvironmentAttribute(name), [cast(nodes.Expr, arg) for arg in args], [], None, None)
    call.set_lineno(args[0].lineno or 1)
    return call


def _weight(body: Iterable[nodes.Node]) -> int:
    """How many steps running `body` once costs: its syntax nodes, all of them (an upper bound)."""
    return max(1, sum(1 + sum(1 for _ in node.find_all(nodes.Node)) for node in body))


def _charge(body: list[nodes.Node], lineno: int) -> None:
    """Make `body` pay its weight each time it runs (a macro called, a block or a template rendered)."""
    body.insert(0, nodes.ExprStmt(_hook("pakta_steps", nodes.Const(_weight(body), lineno=lineno)), lineno=lineno))


class _Instrument(NodeTransformer):
    """Rewrites a parsed template so that what Jinja does without a call passes a meter hook."""

    def __init__(self, environment: jinja2.Environment) -> None:
        self.environment = environment

    def visit_Filter(self, node: nodes.Filter) -> nodes.Node:
        if node.name in FILTERS and node.name not in self.environment.filters:
            raise refused(_("the filter {name!r}").format(name=node.name), node.lineno)
        return self.generic_visit(node)

    def visit_Test(self, node: nodes.Test) -> nodes.Node:
        if node.name in TESTS and node.name not in self.environment.tests:
            raise refused(_("the test {name!r}").format(name=node.name), node.lineno)
        return self.generic_visit(node)

    def visit_Template(self, node: nodes.Template) -> nodes.Node:
        self.generic_visit(node)
        _charge(node.body, 1)
        return node

    def visit_For(self, node: nodes.For) -> nodes.Node:
        if node.recursive:
            raise refused(_("recursive loops"), node.lineno)
        weight = _weight([*node.body, *([node.test] if node.test else [])])
        self.generic_visit(node)
        node.iter = _hook("pakta_rounds", node.iter, nodes.Const(weight, lineno=node.lineno))
        return node

    def visit_Macro(self, node: nodes.Macro | nodes.CallBlock | nodes.Block) -> nodes.Node:
        self.generic_visit(node)
        _charge(node.body, node.lineno)
        return node

    visit_CallBlock = visit_Block = visit_Macro

    def visit_Compare(self, node: nodes.Compare) -> nodes.Node:
        self.generic_visit(node)
        node.expr = _hook("pakta_sized", node.expr)
        for operand in node.ops:
            operand.expr = _hook("pakta_sized", operand.expr)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [_hook("pakta_text", part) for part in node.nodes]
        return node

    def visit_Getitem(self, node: nodes.Getitem) -> nodes.Node:
        self.generic_visit(node)
        return _hook("pakta_sized", node) if isinstance(node.arg, nodes.Slice) else node

    def visit_Output(self, node: nodes.Output) -> nodes.Node | list[nodes.Node]:
        self.generic_visit(node)
        data = sum(len(child.data) for child in node.nodes if isinstance(child, nodes.TemplateData))
        node.nodes = [child if isinstance(child, nodes.TemplateData) else _hook("pakta_text", child)
                      for child in node.nodes]
        if not data:
            return node
        written = _hook("pakta_written", nodes.Const(data, lineno=node.lineno))
        return [nodes.ExprStmt(written, lineno=node.lineno), node]

    def visit_ScopedEvalContextModifier(self, node: nodes.EvalContextModifier) -> nodes.Node:
        raise refused(_("{% autoescape %} (every value is escaped, always)"), node.lineno)

    visit_EvalContextModifier = visit_ScopedEvalContextModifier


class _CodeGenerator(CodeGenerator):
    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        _Instrument(self.environment).visit(node)
        super().visit_Template(node, frame)

    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        hook = node.node
        if isinstance(hook, nodes.EnvironmentAttribute) and hook.name in _HOOKS:
            self.write(f"environment.{hook.name}(")  # straight to the meter, not through the sandbox's call
            for index, arg in enumerate(node.args):
                self.write(", " if index else "")
                self.visit(arg, frame)
            self.write(")")
        else:
            super().visit_Call(node, frame, forward_caller=forward_caller)


# -- the environment --------------------------------------------------------------------------------


class _Sandbox(ImmutableSandboxedEnvironment):
    code_generator_class = _CodeGenerator
    intercepted_binops = frozenset(ImmutableSandboxedEnvironment.default_binop_table)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_"):
            return False
        allowed = DATA_FIELDS.get(type(obj))
        if allowed is not None:
            return attr in allowed
        if isinstance(obj, str):
            return attr in TEXT_METHODS
        if isinstance(obj, tuple) and attr in getattr(type(obj), "_fields", ()):
            return True  # groupby's (grouper, list)
        if isinstance(obj, (list, tuple)):
            return attr in SEQUENCE_METHODS
        if isinstance(obj, dict):
            return attr in MAPPING_METHODS
        if isinstance(obj, LoopContext):
            return attr in LOOP_FIELDS
        if isinstance(obj, BlockReference):
            return attr == "super"
        return isinstance(obj, (Namespace, TemplateModule))  # the template's own names and macros

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        if isinstance(obj, jinja2.Undefined):
            return obj  # `cycler.__init__`: the error to report is that `cycler` is undefined
        raise refused(f"{type(obj).__name__}.{attribute}")

    def wrap_str_format(self, value: Any) -> None:
        return None  # str.format is not on the allow-list; never hand out even a sandboxed one

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        meter = _METER.get()
        meter.step(CALL_STEPS)
        meter.spend(_sizes((getattr(obj, "__self__", None), *args, *kwargs.values())))
        result = super().call(context, obj, *args, **kwargs)
        meter.spend(_size(result))
        return result

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        meter = _METER.get()
        if operator == "%" and isinstance(left, str):
            raise refused(_("% on text (join text with ~)"))
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, _SIZED) and isinstance(times, int):
                    meter.spend(len(sequence) * max(times, 0))  # before the text exists
        if isinstance(left, int) and isinstance(right, int) and (  # the fewest bits the result can have
            (operator == "*" and left.bit_length() + right.bit_length() - 1 > MAX_INT_BITS)
            or (operator == "**" and (left.bit_length() - 1) * max(right, 0) + 1 > MAX_INT_BITS)
        ):
            raise _too_large()
        result = _whole_number(self.binop_table[operator](left, right))
        meter.spend(_size(result))
        return result

    # meter hooks, called by the code _CodeGenerator writes (a template cannot name them)

    def pakta_rounds(self, iterable: Iterable[Any], weight: int) -> Iterator[Any]:
        meter = _METER.get()
        for item in iterable:
            meter.step(weight)
            yield item

    def pakta_steps(self, weight: int) -> None:
        _METER.get().step(weight)

    def pakta_sized(self, value: Any) -> Any:
        """A value compared, or a slice made: pays its length."""
        _METER.get().spend(_size(value))
        return value

    def pakta_text(self, value: Any) -> Any:
        _METER.get().spend(_text_size(value))
        return value

    def pakta_written(self, characters: int) -> None:
        _METER.get().spend(characters)


def environment(loader: jinja2.BaseLoader, extra_filters: Mapping[str, Callable[..., Any]]) -> jinja2.Environment:
    """The environment every pakta template renders in (StrictUndefined, autoescaping)."""
    env = _Sandbox(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                   lstrip_blocks=True, keep_trailing_newline=False)
    env.globals = {"namespace": Namespace}
    env.filters = filters(extra_filters)
    env.tests = tests()
    return env


def render(template: jinja2.Template, variables: Mapping[str, Any]) -> str:
    """Render under a fresh meter; raises TemplateRefused past a limit."""
    token = _METER.set(_Meter())
    try:
        markup = template.render(variables)
    finally:
        _METER.reset(token)
    if len(markup) > MAX_OUTPUT:
        raise _past(_("more than {limit:,} characters of layout").format(limit=MAX_OUTPUT))
    return markup
