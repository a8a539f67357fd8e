"""The archive revision: the exact bytes `pakta archive` appends to keep a pact checkable for years
(PAdES B-LT): a Document Security Store with the certificates and CRLs its signatures need.

Like a signing revision (`pakta_cli.sigrevision`), it is pakta's own layout, byte for byte, and
`pakta verify` rebuilds it from what it states (the certificates and CRLs its streams hold) and
requires the same bytes. What one archive revision holds, in object-number order:

1. The catalog, written again with `/DSS N 0 R` added (or replaced, for a later archive) and every
   other entry as it was.
2. New object /Size: `<< /CRLs [..] /Certs [..] /Type /DSS >>`, each array the references of the
   streams below (an empty array is left out).
3. New objects /Size+1 on: one stream per certificate, then one per CRL, each its DER, unfiltered,
   in the order given (certificates as found in the signatures, then the rest; CRLs as given).
4. A cross-reference table and the trailer `<< /ID [<first> <new>] /Info .. /Prev .. /Root .. /Size
   .. >>`, the new /ID half the first 16 bytes of SHA-256(file so far, "DSS").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pakta_cli.pdf import writer
from pakta_cli.pdf.reader import Document
from pakta_cli.pdf.syntax import Name, PdfError, Ref, Stream
from pakta_cli.sigrevision import Appended, appended_to

MAX_ITEMS = 32  # certificates, and CRLs, one archive revision holds: a pact's few signers, CAs and TSAs
MAX_ITEM_SIZE = 4 << 20  # a CRL of tens of thousands of entries; a certificate is a kilobyte


class NotAnArchive(PdfError):
    """A revision that is not an archive revision pakta writes."""


@dataclass(frozen=True)
class Before(Appended):
    """The pact as the previous revision left it: all an archive revision is a function of."""

    catalog: Mapping[str, Any]


def before_archiving(doc: Document, revision: int) -> Before:
    """What revision `revision` of `doc` leaves for an archive revision to be built on."""
    appended = appended_to(doc, revision)
    catalog = doc.get(appended.root.num, revision)
    if not isinstance(catalog, dict):
        raise NotAnArchive("the document has no catalog")
    return Before(**vars(appended), catalog=catalog)


def build(before: Before, certificates: Sequence[bytes], crls: Sequence[bytes]) -> bytes:
    """The archive revision that stores `certificates` and `crls` (DER) after `before`."""
    if len(certificates) > MAX_ITEMS or len(crls) > MAX_ITEMS:
        raise NotAnArchive(f"an archive holds at most {MAX_ITEMS} certificates and {MAX_ITEMS} CRLs")
    dss_num = before.size
    numbers = iter(range(dss_num + 1, dss_num + 1 + len(certificates) + len(crls)))
    chunks: dict[int, bytes] = {}
    arrays: dict[str, list[Ref]] = {"Certs": [], "CRLs": []}
    for key, items in (("Certs", certificates), ("CRLs", crls)):
        for der in items:
            num = next(numbers)
            arrays[key].append(Ref(num, 0))
            chunks[num] = writer.indirect(num, {}, der)
    dss: dict[str, Any] = {"Type": Name("DSS")}
    dss.update({key: refs for key, refs in arrays.items() if refs})
    chunks[dss_num] = writer.indirect(dss_num, dss)
    catalog = dict(before.catalog)
    catalog["DSS"] = Ref(dss_num, 0)
    chunks[before.root.num] = writer.indirect(before.root.num, catalog)
    body, offsets, at = writer.laid_out(chunks, before.length)
    trailer = before.trailer(b"DSS", dss_num + 1 + len(certificates) + len(crls))
    return body + writer.tail(offsets, trailer, at, first=False)


@dataclass(frozen=True)
class Stored:
    """What an archive revision states: the DER of its certificates and CRLs."""

    certificates: tuple[bytes, ...]
    crls: tuple[bytes, ...]


def stored(doc: Document, revision: int) -> Stored:
    """The certificates and CRLs the DSS of `revision` lists (bounded); NotAnArchive when it has none."""
    rev = doc.revisions[revision - 1]
    root = rev.trailer.get("Root")
    catalog = doc.get(root.num, revision) if isinstance(root, Ref) else None
    dss_ref = catalog.get("DSS") if isinstance(catalog, dict) else None
    dss = doc.get(dss_ref.num, revision) if isinstance(dss_ref, Ref) else None
    if not isinstance(dss, dict) or dss_ref is None or dss_ref.num not in rev.entries:
        raise NotAnArchive("no security store in this revision")
    found: dict[str, tuple[bytes, ...]] = {}
    for key in ("Certs", "CRLs"):
        refs = dss.get(key, [])
        if not isinstance(refs, list) or len(refs) > MAX_ITEMS or not all(isinstance(r, Ref) for r in refs):
            raise NotAnArchive(f"the security store's /{key} is not a list of at most {MAX_ITEMS} references")
        items = []
        for ref in refs:
            stream = doc.get(ref.num, revision)
            if not isinstance(stream, Stream) or stream.end - stream.start > MAX_ITEM_SIZE:
                raise NotAnArchive(f"/{key} names something other than a stream of at most {MAX_ITEM_SIZE >> 20} MB")
            item = doc.data[stream.start : stream.end]
            if not _is_der(item, key):
                raise NotAnArchive(f"/{key} holds a stream that is not one DER {key[:-1]}")
            items.append(item)
        found[key] = tuple(items)
    return Stored(found["Certs"], found["CRLs"])


def _is_der(item: bytes, key: str) -> bool:
    """Whether `item` is exactly one certificate (Certs) or CRL (CRLs) in DER, nothing before or after."""
    from cryptography import x509

    try:
        if key == "Certs":
            x509.load_der_x509_certificate(item)
        else:
            x509.load_der_x509_crl(item)
    except ValueError:
        return False
    return True
