"""What a worker process does with one PDF: the verdict, and the facts the page shows beside it.

Kept small and free of the web stack, so the forkserver preloads only the verifier.
"""

from __future__ import annotations

from dataclasses import dataclass

from pakta_cli.serve.facts import Facts, facts_of
from pakta_cli.verify import Policy, Verdict, verify_bytes


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    facts: Facts | None  # None when the file is not a readable pact


def verify_upload(data: bytes, name: str, policy: Policy) -> Outcome:
    """What `pakta verify` says of `data` under the server's trust, and what the pact states."""
    verdict = verify_bytes(data, policy, name=name)
    readable = verdict.check("readable")
    return Outcome(verdict, facts_of(data) if readable is not None and readable.ok else None)
