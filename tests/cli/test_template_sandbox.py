"""A template is data, never code: whatever a template tries, it fails at its own line and does nothing.

Offices pass templates to each other, so a template file is hostile input. Each attack runs through
the three verbs that render (`pakta render`, `pakta render --roster`, `pakta check`) and must end
the same way: exit 2, one `error:` line naming `mine.xml.j2:LINE`, no traceback, nothing written,
and whatever the payload aims at (a file it would create, a file it would read) untouched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import listing, one_error, run_cli
from tests.test_render import DEFINITION

ROSTER = "name,nik\nI Made Suarjana,5171041203850001\n"
VERBS = ("render", "roster", "check")
SECRET = "rahasia-kantor-4242"


@pytest.fixture
def place(tmp_path: Path) -> Path:
    """A folder with a definition that names `mine.xml.j2`, a roster, and a secret beside them."""
    (tmp_path / "pakta.yaml").write_text(DEFINITION.replace("template: pakta-integritas", "template: mine.xml.j2"))
    (tmp_path / "people.csv").write_text(ROSTER)
    (tmp_path / "secret.txt").write_text(SECRET)
    return tmp_path


def _command(place: Path, verb: str) -> tuple[str | Path, ...]:
    return {
        "render": ("render", place / "pakta.yaml", "-o", place / "out.pdf"),
        "roster": ("render", place / "pakta.yaml", "--roster", place / "people.csv", "-o", place / "out"),
        "check": ("check", place / "pakta.yaml"),
    }[verb]


def refused(place: Path, template: str, message: str, *, effect: Path | None = None,
            verbs: tuple[str, ...] = VERBS) -> None:
    """Every verb refuses `template` with one `error: MESSAGE` line; nothing written, nothing done."""
    (place / "mine.xml.j2").write_text(template)
    before = listing(place)
    for verb in verbs:
        code, out, err = run_cli(*_command(place, verb))
        one_error(code, err, f"error: {message}")
        assert "Traceback" not in out + err and SECRET not in out + err, err
        assert listing(place) == before, verb
        assert effect is None or not effect.exists(), f"{verb}: the payload ran"


def rendered(place: Path, template: str) -> None:
    """The template renders through every verb (the allowed side of each refusal)."""
    (place / "mine.xml.j2").write_text(template)
    for verb in VERBS:
        code, _, err = run_cli(*_command(place, verb), *(["--force"] if verb != "check" else []))
        assert code == 0, f"{verb}: {err}"


# --- files: a template reads pakta's built-in files and nothing else --------------------------------


@pytest.mark.parametrize("statement", [
    '{% include "/etc/passwd" %}',
    '{% import "../secret.txt" as s %}',
    '{% from "../../../../etc/passwd" import x %}',
    '{% extends "/etc/hostname" %}',
    '{% include "secret.txt" %}',
])
def test_a_template_includes_no_file_of_its_own_choosing(place: Path, statement: str) -> None:
    name = statement.split('"')[1]
    refused(place, f"<pact>\n{statement}\n</pact>",
            f"mine.xml.j2:2: template tried to reach something templates may not use: the file {name!r}")


def test_a_symlink_beside_the_template_leads_nowhere(place: Path) -> None:
    (place / "macros.xml.j2").symlink_to(place / "secret.txt")
    refused(place, '{% include "macros.xml.j2" %}',
            "mine.xml.j2:1: template tried to reach something templates may not use: the file 'macros.xml.j2'")


def test_a_file_name_made_while_rendering_is_refused_too(place: Path) -> None:
    """The names a template spells out are checked before it runs; one it builds, when it asks."""
    refused(place, '<pact>\n{% set name = "secret" ~ ".txt" %}\n{% include name %}\n</pact>',
            "mine.xml.j2:3: template tried to reach something templates may not use: the file 'secret.txt'")


def test_a_branch_that_never_runs_reads_nothing_either(place: Path) -> None:
    """/dev/zero would never end: the include is refused before the template runs."""
    refused(place, '<pact>\n{% if false %}\n{% include "/dev/zero" %}\n{% endif %}\n</pact>',
            "mine.xml.j2:3: template tried to reach something templates may not use: the file '/dev/zero'")


def test_pakta_s_own_files_may_be_imported_included_and_extended(place: Path) -> None:
    rendered(place, '{% include "pakta-integritas.xml.j2" %}')
    rendered(place, '{% extends "pakta-integritas.xml.j2" %}')
    source = run_cli("templates", "pakta-integritas")[1]
    assert '{% import "_macros.xml.j2" as m with context %}' in source
    rendered(place, source)


def test_a_template_over_64_kib_is_refused_before_it_is_read_whole(place: Path) -> None:
    too_big = "<pact>" + "x" * 64 * 1024 + "</pact>"
    refused(place, too_big, f"{place / 'mine.xml.j2'}: template is larger than 64 KiB")


def test_a_template_that_is_not_utf8_names_its_line(place: Path) -> None:
    (place / "mine.xml.j2").write_bytes(b"<pact>\n<p>Caf\xe9</p>\n</pact>\n")
    for verb in VERBS:
        code, _, err = run_cli(*_command(place, verb))
        one_error(code, err, "mine.xml.j2:2: template is not UTF-8 text")


# --- code: a template reaches its data and nothing behind it ------------------------------------------

REFUSED = "template tried to reach something templates may not use: "
LIMIT = "template went past a limit: "
CODE = [
    ('{% set x = cycler.__init__.__globals__.os.popen("touch EFFECT").read() %}',
     "template uses an undefined value: 'cycler' is undefined"),
    ('{{ namespace.__init__.__globals__["os"].popen("touch EFFECT").read() }}', REFUSED + "type.__init__"),
    ('{{ tr.__globals__["__builtins__"]["open"]("EFFECT", "w") }}', REFUSED + "function.__globals__"),
    ("{% for c in ''.__class__.__mro__[1].__subclasses__() %}{{ c('EFFECT') }}{% endfor %}",
     REFUSED + "str.__class__"),
    ('{{ parties|map(attribute="__init__.__globals__")|list }}', REFUSED + "Party.__init__"),
    ('{{ "{0.__globals__[os].popen}".format(tr)("touch EFFECT") }}', REFUSED + "str.format"),
    ("{{ '%s' % tr }}", REFUSED + "% on text (join text with ~)"),
    ("{{ self._TemplateReference__context.environment }}", REFUSED + "TemplateReference._TemplateReference__context"),
    ('{% import "_macros.xml.j2" as m with context %}{{ m.letterhead._func.__globals__ }}', REFUSED + "Macro._func"),
    ('{{ lang|attr("__class__") }}', REFUSED + "the filter 'attr'"),
    ("{{ pact.date.today() }}", REFUSED + "date.today"),
    ("{{ pact.base_dir }}", REFUSED + "Pact.base_dir"),
    ("{% autoescape false %}{{ parties[0].name }}{% endautoescape %}", REFUSED + "{% autoescape %}"),
]


@pytest.mark.parametrize(("payload", "message"), CODE, ids=[message for _, message in CODE])
def test_a_template_runs_no_code(place: Path, payload: str, message: str) -> None:
    effect = place / "pwned"
    refused(place, "<pact>\n" + payload.replace("EFFECT", str(effect)) + "\n</pact>", f"mine.xml.j2:2: {message}",
            effect=effect)


def test_a_refusal_in_a_roster_worker_process_is_the_same_one_line(place: Path) -> None:
    (place / "people.csv").write_text(ROSTER + "Ni Kadek Ayu Lestari,5171045705900002\n")
    (place / "mine.xml.j2").write_text("<pact>\n{{ tr.__globals__ }}\n</pact>")
    code, _, err = run_cli(*_command(place, "roster"), "--jobs", "2")
    one_error(code, err, f"error: mine.xml.j2:2: {REFUSED}function.__globals__")
    assert not (place / "out").exists()


# --- bounds: a template cannot make huge things or run for long --------------------------------------

BOUNDS = [
    ("{% for i in range(10**9) %}{% endfor %}", "template uses an undefined value: 'range' is undefined"),
    ("{{ 'x' * 10**9 }}", LIMIT + "more than 10,000,000 characters and list items made, compared or written"),
    ("{% set s = date_text * 5 %}{% for a in s %}{% for b in s %}{% for c in s %}{% for d in s %}{% endfor %}"
     "{% endfor %}{% endfor %}{% endfor %}", LIMIT + "more than 1,000,000 steps"),
    ("{{ 9 ** 9 ** 9 }}", LIMIT + "a whole number of 2**128 or more"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", LIMIT + "nested too deeply"),
]


@pytest.mark.parametrize(("payload", "message"), BOUNDS, ids=[message for _, message in BOUNDS])
def test_a_template_is_stopped_at_a_limit(place: Path, payload: str, message: str) -> None:
    refused(place, "<pact>\n" + payload + "\n</pact>", f"mine.xml.j2:2: {message}")


def test_a_template_writes_at_most_100000_characters_of_layout(place: Path) -> None:
    refused(place, "<pact>{% for i in 'x' * 100 %}<p>" + "x" * 1000 + "</p>{% endfor %}</pact>",
            f"mine.xml.j2: {LIMIT}more than 100,000 characters of layout")


@pytest.mark.parametrize("src", ["{place}/secret.png", "../secret.png", "sub/../../secret.png", "/dev/zero",
                                 "/dev/stdin"])
def test_a_template_names_no_image_outside_the_definitions_folder(place: Path, src: str) -> None:
    """A shared template must not put a picture from anywhere on the clerk's disk into every pact it
    renders (a scanned KTP, a wet signature), nor read /dev/zero or wait on /dev/stdin."""
    from pakta_cli.templates import builtin_source

    (place.parent / "secret.png").write_bytes(b"\x89PNG not really")
    src = src.format(place=place.parent)
    text = builtin_source("pakta-integritas").text.replace(  # type: ignore[union-attr]
        "{{ m.letterhead(institution) }}", f'{{{{ m.letterhead(institution) }}}}<image src="{src}" height="10mm"/>', 1)
    assert f'src="{src}"' in text
    refused(place, text, f"layout: <image src={src!r}> names a file outside the definition's folder")


def test_an_image_beside_the_definition_and_the_definitions_own_logo_outside_it_are_drawn(place: Path) -> None:
    """What a clerk names in the definition (a logo kept in a shared folder above it) stays theirs to name."""
    from pakta_cli.templates import builtin_source

    logo = Path(__file__).parents[2] / "examples" / "logo-kpu.png"
    (place / "stempel.png").write_bytes(logo.read_bytes())
    (place.parent / "logo.png").write_bytes(logo.read_bytes())
    definition = (place / "pakta.yaml").read_text()
    (place / "pakta.yaml").write_text(definition.replace("institution:\n", "institution:\n  logo: ../logo.png\n", 1))
    assert "logo: ../logo.png" in (place / "pakta.yaml").read_text()
    letterhead = "{{ m.letterhead(institution) }}"
    rendered(place, builtin_source("pakta-integritas").text.replace(  # type: ignore[union-attr]
        letterhead, letterhead + '<image src="stempel.png" height="10mm"/>', 1))


def test_a_logo_that_is_not_a_regular_file_is_refused(place: Path) -> None:
    definition = (place / "pakta.yaml").read_text().replace("template: mine.xml.j2", "template: pakta-integritas")
    (place / "pakta.yaml").write_text(definition.replace("institution:\n", "institution:\n  logo: /dev/zero\n", 1))
    code, _, err = run_cli("render", place / "pakta.yaml", "-o", place / "out.pdf")
    one_error(code, err, "pakta.yaml:4:9: logo file '/dev/zero' not found")  # the loader takes regular files only
    assert not (place / "out.pdf").exists()
