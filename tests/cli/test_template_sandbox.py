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
