"""What an auditor trusts and asks for: one Policy judges every document of a run.

Trust is explicit: only the certificates given, matched by their bytes or by the issuer's signature
checked with its key (`pakta_cli.trust.issuer_chain`), never by name and never from a system store.
A Policy remembers what it worked out (which root vouches for a certificate, what the CRLs say of
it), so a batch that a superior or a CA-issued official signed thousands of times pays once.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

MEMO_SIZE = 4096  # certificates a Policy remembers what it worked out for

if TYPE_CHECKING:
    from cryptography import x509

    from pakta_cli.dssrevision import Stored
    from pakta_cli.trust import Revocation


@dataclass(frozen=True)
class Policy:
    trust: tuple[x509.Certificate, ...]
    crls: tuple[x509.CertificateRevocationList, ...] = ()
    definition: bytes | None = None  # canonical definition bytes to compare with
    definition_logo: str | None = None  # the sha256 of the logo file beside that definition, when it names one
    reproduce: bool = False
    template: str | None = None  # a custom template's text, for --reproduce of a pact rendered with it
    tsa_trust: tuple[x509.Certificate, ...] = ()  # trusted for timestamps, besides the CA roots in `trust`
    archived: frozenset[bytes] = frozenset()  # the DER of the CRLs in `crls` that the pact stores, not the auditor
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __reduce__(self) -> tuple[Any, ...]:
        # cryptography's certificates do not pickle; a process pool gets their DER instead
        return (_policy_from_der, (tuple(self.der(c) for c in self.trust), tuple(_crl_der(c) for c in self.crls),
                                   self.definition, self.reproduce, self.template,
                                   tuple(self.der(c) for c in self.tsa_trust), self.definition_logo))

    def der(self, certificate: x509.Certificate) -> bytes:
        """The DER of a trust root (worked out once) or of any other certificate."""
        roots = self._memo.get("roots")
        if roots is None:
            roots = self._memo["roots"] = [(root, _der(root)) for root in self.trust]
        for root, der in roots:
            if root is certificate:
                return der  # type: ignore[no-any-return]
        return _der(certificate)

    def anchor(self, der: bytes, certificate: x509.Certificate) -> x509.Certificate | None:
        """The trust root that is this certificate or issued it (`pakta_cli.trust.issuer_chain`)."""
        from pakta_cli.trust import issuer_chain

        return self._remember("anchor", der, lambda: issuer_chain(certificate, self.trust))  # type: ignore[no-any-return]

    @property
    def time_anchors(self) -> tuple[x509.Certificate, ...]:
        """The certificates a timestamp authority's chain may end at: those trusted for time, and the
        CA roots trusted for signatures (an institution may run its own TSA). An official's own
        certificate never vouches for a time: it would let a signer attest their own."""
        if "time_anchors" not in self._memo:
            from pakta_cli.trust import may_issue

            self._memo["time_anchors"] = self.tsa_trust + tuple(c for c in self.trust if may_issue(c)
                                                                and c not in self.tsa_trust)
        anchors: tuple[x509.Certificate, ...] = self._memo["time_anchors"]
        return anchors

    def with_archived(self, archives: Sequence[Stored]) -> Policy:
        """This policy with the CRLs a pact's archive revisions store (PAdES B-LT), those a trusted
        certificate signed: years later the pact itself answers for revocation, as of its signing."""
        from cryptography import x509

        from pakta_cli.trust import crl_issuer

        known = {_crl_der(crl) for crl in self.crls}
        extra = []
        for archive in archives:
            for der in archive.crls:
                if der in known:
                    continue
                known.add(der)
                try:
                    crl = x509.load_der_x509_crl(der)
                except ValueError:
                    continue  # not a CRL: it says nothing, and the archive's form was checked already
                if crl_issuer(crl, self.trust) is not None:
                    extra.append(crl)
        if not extra:
            return self
        return replace(self, crls=self.crls + tuple(extra), archived=frozenset(_crl_der(crl) for crl in extra))

    def is_archived(self, crl: x509.CertificateRevocationList) -> bool:
        """Whether the pact brought this CRL (an archive revision), rather than the auditor."""
        return bool(self.archived) and _crl_der(crl) in self.archived

    def revocation(self, certificate: x509.Certificate) -> Revocation:
        """What the given CRLs say of this certificate (`pakta_cli.trust.revocation`); the keys they
        revoke are gathered once per run, so a certificate costs a look-up, not a pass over the CRLs."""
        from pakta_cli.trust import revocation, revoked_keys

        if "revoked_keys" not in self._memo:
            self._memo["revoked_keys"] = revoked_keys(self.trust, self.crls)
        return self._remember("revocation", self.der(certificate),  # type: ignore[no-any-return]
                              lambda: revocation(certificate, self.trust, self.crls, self._memo["revoked_keys"]))

    def _remember(self, kind: str, der: bytes, work: Callable[[], Any]) -> Any:
        """`work()`, remembered by certificate bytes for the certificates seen most (a run over a region
        meets millions of officials once and a few superiors thousands of times: memory stays bounded)."""
        memo = self._memo.setdefault(kind, OrderedDict())
        if der in memo:
            memo.move_to_end(der)
            return memo[der]
        found = memo[der] = work()
        if len(memo) > MEMO_SIZE:
            memo.popitem(last=False)
        return found


def _der(certificate: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return certificate.public_bytes(Encoding.DER)


def _crl_der(crl: x509.CertificateRevocationList) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return crl.public_bytes(Encoding.DER)


@functools.lru_cache(maxsize=8)
def _policy_from_der(trust: tuple[bytes, ...], crls: tuple[bytes, ...], definition: bytes | None,
                     reproduce: bool, template: str | None, tsa_trust: tuple[bytes, ...] = (),
                     definition_logo: str | None = None) -> Policy:
    """Rebuild a Policy in a worker process; cached so a worker keeps its memo across chunks."""
    from cryptography import x509

    return Policy(
        tuple(x509.load_der_x509_certificate(der) for der in trust),
        tuple(x509.load_der_x509_crl(der) for der in crls),
        definition=definition,
        definition_logo=definition_logo,
        reproduce=reproduce,
        template=template,
        tsa_trust=tuple(x509.load_der_x509_certificate(der) for der in tsa_trust),
    )
