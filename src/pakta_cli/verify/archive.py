"""`archive_timestamp`: each archive timestamp (PAdES B-LTA) a pact holds is a token over every byte
before it, from a timestamp authority the auditor trusts for time.

`verify.revisions` has already required each such revision to be exactly what `pakta archive --tsa`
writes for its token; this check says whether that token proves anything. When it does, every
signature before it existed at the attested time (its proof of existence): a signature without a
timestamp of its own is then judged by that time when its certificate is revoked later, and a CRL
the archive stores may clear it (`verify.signature`). A token that proves nothing fails the pact, as
a signature's own damaged or untrusted token does: an auditor is never left with a date nobody vouches for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pakta_cli.timestamps import Attested, TokenProblem, check_token
from pakta_cli.tsrevision import field_name
from pakta_cli.verify.policy import Policy
from pakta_cli.verify.revisions import ArchiveTimestamp
from pakta_cli.verify.verdict import Check, Message, say
from pakta_cli.zones import describe_time


def archive_timestamps(data: bytes, stamps: Sequence[ArchiveTimestamp],
                       policy: Policy) -> tuple[Check, dict[int, Attested]]:
    """The check, and what each archive timestamp that holds attests, by its revision."""
    held: dict[int, Attested] = {}
    problems: list[Message] = []
    passed: list[Message] = []
    for number, stamp in enumerate(stamps, 1):
        name = field_name(number)
        try:
            attested = check_token(stamp.token, stamp.covered(data), policy.time_anchors)
        except TokenProblem as problem:
            if problem.key == "timestamp_imprint":
                problems.append(say("archive_timestamp_imprint",
                                    f"{name}: cap waktu arsip dibuat untuk isi lain dari yang ada sebelumnya",
                                    f"{name}: the archive timestamp is over other bytes than those before it"))
            else:
                problems.append(say(f"archive_{problem.key}", f"{name}: {problem.indonesian}",
                                    f"{name}: {problem.english}"))
            continue
        held[stamp.revision] = attested
        shown = describe_time(attested.time.astimezone(dt.UTC))
        passed.append(say("archive_timestamped",
                          f"{name}: isi pakta hingga revisi {stamp.revision - 1} dibuktikan sudah ada pada {shown} "
                          f"oleh otoritas cap waktu {attested.authority} (dipercaya melalui {attested.anchor})",
                          f"{name}: the pact up to revision {stamp.revision - 1} is attested to have existed at "
                          f"{shown} by timestamp authority {attested.authority} (trusted through {attested.anchor})"))
    if problems:
        return Check.failed("archive_timestamp", *problems), held
    return Check("archive_timestamp", True, tuple(passed)), held


def existed_by(revision: int, held: dict[int, Attested]) -> Attested | None:
    """The earliest archive timestamp that holds over a signature added in `revision`: when it existed by."""
    later = [attested for number, attested in held.items() if number > revision]
    return min(later, key=lambda attested: attested.time) if later else None
