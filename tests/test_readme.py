"""The README runs as written: a new user who types its `sh` blocks in order gets what it says.

Every block runs in one empty folder holding a copy of `examples/`, after the blocks before it (the
walkthrough signs what it rendered), under `bash -e -u`: a command that fails stops the block. A
command that must fail ends its line with `# exit N`, and must end with exactly that code. A block
that cannot run here says why in its first line (`# not run by tests/test_readme.py: ...`), where a
reader sees it too. The definition sample, saved beside a logo, passes `pakta check`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
SKIP = "# not run by tests/test_readme.py:"
EXIT = re.compile(r"#\s*exit (\d+)\b")
OUTSIDE = re.compile(r"^# ([\w.-]+): ", re.M)
FILE = re.compile(r"(?<![\w/.-])[\w.-][\w./-]*\.(?:crt|crl|key|pdf|yaml|csv|xlsx)\b")


def blocks(language: str) -> list[tuple[int, str]]:
    """Each fenced block of `language` in README.md, with the line its fence opens on."""
    text = README.read_text(encoding="utf-8")
    return [(text.count("\n", 0, match.start()) + 1, match.group(1))
            for match in re.finditer(rf"^```{language}\n(.*?)^```$", text, re.S | re.M)]


def script(block: str) -> str:
    """The block as bash runs it, each `# exit N` line turned into a check of its exit code."""
    out, continued = [], False
    for line in block.splitlines():
        wanted = EXIT.search(line)
        if wanted and not continued:
            quoted = line.split("#")[0].strip().replace("'", "'\\''")
            out.append(f"set +e\n{line}\ncode=$?\nset -e\n[ $code -eq {wanted[1]} ] || "
                       f"{{ echo 'README: exit '$code', not {wanted[1]}: {quoted}' >&2; exit 99; }}")
        else:
            assert not wanted, f"`# exit N` goes on a command of one line: {line}"
            out.append(line)
        continued = line.rstrip().endswith("\\")
    return "\n".join(out) + "\n"


def environment(home: Path) -> dict[str, str]:
    """What a user's shell has: pakta on the PATH (this interpreter's), a passphrase for the prompts."""
    return {
        "PATH": os.pathsep.join((str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin")),
        "HOME": str(home), "LANG": "C.UTF-8", "NO_COLOR": "1", "COLUMNS": "100",
        "PAKTA_PASSPHRASE": "kata sandi rahasia", "PAKTA_TIMEZONE": "WIB",
    }


def test_every_sh_block_runs_as_written(tmp_path: Path) -> None:
    folder = tmp_path / "office"
    shutil.copytree(ROOT / "examples", folder / "examples")
    ran = 0
    for line, block in blocks("sh"):
        if block.startswith(SKIP):
            continue
        result = subprocess.run(["bash", "-e", "-u", "-c", script(block)], cwd=folder, env=environment(tmp_path),
                                capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, f"README.md:{line}: the block stopped:\n{result.stderr[-3000:]}"
        ran += 1
    assert ran >= 6  # the walkthrough, not only its skipped blocks
    for line, block in blocks("sh"):  # what the blocks that cannot run here name, the walkthrough made
        if block.startswith(SKIP):  # or the block says where it comes from: `# name: ...`
            outside = set(OUTSIDE.findall(block))
            for name in set(FILE.findall(block)) - outside:
                assert (folder / name).exists(), f"README.md:{line}: {name} is made by no block before it"


def test_the_skipped_blocks_say_why_and_are_few() -> None:
    skipped = [block for _, block in blocks("sh") if block.startswith(SKIP)]
    assert all(block.splitlines()[0].strip() != SKIP.strip() for block in skipped)  # a reason follows the marker
    assert len(skipped) <= 6  # install, timestamp authority (signing, archiving), serve, pyhanko-cli, bench


def test_the_definition_sample_passes_check(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    (_, sample), *_ = blocks("yaml")
    (tmp_path / "pakta.yaml").write_text(sample, encoding="utf-8")
    shutil.copy(ROOT / "examples" / "logo-kpu.png", tmp_path)
    code, out, err = run_cli("check", tmp_path / "pakta.yaml")
    assert code == 0, err
    assert out.startswith("OK: ")

