"""The sandbox a template renders in: what templates/README.md lists works, the rest is refused by name.

These call render_markup directly, so that every variable, filter, test and method can be tried
cheaply; tests/cli/test_template_sandbox.py runs each kind of attack through the commands.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from pakta_cli import sandbox, templates
from pakta_cli.definition import Pact, Party, load_definition, parse_definition
from pakta_cli.definition.model import Institution, Program, Target
from pakta_cli.errors import InputError
from tests.test_render import DEFINITION

ROOT = Path(__file__).resolve().parents[1]
PACT = parse_definition(DEFINITION, "t.yaml", Path("."))
REFUSED = "mine.xml.j2:1: template tried to reach something templates may not use: "
LIMIT = "mine.xml.j2:1: template went past a limit: "


def markup(text: str, pact: Pact = PACT) -> str:
    return templates.render_markup(templates.TemplateSource("mine.xml.j2", text), pact)


def refusal(text: str) -> str:
    with pytest.raises(InputError) as caught:
        markup(text)
    assert "\n" not in caught.value.message
    return caught.value.message


# --- names: every variable and global leads to its data and no further ------------------------------

NAMES = ("pact", "institution", "parties", "signers", "superiors", "witnesses", "date_text", "year", "tr", "lang",
         "namespace", "pact.date", "parties[0]", "pact.commitments")


@pytest.mark.parametrize("walk", ["__class__.__mro__[1].__subclasses__()", "__init__.__globals__",
                                  "__reduce_ex__(2)", "__getattribute__('__class__')"])
@pytest.mark.parametrize("name", NAMES)
def test_no_name_leads_behind_its_data(name: str, walk: str) -> None:
    assert refusal(f"{{{{ {name}.{walk} }}}}").startswith(REFUSED)


@pytest.mark.parametrize("name", ["range", "dict", "cycler", "joiner", "lipsum"])
def test_jinja_s_default_globals_are_gone(name: str) -> None:
    assert refusal(f"{{{{ {name}() }}}}") == f"mine.xml.j2:1: template uses an undefined value: '{name}' is undefined"
    assert refusal(f"{{{{ {name}.__init__.__globals__ }}}}").endswith(f"'{name}' is undefined")


def test_objects_show_their_data_fields_and_nothing_else() -> None:
    kinds = {Pact: "pact", Party: "parties[0]", Institution: "institution"}
    for kind, name in kinds.items():
        for field in dataclasses.fields(kind):
            if field.name == "base_dir":
                assert refusal(f"{{{{ {name}.base_dir }}}}") == REFUSED + "Pact.base_dir"
            else:
                markup(f"{{% set x = {name}.{field.name} %}}")
    for method in ("to_mapping()", "with_signer(parties[0])", "beside_roster"):
        assert refusal(f"{{{{ pact.{method} }}}}") == REFUSED + "Pact." + re.split(r"\W", method)[0]
    assert refusal("{{ parties[0].identity_number }}") == REFUSED + "Party.identity_number"
    annex = dataclasses.replace(PACT, targets=(Target("g", "i", "t"),), programs=(Program("p", 5),))
    assert markup("{{ pact.targets[0].goal }} {{ pact.programs[0].budget }}", annex) == "g 5"
    assert refusal("{{ pact.date.year }}/{{ pact.date.month }}/{{ pact.date.day }}{{ pact.date.today() }}") \
        == REFUSED + "date.today"


@pytest.mark.parametrize("method", ["today()", "strftime('%A')", "ctime()", "replace(year=1)", "isoformat()",
                                    "fromtimestamp(0)", "toordinal()"])
def test_a_date_gives_year_month_day_only(method: str) -> None:
    """today() would make the bytes depend on the day of rendering; strftime on the machine's locale."""
    assert refusal(f"{{{{ pact.date.{method} }}}}") == REFUSED + "date." + method.split("(")[0]


# --- methods on text, lists and mappings ------------------------------------------------------------


@pytest.mark.parametrize("method", sorted(sandbox.TEXT_METHODS))
def test_text_methods_that_cannot_grow_text_work(method: str) -> None:
    argument = "('a')" if method in {"count", "endswith", "find", "partition", "removeprefix", "removesuffix",
                                     "rfind", "rpartition", "startswith"} else "()"
    if method in {"index", "rindex"}:
        argument = "('P')"
    markup(f"{{% set x = 'Pakta'.{method}{argument} %}}")


@pytest.mark.parametrize("method", ["format('{0.__class__}', 1)", "format_map({})", "center(10)", "ljust(10)",
                                    "rjust(10)", "zfill(10)", "expandtabs(10)", "join('ab')", "replace('a', 'b')",
                                    "translate({})", "encode()", "maketrans('a', 'b')", "casefold()", "__mod__(1)"])
