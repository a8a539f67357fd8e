"""How the modules around templates depend on each other.

The definition loader checks a definition against the built-in templates' registry, never against
the template engine, so loading a definition (as `pakta verify --definition` does) needs no Jinja,
and definition/ and templates.py do not import each other.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from pakta_cli.template_registry import BUILTIN_FILES

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "pakta_cli"


def test_loading_a_definition_does_not_load_the_template_engine() -> None:
    code = ("import sys, pathlib; from pakta_cli.definition import load_definition; "
            "load_definition(pathlib.Path('examples/kpu-bali-2024.yaml')); "
            "print(sorted(m for m in ('jinja2', 'pakta_cli.templates') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=PACKAGE.parents[1])
    assert result.stdout.strip() == "[]"


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(what is imported, as a dotted name; whether inside a function) for every import in a file."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom):
                found.extend((f"{child.module}.{alias.name}", inside) for alias in child.names)
            elif isinstance(child, ast.Import):
                found.extend((alias.name, inside) for alias in child.names)
            visit(child, inside)

    visit(ast.parse(path.read_text()), False)
    return found


def test_definitions_and_templates_do_not_import_each_other() -> None:
    for path in (PACKAGE / "definition").glob("*.py"):
        assert [m for m, _ in _imports(path) if m.startswith(("pakta_cli.templates", "pakta_cli.sandbox"))] == []
    # the registry imports no pakta module but the interface's language, which imports none itself
    assert [m for m, _ in _imports(PACKAGE / "template_registry.py")
            if m.startswith("pakta_cli") and not m.startswith("pakta_cli.i18n")] == []
    assert [m for m, _ in _imports(PACKAGE / "i18n.py") if m.startswith("pakta_cli")] == []


@pytest.mark.parametrize("name", ["definition/loader.py", "templates.py", "template_registry.py", "sandbox.py"])
def test_no_imports_hidden_in_functions(name: str) -> None:
    assert [m for m, inside in _imports(PACKAGE / name) if inside] == []


def test_the_registry_names_every_built_in_file() -> None:
    """A template may import exactly these; a file added to the folder must be added there too."""
    assert sorted(BUILTIN_FILES) == sorted(p.name for p in (PACKAGE / "templates").glob("*.xml.j2"))


def test_the_coverage_data_is_what_the_fonts_can_print() -> None:
    """`fonts/coverage.json` (what a definition may contain) equals what ReportLab reads from the
    shipped font files; after changing them, run `python -c "from pakta_cli import fonts; fonts.write_coverage()"`."""
    from pakta_cli import fonts

    assert (PACKAGE / "fonts" / "coverage.json").read_text(encoding="utf-8") == fonts.coverage_data()


def test_the_font_pins_are_what_render_embeds() -> None:
    """`fonts/pins.json` (the only fonts a pact may hold) equals the subsets ReportLab embeds of the
    shipped faces; a new ReportLab or new font files need `fonts.write_coverage()` run again."""
    import json

    from pakta_cli import fonts

    assert (PACKAGE / "fonts" / "pins.json").read_text(encoding="utf-8") == fonts.pins_data()
    faces = {label.split(",")[0] for label in json.loads(fonts.pins_data()).values()}
    assert len(faces) == 3 * 4  # every face of every family


def test_reportlabs_settings_are_pinned_before_any_reportlab_module() -> None:
    """ReportLab reads its settings from the machine (RL_* variables, ~/.reportlab_settings) and several
    of its modules copy one when imported: every pakta module that imports ReportLab imports
    `pakta_cli.rl_pinned` first, or an auditor's settings file would make honest pacts fail re-rendering."""
    users = []
    for path in sorted(PACKAGE.rglob("*.py")):
        names = [name for name, _ in _imports(path)]
        first = next((i for i, name in enumerate(names) if name.startswith("reportlab")), None)
        if first is None or path.name == "rl_pinned.py":
            continue
        users.append(path.name)
        assert "pakta_cli.rl_pinned" in names[:first], f"{path.relative_to(PACKAGE)} imports ReportLab unpinned"
    assert sorted(users) == ["fonts.py", "layout.py", "render.py"]  # the control: the test sees them


def test_a_reportlab_settings_file_changes_no_rendering(tmp_path: Path) -> None:
    """The settings ReportLab copies at import, set in the home folder's settings file: the same bytes."""
    (tmp_path / ".reportlab_settings").write_text("paraFontSizeHeightOffset=0\nspaceShrinkage=0.2\n"
                                                  "ttfAsciiReadable=0\ncanvas_baseColor='black'\n")
    code = ("import sys, hashlib, pathlib; from pakta_cli.definition import load_definition; "
            "from pakta_cli.render import render; "
            "print(hashlib.sha256(render(load_definition(pathlib.Path('examples/kpu-bali-2024.yaml'))).pdf)"
            ".hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              cwd=PACKAGE.parents[1], env={"PATH": "/usr/bin:/bin", "HOME": str(home)}).stdout
               for home in (tmp_path, tmp_path / "nowhere")}
    assert len(digests) == 1, digests


def test_the_library_names_no_command_line_flag() -> None:
    """Only `cli/` speaks of options: a library message or hint says what is wrong and what would help,
    and carries an `about` key that `pakta_cli.cli.wording` turns into the flags a person types."""
    import re

    flag = re.compile(r"(?<![\w-])--?[a-z][a-z-]*\b")
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "cli" in path.relative_to(PACKAGE).parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in ("_", "N_", "ngettext"):
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and flag.search(arg.value):
                        found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {arg.value[:60]}")
    assert found == [], found
