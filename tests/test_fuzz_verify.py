"""Differential fuzzing of `pakta verify` (issue 8): no mutant is VALID while a reader sees otherwise.

A fixed-seed run of about a minute; `python bench/fuzz_verify.py --minutes N` runs longer with a
seed of your choice. See `tests/fuzzing.py` for what is mutated and how readers are compared.
"""

from __future__ import annotations

import os

from tests import fuzzing

SECONDS = float(os.environ.get("PAKTA_FUZZ_SECONDS", "50"))


def test_no_mutant_is_valid_while_a_reader_shows_something_else() -> None:
    result = fuzzing.run(SECONDS, seed=20261201)
    print(f"\nfuzz: {result.tried} mutants, {result.valid} VALID, {len(result.differential)} differential; "
          f"by kind {result.by_kind}; readers {fuzzing.readers()}")
    assert result.tried > 200, result  # the run did real work
    assert not result.differential, result.differential
    # the rule behind it: a VALID pact holds only bytes pakta writes, so no edit of a signed pact and no
    # change written into a signer's revision is VALID (a prepared change is caught by --reproduce)
    assert result.valid == 0, result


def test_the_readers_agree_on_an_honest_pact() -> None:
    """The differential check is not vacuous: every reader reads the honest pacts, page by page."""
    base = fuzzing.corpus()
    for _, signed, _ in base.honest:
        reading = fuzzing.read(signed)
        assert reading is not None and reading.pages >= 1
        assert all(any("PAKTA INTEGRITAS" in page for page in pages) for pages in reading.text)