def test_text_methods_that_format_grow_or_convert_are_refused(method: str) -> None:
    assert refusal(f"{{{{ 'x{{}}'.{method} }}}}") == REFUSED + "str." + method.split("(")[0]


def test_str_format_is_refused_however_it_is_reached() -> None:
    """str.format walked into attributes in older Jinja; pakta hands it out in no form at all."""
    assert refusal("{{ '{0.__class__.__mro__}'.format(pact) }}") == REFUSED + "str.format"
    assert refusal("{{ 'x'['format'] }}") == REFUSED + "str.format"
    assert refusal("{{ '{x.__init__.__globals__}'.format_map({'x': tr}) }}") == REFUSED + "str.format_map"
    assert refusal("{% import '_macros.xml.j2' as m with context %}{{ m.footer().format(1) }}") \
        == REFUSED + "Markup.format"
    assert refusal("{{ '%s'|format(pact) }}") == REFUSED + "the filter 'format'"
    assert refusal("{{ '%s %s' % (pact, 1) }}") == REFUSED + "% on text (join text with ~)"


def test_lists_and_mappings_are_read_never_changed() -> None:
    assert markup("{{ parties.index(parties[1]) }} {{ [1, 1].count(1) }} "
                  "{{ {'a': 1}.get('a') }}{% for k, v in {'b': 2}.items() %}{{ k }}{{ v }}{% endfor %}") == "1 2 1b2"
    assert refusal("{% set x = [] %}{{ x.append(1) }}") == REFUSED + "list.append"
    assert refusal("{{ {'a': 1}.pop('a') }}") == REFUSED + "dict.pop"


# --- filters and tests ------------------------------------------------------------------------------

FILTER_USES = {
    "abs": "-1|abs", "batch": "parties|batch(2)", "capitalize": "lang|capitalize", "count": "parties|count",
    "d": "pact.title|d('x')", "default": "pact.title|default('x')", "dictsort": "{'a': 1}|dictsort",
    "first": "parties|first", "float": "'1.5'|float", "groupby": "parties|groupby('role')", "int": "'1'|int",
    "items": "{'a': 1}|items", "join": "parties|join(', ', attribute='name')", "last": "parties|last",
    "length": "parties|length", "list": "lang|list", "lower": "lang|lower", "map": "parties|map(attribute='name')",
    "max": "[1, 2]|max", "min": "[1, 2]|min", "reject": "[1, 2]|reject('odd')",
    "rejectattr": "parties|rejectattr('nip')", "replace": "lang|replace('i', 'e')", "reverse": "parties|reverse",
    "round": "1.5|round", "select": "[1, 2]|select('odd')", "selectattr": "parties|selectattr('nip')",
    "slice": "parties|slice(2)", "sort": "parties|sort(attribute='name')", "string": "year|string",
    "sum": "[1, 2]|sum", "title": "lang|title", "trim": "lang|trim", "truncate": "date_text|truncate(9)",
    "unique": "[1, 1]|unique", "upper": "lang|upper", "tanggal": "pact.date|tanggal", "hari": "pact.date|hari",
    "ribuan": "1000|ribuan", "nip": "parties[0].nip|nip",
}


def test_every_filter_is_tried_here() -> None:
    assert set(FILTER_USES) == set(templates._environment().filters)


@pytest.mark.parametrize("use", FILTER_USES.values(), ids=list(FILTER_USES))
def test_every_filter_works_and_gives_plain_data(use: str) -> None:
    markup(f"{{% set x = {use} %}}")
    assert refusal(f"{{{{ ({use}).__class__.__mro__[1].__subclasses__() }}}}").startswith(REFUSED)


@pytest.mark.parametrize("use", ["map(attribute='__class__')|list", "selectattr('__init__.__globals__')|list",
                                 "rejectattr('__class__')|list", "sort(attribute='__class__')",
                                 "groupby('__class__')", "sum(attribute='__class__')", "join(attribute='__class__')",
                                 "unique(attribute='__class__')|list", "max(attribute='__class__')",
                                 "min(attribute='to_mapping')", "map(attribute='to_mapping')|list"])
def test_filters_reach_attributes_through_the_same_gate(use: str) -> None:
    assert refusal(f"{{{{ parties|{use} }}}}").startswith(REFUSED + "Party.")


@pytest.mark.parametrize("name", ["attr", "center", "escape", "filesizeformat", "forceescape", "format", "indent",
                                  "pprint", "random", "safe", "striptags", "tojson", "urlencode", "urlize",
                                  "wordcount", "wordwrap", "xmlattr"])
