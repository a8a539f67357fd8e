"""Templates: lookup (built-in name or path), hashing, the Indonesian formatting filters, rendering.

A template renders the layout markup documented in templates/README.md. It runs in pakta's
sandbox (sandbox.py): it is data, never code, and reads no file but pakta's own. Jinja runs with
StrictUndefined (a misspelt variable is an error, never an empty line) and autoescaping (a name
such as `Ni Luh "Ayu" & <Putu>` is text, never markup).
"""

from __future__ import annotations

import hashlib
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from pakta_cli import sandbox
from pakta_cli.dates import long_date, weekday
from pakta_cli.definition.model import Pact
from pakta_cli.errors import InputError
from pakta_cli.i18n import _
from pakta_cli.identity_numbers import group_nip
from pakta_cli.template_registry import BUILT_INS, BUILTIN_FILES, SUFFIX

MAX_TEMPLATE_BYTES = 64 * 1024  # built-ins are under 10 KiB; Jinja compiles 64 KiB within seconds
HINT = "templates/README.md lists what a template may use"


@dataclass(frozen=True)
class TemplateSource:
    name: str  # a built-in name, or the path as the definition wrote it
    text: str

    @property
    def sha256(self) -> str:
        """Covers the template and every built-in file it imports (the shared macros), so a change
        to `_macros.xml.j2` changes the hash of every template that uses it."""
        digest = hashlib.sha256(self.text.encode("utf-8"))
        for name in sorted(_imports(self.text)):
            digest.update(b"\0" + name.encode("utf-8") + b"\0" + _builtin_file(name).encode("utf-8"))
        return digest.hexdigest()


_IMPORT = re.compile(r"""{%-?\s*(?:import|from|include|extends)\s+["']([^"']+)["']""")


def _imports(text: str, seen: frozenset[str] = frozenset()) -> set[str]:
    """The built-in files a template pulls in, transitively."""
    found: set[str] = set()
    for name in _IMPORT.findall(text):
        if name not in seen and name not in found:
            found.add(name)
            found |= _imports(_builtin_file(name), seen | found)
    return found


@cache
def _builtin_file(file_name: str) -> str:
    """A built-in file by its exact name; no other name reads anything (no paths, no `..`)."""
    if file_name not in BUILTIN_FILES:
        raise InputError(_("template imports {file!r}, which is not a built-in template file").format(
                             file=file_name),
                         hint=_("a template may import only {files}").format(
                                  files=', '.join(BUILTIN_FILES)))
    return (resources.files("pakta_cli") / "templates" / file_name).read_text(encoding="utf-8")


def _builtin_text(name: str) -> str:
    return _builtin_file(f"{name}{SUFFIX}")


def _load_builtin(name: str) -> tuple[str, str, Callable[[], bool]] | None:
    """Jinja's loader: {% import %}, {% include %} and {% extends %} find pakta's own files only."""
    return (_builtin_file(name), name, lambda: True) if name in BUILTIN_FILES else None


