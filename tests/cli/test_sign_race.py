"""Officials signing one pact at the same moment, as on an office's shared folder: no signature is lost.

Real processes, started together, repeated: whatever order the operating system runs them in,
every `pakta sign` that reported success has its signature in the final file, and one that did not
succeed said so (exit code 2, one line) and left the file as the others made it. With --in-place
each signs the file as the others left it; with -o into one shared output, the first signed copy
is never replaced by another signed from the same unsigned pact.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pakta_cli.pdf.reader import Document
from tests.conftest import AYU, MADE, WITNESS, make_identity, rendered_pact

ROUNDS = 4
PEOPLE = (AYU, MADE, {**WITNESS, "nip": "199001012015011001"})


def _signatures(pdf: Path) -> int:
    """How many revisions the file holds after the rendered one (pakta writes one per signature)."""
    return len(Document(pdf.read_bytes()).revisions) - 1


@pytest.mark.parametrize("how", ["--in-place", "-o"])
def test_officials_signing_one_pact_at_once_lose_no_signature(how: str, tmp_path: Path) -> None:
    parties = [{"role": role, **person} for role, person in zip(("signer", "superior", "witness"), PEOPLE,
                                                                      strict=True)]
    keys = [make_identity(tmp_path / "keys", p["name"], p["nip"], passphrase=None, stem=f"k{i}")
            for i, p in enumerate(parties)]
    env = {**os.environ, "NO_COLOR": "1", "PAKTA_TIMEZONE": "WIB"}
    for round_ in range(ROUNDS):
        pact = rendered_pact(tmp_path / f"round-{round_}", parties)
        # -o: each signs the unsigned pact into one shared output, --force as a careless script would
        result = pact if how == "--in-place" else pact.with_name("signed.pdf")
        target = ["--in-place"] if how == "--in-place" else ["-o", str(result), "--force"]
        runs = [subprocess.Popen([sys.executable, "-m", "pakta_cli", "sign", str(pact), "--key", str(key),
                                  *target], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for key, _ in keys]
        results = [(run.wait(timeout=300), run.stderr.read().decode()) for run in runs]  # type: ignore[union-attr]
        succeeded = sum(code == 0 for code, _ in results)
        for code, err in results:
            if code != 0:  # a refusal is said, in one line, never a lost signature
                assert code == 2 and len([line for line in err.splitlines() if line.startswith("error:")]) == 1, err
        assert succeeded >= 1, results
        assert _signatures(result) == succeeded, (round_, results)
        for run in runs:
            assert run.stdout is not None and run.stderr is not None
            run.stdout.close()
            run.stderr.close()


def test_signing_through_a_symbolic_link_signs_the_pact_itself(tmp_path: Path) -> None:
    """A secretariat keeps `terbaru.pdf` as a link to the pact: both names lead to every signature."""
    parties = [{"role": role, **person} for role, person in zip(("signer", "superior"), PEOPLE, strict=False)]
    keys = [make_identity(tmp_path / "keys", p["name"], p["nip"], passphrase=None, stem=f"k{i}")
            for i, p in enumerate(parties)]
    env = {**os.environ, "NO_COLOR": "1", "PAKTA_TIMEZONE": "WIB"}
    for round_ in range(ROUNDS):
        pact = rendered_pact(tmp_path / f"round-{round_}", parties, signing_order="any")
        link = pact.with_name("terbaru.pdf")
        link.symlink_to(pact.name)
        runs = [subprocess.Popen([sys.executable, "-m", "pakta_cli", "sign", str(name), "--key", str(key),
                                  "--in-place"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                for name, (key, _) in zip((pact, link), keys, strict=True)]
        results = [(run.wait(timeout=300), run.stderr.read().decode()) for run in runs]  # type: ignore[union-attr]
        for run in runs:
            run.stderr.close()  # type: ignore[union-attr]
        assert [code for code, _ in results] == [0, 0], results
        assert link.is_symlink() and _signatures(pact) == 2, (round_, results)


def test_a_pact_with_two_hard_links_is_not_replaced_in_place(tmp_path: Path) -> None:
    from tests.conftest import one_error, run_cli

    pact = rendered_pact(tmp_path, [{"role": "signer", **AYU}])
    other = pact.with_name("terbaru.pdf")
    os.link(pact, other)
    key, _ = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], passphrase=None)
    before = pact.read_bytes()
    code, _, err = run_cli("sign", other, "--key", key, "--in-place")
    one_error(code, err, f"{other}: the file has 2 names (hard links); replacing it in place would leave the others "
                         "behind")
    assert "hint: sign it into another file with -o OUT.pdf" in err
    assert pact.read_bytes() == before and os.stat(pact).st_nlink == 2