def test_the_other_jinja_filters_are_refused_by_name(name: str) -> None:
    assert refusal(f"{{{{ lang|{name} }}}}") == REFUSED + f"the filter {name!r}"
    assert refusal(f"{{% filter {name} %}}x{{% endfilter %}}") == REFUSED + f"the filter {name!r}"


@pytest.mark.parametrize("name", ["!=", "<", "<=", "==", ">", ">=", "boolean", "defined", "divisibleby", "eq",
                                  "equalto", "even", "false", "float", "ge", "greaterthan", "gt", "in", "integer",
                                  "iterable", "le", "lessthan", "lt", "mapping", "ne", "none", "number", "odd",
                                  "sameas", "sequence", "string", "true", "undefined"])
def test_the_tests_a_template_may_use(name: str) -> None:
    argument = ", 2" if name in {"!=", "<", "<=", "==", ">", ">=", "divisibleby", "eq", "equalto", "ge",
                                 "greaterthan", "gt", "le", "lessthan", "lt", "ne", "sameas"} else ""
    argument = ", [2]" if name == "in" else argument
    assert markup(f"{{{{ [2]|select({name!r}{argument})|list|length }}}}") in {"0", "1"}
    assert name in templates._environment().tests


@pytest.mark.parametrize("name", ["callable", "escaped", "filter", "test", "lower", "upper"])
def test_the_other_jinja_tests_are_refused_by_name(name: str) -> None:
    assert refusal(f"{{{{ tr is {name} }}}}") == REFUSED + f"the test {name!r}"


# --- what a template prints, and how ------------------------------------------------------------------


def test_a_template_prints_text_numbers_and_dates_escaped() -> None:
    assert markup("{{ '<b>' }} {{ 1.5 }} {{ year }} {{ pact.date }} {{ pact.title }} {{ true }}") \
        == "&lt;b&gt; 1.5 2024 2024-01-02 None True"
    for thing, kind in (("pact", "Pact"), ("signers", "list"), ("pact.commitments", "tuple"), ("tr", "function"),
                        ("namespace(a=1)", "Namespace"), ("{'a': 1}", "dict")):
        message = f"mine.xml.j2:1: template tried to print a {kind}: a template prints text, numbers and dates"
        assert refusal(f"{{{{ {thing} }}}}").startswith(message)
        assert refusal(f"{{{{ 'x' ~ {thing} }}}}").startswith(message)
        assert refusal(f"{{{{ {thing}|string }}}}").startswith(message)


def test_escaping_cannot_be_switched_off() -> None:
    assert refusal("{% autoescape false %}{{ parties[0].name }}{% endautoescape %}") \
        == REFUSED + "{% autoescape %} (every value is escaped, always)"
    assert refusal("{{ parties[0].name|safe }}") == REFUSED + "the filter 'safe'"


def test_the_statements_and_helpers_a_template_may_use() -> None:
    text = ("{% set ns = namespace(n=0) %}{% for p in parties if p.nip %}{% set ns.n = ns.n + loop.length %}"
            "{% endfor %}{{ ns.n }}|{% macro box(x) %}[{{ x }}{{ caller() }}]{% endmacro %}"
            "{% call box(lang) %}!{% endcall %}|{% block b %}B{% endblock %}{{ self.b() }}|"
            "{% with w = 2 %}{{ w * 3 }}{% endwith %}|{% filter upper %}{{ tr('ya', 'yes') }}{% endfilter %}|"
            "{% for g in parties|groupby('role') %}{{ g.grouper }}:{{ g.list|length }} {% endfor %}|"
            "{{ 'a-b'.split('-')|join('+') }}")
    assert markup(text) == "1|[id!]|BB|6|YA|signer:1 witness:1 |a+b"


def test_a_recursive_loop_is_refused() -> None:
    assert refusal("{% for p in parties recursive %}{{ loop([]) }}{% endfor %}") == REFUSED + "recursive loops"