def _read_custom(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_TEMPLATE_BYTES + 1)
    except OSError as exc:
        raise InputError(_("{path}: cannot read template: {strerror}").format(
            path=path, strerror=exc.strerror)) from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise InputError(_("{path}: template is larger than {limit} KiB").format(
                             path=path, limit=MAX_TEMPLATE_BYTES // 1024), hint=HINT)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(_("{path}:{line}: template is not UTF-8 text").format(path=path, line=line),
                         hint=_("save it as UTF-8")) from None


def load_template(pact: Pact) -> TemplateSource:
    if pact.template in BUILT_INS:
        return TemplateSource(pact.template, _builtin_text(pact.template))
    text = _read_custom(Path(pact.base_dir) / pact.template)
    for match in _IMPORT.finditer(text):  # before anything runs, even in a branch that never does
        if match[1] not in BUILTIN_FILES:
            raise _outside(f"{pact.template}:{text.count(chr(10), 0, match.start()) + 1}", match[1])
    return TemplateSource(pact.template, text)


def _outside(where: str, file_name: str) -> InputError:
    return InputError(_("{where}: template tried to reach something templates may not use: the file "
                        "{file!r}").format(where=where, file=file_name),
                      hint=_("a template may import only {files}").format(
                               files=', '.join(BUILTIN_FILES)))


def builtin_source(name: str) -> TemplateSource | None:
    return TemplateSource(name, _builtin_text(name)) if name in BUILT_INS else None


# -- filters ------------------------------------------------------------------------------------


def thousands(value: int) -> str:
    """Indonesian digit grouping: 820161 -> `820.161`."""
    return f"{value:,}".replace(",", ".")


def _nip(value: str | None) -> str:
    return group_nip(value) if value else "-"


@cache
def _environment() -> jinja2.Environment:
    return sandbox.environment(jinja2.FunctionLoader(_load_builtin),
                               {"tanggal": long_date, "hari": weekday, "ribuan": thousands, "nip": _nip})


@cache
def _compiled(text: str) -> jinja2.Template:
    return _environment().from_string(text)


def _template_line(exc: BaseException) -> str:
    """`:LINE` of the template line that raised (Jinja maps its frames to template lines), or ''."""
    if isinstance(exc, sandbox.TemplateRefused) and exc.lineno is not None:
        return f":{exc.lineno}"
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == "<template>"]
    return f":{lines[-1]}" if lines else ""


def render_markup(template: TemplateSource, pact: Pact) -> str:
    """Run the template for one pact in the sandbox; Jinja's errors become one-line PaktaErrors."""
    language = pact.language

    def tr(indonesian: str, english: str) -> str:
        return english if language == "en" else indonesian

    context: dict[str, Any] = {
        "pact": pact,
        "institution": pact.institution,
        "parties": pact.parties,
        "signers": [p for p in pact.parties if p.role == "signer"],
        "superiors": [p for p in pact.parties if p.role == "superior"],
        "witnesses": [p for p in pact.parties if p.role == "witness"],
        "date_text": long_date(pact.date, language),
        "year": pact.year or pact.date.year,
        "tr": tr,
        "lang": language,
    }
    name = template.name
    try:
        return sandbox.render(_compiled(template.text), context)
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(_("{name}:{lineno}: template syntax error: {message}").format(
                             name=name, lineno=exc.lineno, message=exc.message)) from None
    except jinja2.TemplateNotFound as exc:
        raise _outside(f"{name}{_template_line(exc)}", str(exc.name)) from None
    except sandbox.TemplateRefused as exc:
        raise InputError(f"{name}{_template_line(exc)}: {exc.message}", hint=HINT) from None
    except jinja2.exceptions.SecurityError as exc:  # Jinja's own sandbox, should pakta's allow-lists let one by
        raise InputError(_("{name}{line}: template tried to reach something templates may not use: {message}").format(
                             name=name, line=_template_line(exc), message=exc.message), hint=HINT) from None
    except jinja2.UndefinedError as exc:
        raise InputError(
            _("{name}{line}: template uses an undefined value: {message}").format(
                name=name, line=_template_line(exc), message=exc.message), hint=HINT
        ) from None
    except jinja2.TemplateError as exc:
        raise InputError(_("{name}{line}: template error: {error}").format(
                             name=name, line=_template_line(exc), error=exc)) from None
    except (RecursionError, SyntaxError) as exc:  # Python's own limits, met while compiling or running it
        raise InputError(_("{name}{line}: template went past a limit: nested too deeply (tags, "
                           "brackets or macro calls within each other)").format(name=name, line=_template_line(exc)),
                                                                                hint=_("a macro that calls "
                                                                              "itself must stop"),
                         ) from None
    except (ArithmeticError, TypeError, ValueError, LookupError, AttributeError) as exc:
        # a template is a clerk's program: its mistakes (1/0, a date plus a number) are input errors
        raise InputError(_("{name}{line}: the template failed: {kind}: {error}").format(
                             name=name, line=_template_line(exc), kind=type(exc).__name__, error=exc),
                         hint=_("check the expression on that line of the template")) from None
