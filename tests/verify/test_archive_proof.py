"""`pakta_cli.verify.archive` and what an archive timestamp proves to `verify.signature`: a time by
which a signature existed. A signer who claims a signing time after it contradicts it; within the
clock tolerance, the claim stands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pakta_cli.timestamps import TOLERANCE, Attested
from pakta_cli.verify.archive import existed_by
from pakta_cli.verify.pact import Pact
from pakta_cli.verify.policy import Policy
from pakta_cli.verify.revisions import Revisions
from pakta_cli.verify.signature import SignatureCheck
from tests.conftest import AYU, make_ca, make_identity, rendered_pact, signed_pact


def _judged(pdf: Path, policy: Policy, proof: Attested) -> dict[str, str]:
    from pakta_cli.pdf.reader import Document

    doc = Document(pdf.read_bytes())
    pact = Pact(doc)
    (slot,) = Revisions(doc, pact).slots
    verdict = SignatureCheck(doc, pact, slot, policy, existed_by=proof).run()
    return {check.name: ("ok " if check.ok else "FAIL ") + check.detail for check in verdict.checks}


def test_a_signing_time_claimed_after_the_archive_timestamp_fails(tmp_path: Path) -> None:
    ca = make_ca(tmp_path / "ca")
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"])
    pdf = signed_pact(tmp_path, rendered_pact(tmp_path / "pacts", [AYU]), [ayu])
    policy = Policy((ca.cert,), ())
    now = dt.datetime.now(dt.UTC)

    early = _judged(pdf, policy, Attested(now - TOLERANCE - dt.timedelta(minutes=5), "TSA Uji", "TSA Uji Root CA"))
    assert early["valid_at_signing_time"].startswith("FAIL")
    assert "lies after the archive timestamp" in early["valid_at_signing_time"]

    close = _judged(pdf, policy, Attested(now - dt.timedelta(minutes=2), "TSA Uji", "TSA Uji Root CA"))
    assert close["valid_at_signing_time"].startswith("ok"), close
    assert "the archive timestamp proves the signature existed by" in close["timestamp"]


def test_a_signature_existed_by_the_earliest_archive_timestamp_after_it() -> None:
    now = dt.datetime.now(dt.UTC)
    first, second = Attested(now, "A", "A"), Attested(now + dt.timedelta(days=900), "B", "B")
    held = {5: first, 9: second}
    assert existed_by(2, held) is first
    assert existed_by(6, held) is second
    assert existed_by(9, held) is None  # a timestamp never vouches for its own revision