# --- limits ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "limit"), [
    ("{{ 'x' * 10**9 }}", "more than 10,000,000 characters and list items made, compared or written"),
    ("{{ [parties] * 10**8 }}", "more than 10,000,000 characters and list items"),
    ("{% set ns = namespace(s='xy') %}{% for c in date_text * 3 %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
     "more than 10,000,000 characters and list items"),
    ("{{ date_text|replace('', 'x' * 1000000) }}", "more than 10,000,000 characters and list items"),
    ("{{ date_text|list|join('x' * 1000000) }}", "more than 10,000,000 characters and list items"),
    ("{{ parties|batch(10**9, 'x')|list }}", "more than 10,000,000 characters and list items"),
    ("{{ parties|slice(10**9)|list }}", "more than 10,000,000 characters and list items"),
    ("{% set big = 'x' * 4000000 %}{% for c in date_text %}{% if big == big ~ '' %}{% endif %}{% endfor %}",
     "more than 10,000,000 characters and list items"),
    ("{% set s = date_text * 5 %}{% for a in s %}{% for b in s %}{% for c in s %}{% for d in s %}{% endfor %}"
     "{% endfor %}{% endfor %}{% endfor %}", "more than 1,000,000 steps"),
    ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
     "more than 1,000,000 steps"),
    ("{{ 9 ** 9 ** 9 }}", "a whole number of 2**128 or more"),
    ("{{ 2 ** 128 }}", "a whole number of 2**128 or more"),
    ("{{ (2 ** 127) * 2 }}", "a whole number of 2**128 or more"),
    ("{{ 2 ** 127 + 2 ** 127 }}", "a whole number of 2**128 or more"),
    ("{{ 10**20 * 10**20 }}", "a whole number of 2**128 or more"),
    ("{{ [1, 2]|sum(start=2**127 + 2**127 - 1) }}", "a whole number of 2**128 or more"),
    ("{{ 5|round(-10**9) }}", "rounding to more than 38 places"),
    ("{{ 5|round(10**9, 'ceil') }}", "rounding to more than 38 places"),
])
def test_a_template_cannot_make_huge_things_or_run_long(text: str, limit: str) -> None:
    """Each is refused before it is made (a text of 10**9 letters is never allocated) or soon after."""
    assert refusal(text).startswith(LIMIT + limit)


def test_whole_numbers_reach_just_below_2_to_the_128() -> None:
    assert markup("{{ 2 ** 127 - 1 + 2 ** 127 }} {{ 1 - 2 ** 127 - 2 ** 127 }}") == f"{2**128 - 1} {1 - 2**128}"


def test_a_template_writes_at_most_100000_characters_of_layout() -> None:
    assert len(markup("{% for p in 'x' * 100 %}" + "x" * 1000 + "{% endfor %}")) == 100_000
    assert refusal("{% for p in 'x' * 101 %}" + "x" * 1000 + "{% endfor %}") \
        == "mine.xml.j2: template went past a limit: more than 100,000 characters of layout"


@pytest.mark.parametrize("text", ["{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
                                  "{% if 1 %}" * 3000 + "{% endif %}" * 3000,
                                  "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}",
                                  "{% for a in 'x' %}" * 25 + "{% endfor %}" * 25])
def test_nesting_stops_where_python_does(text: str) -> None:
    with pytest.raises(InputError) as caught:
        markup(text)
    assert "template went past a limit: nested too deeply" in caught.value.message


def test_the_built_in_templates_need_a_tenth_of_each_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MAX_STEPS", "MAX_UNITS", "MAX_OUTPUT"):
        monkeypatch.setattr(sandbox, name, getattr(sandbox, name) // 10)
    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        pact = load_definition(path, roster=True)
        if not any(p.role == "signer" for p in pact.parties):
            pact = pact.with_signer(Party(role="signer", name="Anggota"))
        for language in ("id", "en"):
            english = dataclasses.replace(pact, language=language)
            templates.render_markup(templates.load_template(english), english)


# --- the documentation is the list ---------------------------------------------------------------------


README = ROOT / "src" / "pakta_cli" / "templates" / "README.md"


def _listed(title: str) -> list[set[str]]:
    """The names templates/README.md gives under `- **TITLE**:`, allowed first, then after "Not"."""
    text = README.read_text()
    start = text.index(f"- **{title}**:")
    bullet = text[start:text.index("\n- **", start + 1)]
    return [set(re.findall(r"`([^`]+)`", part)) for part in bullet.split(" Not ")]


def test_templates_readme_lists_exactly_what_the_sandbox_allows() -> None:
    env = templates._environment()
    allowed, refused_names = _listed("Filters")
    assert allowed == set(env.filters) and not refused_names & set(env.filters)
    allowed, refused_names = _listed("Tests")
    assert allowed == set(env.tests) and not refused_names & set(env.tests)
    allowed, refused_names = _listed("Text methods")
    assert allowed == sandbox.TEXT_METHODS and not refused_names & sandbox.TEXT_METHODS
    text = README.read_text()
    lists, mappings = text[text.index("- **List methods**:"):].split("\n")[0].split("**Mapping methods**")
    assert set(re.findall(r"`([^`]+)`", lists)) == sandbox.SEQUENCE_METHODS
    assert set(re.findall(r"`([^`]+)`", mappings)) == sandbox.MAPPING_METHODS
    assert set(env.globals) == {"namespace"} and "namespace" in _listed("Globals")[0]
