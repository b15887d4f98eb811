"""Revocation lists: X.509 CRLs and delta CRLs, issued per issuing CA, and the verified,
O(1)-lookup state a reader or the service holds (docs/revocation.md).

A complete CRL carries cRLNumber, thisUpdate, nextUpdate and a reasonCode per entry.
A delta CRL (RFC 5280 5.2.4) carries deltaCRLIndicator = the number of the complete
CRL it is based on, and every change since that base: new entries, and
``removeFromCRL`` for entries taken off (a card's hold released). A holder at number
``M`` applies a delta numbered ``N`` with base ``B`` only when ``B <= M < N``.

Verification refuses, in this order: unparseable input; an issuer missing from the
trust bundle; a bad signature; a list signed by a compromised issuer after its cut-off;
a number not greater than the one held (rollback); a delta that does not chain from the
number held; a thisUpdate in the future; a list past nextUpdate plus the grace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from types import MappingProxyType

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import CRLEntryExtensionOID, ExtensionOID

from crypto._encoding import require_aware
from crypto._revoked_index import IndexedEntry, RevokedIndex
from crypto.errors import (
    BadSignatureError,
    MalformedInputError,
    ProfileViolationError,
    RevocationListGapError,
    RevocationListNotYetValidError,
    RevocationListRollbackError,
    RevokedError,
    StaleRevocationListError,
)
from crypto.issuers import CertificateAuthority, to_x509_time
from crypto.keys import key_id_bytes
from crypto.oids import ECDSA_WITH_SHA256
from crypto.signers import as_private_key
from crypto.trust import TrustBundle, TrustedIssuer


class RevocationReason(IntEnum):
    """RFC 5280 CRLReason."""

    UNSPECIFIED = 0
    KEY_COMPROMISE = 1
    CA_COMPROMISE = 2
    AFFILIATION_CHANGED = 3
    SUPERSEDED = 4
    CESSATION_OF_OPERATION = 5
    CERTIFICATE_HOLD = 6
    REMOVE_FROM_CRL = 8
    PRIVILEGE_WITHDRAWN = 9
    AA_COMPROMISE = 10


_TO_FLAGS = {
    RevocationReason.KEY_COMPROMISE: x509.ReasonFlags.key_compromise,
    RevocationReason.CA_COMPROMISE: x509.ReasonFlags.ca_compromise,
    RevocationReason.AFFILIATION_CHANGED: x509.ReasonFlags.affiliation_changed,
    RevocationReason.SUPERSEDED: x509.ReasonFlags.superseded,
    RevocationReason.CESSATION_OF_OPERATION: x509.ReasonFlags.cessation_of_operation,
    RevocationReason.CERTIFICATE_HOLD: x509.ReasonFlags.certificate_hold,
    RevocationReason.REMOVE_FROM_CRL: x509.ReasonFlags.remove_from_crl,
    RevocationReason.PRIVILEGE_WITHDRAWN: x509.ReasonFlags.privilege_withdrawn,
    RevocationReason.AA_COMPROMISE: x509.ReasonFlags.aa_compromise,
}
_FROM_FLAGS = {flag: reason for reason, flag in _TO_FLAGS.items()}
_FROM_FLAGS[x509.ReasonFlags.unspecified] = RevocationReason.UNSPECIFIED
_KNOWN_ENTRY_EXTENSIONS = {CRLEntryExtensionOID.CRL_REASON, CRLEntryExtensionOID.INVALIDITY_DATE}
_KNOWN_CRL_EXTENSIONS = {
    ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
    ExtensionOID.CRL_NUMBER,
    ExtensionOID.DELTA_CRL_INDICATOR,
}


@dataclass(frozen=True)
class RevokedCertificate:
    serial: int
    revoked_at: datetime
    reason: RevocationReason = RevocationReason.UNSPECIFIED


@dataclass(frozen=True)
class RevocationPolicy:
    """How much lateness a verifier tolerates (the door's own max age comes on top)."""

    grace: timedelta = timedelta(hours=1)  # past nextUpdate
    clock_skew: timedelta = timedelta(minutes=5)  # thisUpdate ahead of our clock


# ------------------------------------------------------------------ issuing


def build_crl(
    ca: CertificateAuthority,
    revoked: Iterable[RevokedCertificate],
    *,
    number: int,
    this_update: datetime,
    next_update: datetime,
) -> bytes:
    """A complete CRL (DER) signed by the issuing CA."""
    entries = list(revoked)
    if any(entry.reason is RevocationReason.REMOVE_FROM_CRL for entry in entries):
        raise ValueError("removeFromCRL belongs in delta CRLs only")
    return _build(
        ca,
        entries,
        number=number,
        base_number=None,
        this_update=this_update,
        next_update=next_update,
    )


def build_delta_crl(
    ca: CertificateAuthority,
    changes: Iterable[RevokedCertificate],
    *,
    number: int,
    base_number: int,
    this_update: datetime,
    next_update: datetime,
) -> bytes:
    """A delta CRL (DER): every change since the complete CRL numbered ``base_number``."""
    if not 0 <= base_number < number:
        raise ValueError("a delta's base must be an earlier CRL number")
    return _build(
        ca,
        list(changes),
        number=number,
        base_number=base_number,
        this_update=this_update,
        next_update=next_update,
    )


def delta_changes(
    base: Iterable[RevokedCertificate],
    current: Iterable[RevokedCertificate],
    *,
    removed_at: datetime,
) -> list[RevokedCertificate]:
    """What a delta from ``base`` to ``current`` must list (new, changed and removed)."""
    before = {entry.serial: entry for entry in base}
    after = {entry.serial: entry for entry in current}
    changes = [entry for serial, entry in after.items() if before.get(serial) != entry]
    changes.extend(
        RevokedCertificate(serial, removed_at, RevocationReason.REMOVE_FROM_CRL)
        for serial in before.keys() - after.keys()
    )
    return sorted(changes, key=lambda entry: entry.serial)


def _build(
    ca: CertificateAuthority,
    entries: list[RevokedCertificate],
    *,
    number: int,
    base_number: int | None,
    this_update: datetime,
    next_update: datetime,
) -> bytes:
    if next_update <= this_update:
        raise ValueError("nextUpdate must follow thisUpdate")
    revoked = [_revoked_entry(entry) for entry in entries]
    builder = (
        x509.CertificateRevocationListBuilder(revoked_certificates=revoked)
        .issuer_name(ca.name)
        .last_update(to_x509_time(this_update))
        .next_update(to_x509_time(next_update))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier(key_id_bytes(ca.signer.public_key), None, None),
            critical=False,
        )
    )
    if base_number is not None:
        builder = builder.add_extension(x509.DeltaCRLIndicator(base_number), critical=True)
    crl = builder.sign(as_private_key(ca.signer), hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.DER)


def _revoked_entry(entry: RevokedCertificate) -> x509.RevokedCertificate:
    builder = (
        x509.RevokedCertificateBuilder()
        .serial_number(entry.serial)
        .revocation_date(to_x509_time(entry.revoked_at))
    )
    if entry.reason is not RevocationReason.UNSPECIFIED:  # RFC 5280: omit unspecified
        builder = builder.add_extension(x509.CRLReason(_TO_FLAGS[entry.reason]), critical=False)
    return builder.build()


# ------------------------------------------------------------------ the verified state


class RevocationList:
    """A verified revocation list of one issuer: a complete CRL plus the deltas applied."""

    __slots__ = (
        "_count",
        "_index",
        "_overlay",
        "base_number",
        "issuer_key_id",
        "next_update",
        "number",
        "this_update",
    )

    def __init__(
        self,
        *,
        issuer_key_id: str,
        number: int,
        base_number: int,
        this_update: datetime,
        next_update: datetime,
        index: RevokedIndex,
        overlay: Mapping[int, RevokedCertificate | None] = MappingProxyType({}),
    ) -> None:
        self.issuer_key_id = issuer_key_id
        self.number = number
        self.base_number = base_number
        self.this_update = this_update
        self.next_update = next_update
        self._index = index
        self._overlay = overlay
        added = sum(1 for s, e in overlay.items() if e is not None and s not in index)
        removed = sum(1 for s, e in overlay.items() if e is None and s in index)
        self._count = len(index) + added - removed

    def __len__(self) -> int:
        """How many certificates are revoked (or on hold) now."""
        return self._count

    def __bool__(self) -> bool:  # an empty list is still a list we hold
        return True

    def __repr__(self) -> str:
        return (
            f"RevocationList(issuer={self.issuer_key_id}, number={self.number}, "
            f"entries={self._count}, next_update={self.next_update.isoformat()})"
        )

    def lookup(self, serial: int) -> RevokedCertificate | None:
        if serial in self._overlay:
            return self._overlay[serial]
        hit = self._index.get(serial)
        if hit is None:
            return None
        return RevokedCertificate(
            serial, datetime.fromtimestamp(hit.revoked_at, UTC), RevocationReason(hit.reason)
        )

    def check(self, serial: int) -> None:
        """Raise RevokedError if ``serial`` is on the list."""
        entry = self.lookup(serial)
        if entry is not None:
            raise RevokedError(serial, int(entry.reason), entry.revoked_at)

    def check_fresh(self, *, now: datetime, grace: timedelta) -> None:
        """Raise StaleRevocationListError past nextUpdate plus ``grace``."""
        if now > self.next_update + grace:
            raise StaleRevocationListError(self.next_update, grace, now)

    def _with_delta(self, opened: _OpenedList) -> RevocationList:
        overlay = dict(self._overlay)
        for entry in _entries(opened.crl):
            removed = entry.reason is RevocationReason.REMOVE_FROM_CRL
            overlay[entry.serial] = None if removed else entry
        return RevocationList(
            issuer_key_id=self.issuer_key_id,
            number=opened.number,
            base_number=self.base_number,
            this_update=opened.this_update,
            next_update=opened.next_update,
            index=self._index,
            overlay=MappingProxyType(overlay),
        )


@dataclass(frozen=True)
class _OpenedList:
    crl: x509.CertificateRevocationList
    issuer: TrustedIssuer
    number: int
    base_number: int | None
    this_update: datetime
    next_update: datetime


def accept_revocation_list(
    unverified_crl: bytes,
    *,
    trust: TrustBundle,
    now: datetime,
    held: RevocationList | None = None,
    policy: RevocationPolicy = RevocationPolicy(),
) -> RevocationList:
    """Verify a complete or delta CRL and return the new state (``held`` is not changed)."""
    now = require_aware(now)
    opened = _open(unverified_crl, trust)
    if held is not None and held.issuer_key_id != opened.issuer.key_id:
        raise ValueError("held list is for another issuer")
    if held is not None and opened.number <= held.number:
        raise RevocationListRollbackError(held.number, opened.number)
    if opened.base_number is not None and (held is None or opened.base_number > held.number):
        raise RevocationListGapError(None if held is None else held.number, opened.base_number)
    if opened.this_update > now + policy.clock_skew:
        raise RevocationListNotYetValidError(opened.this_update, now)
    if now > opened.next_update + policy.grace:
        raise StaleRevocationListError(opened.next_update, policy.grace, now)
    if held is not None and opened.base_number is not None:
        return held._with_delta(opened)
    return RevocationList(
        issuer_key_id=opened.issuer.key_id,
        number=opened.number,
        base_number=opened.number,
        this_update=opened.this_update,
        next_update=opened.next_update,
        index=RevokedIndex.build(_indexed_entries(opened.crl)),
    )


def _open(unverified_crl: bytes, trust: TrustBundle) -> _OpenedList:
    try:
        crl = x509.load_der_x509_crl(unverified_crl)
        extensions = crl.extensions
    except (ValueError, TypeError) as exc:
        raise MalformedInputError(f"not a DER CRL: {exc}") from exc
    if crl.signature_algorithm_oid != ECDSA_WITH_SHA256:
        raise ProfileViolationError("signatureAlgorithm", "must be ecdsa-with-SHA256")
    for extension in extensions:
        if extension.critical and extension.oid not in _KNOWN_CRL_EXTENSIONS:
            raise ProfileViolationError(extension.oid.dotted_string, "unknown critical extension")
    try:
        aki = extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        number = extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    except x509.ExtensionNotFound as exc:
        raise ProfileViolationError("extensions", f"missing {exc.oid.dotted_string}") from exc
    if aki.key_identifier is None:
        raise ProfileViolationError("authorityKeyIdentifier", "must carry the issuer key id")
    issuer = trust.issuer(aki.key_identifier.hex())
    if crl.issuer != issuer.name:
        raise ProfileViolationError("issuer", "name does not match the issuer key id")
    if not crl.is_signature_valid(issuer.public_key):
        raise BadSignatureError(f"CRL {number} is not signed by issuer {issuer.key_id}")
    this_update = crl.last_update_utc
    next_update = crl.next_update_utc
    if next_update is None:
        raise ProfileViolationError("nextUpdate", "is required")
    issuer.check_list_issued_at(this_update)
    try:
        base: int | None = extensions.get_extension_for_class(
            x509.DeltaCRLIndicator
        ).value.crl_number
    except x509.ExtensionNotFound:
        base = None
    return _OpenedList(crl, issuer, number, base, this_update, next_update)


def _entries(crl: x509.CertificateRevocationList) -> Iterable[RevokedCertificate]:
    for revoked in crl:
        reason = RevocationReason.UNSPECIFIED
        try:
            entry_extensions = revoked.extensions
        except ValueError as exc:
            raise MalformedInputError(f"bad CRL entry extensions: {exc}") from exc
        for extension in entry_extensions:
            if extension.oid not in _KNOWN_ENTRY_EXTENSIONS:
                # certificateIssuer (indirect CRLs) and anything unknown: not our profile.
                raise ProfileViolationError(extension.oid.dotted_string, "unexpected")
            if isinstance(extension.value, x509.CRLReason):
                reason = _FROM_FLAGS[extension.value.reason]
        yield RevokedCertificate(revoked.serial_number, revoked.revocation_date_utc, reason)


def _indexed_entries(crl: x509.CertificateRevocationList) -> Iterable[IndexedEntry]:
    for entry in _entries(crl):
        if entry.reason is RevocationReason.REMOVE_FROM_CRL:
            raise ProfileViolationError("reasonCode", "removeFromCRL in a complete CRL")
        yield IndexedEntry(entry.serial, int(entry.revoked_at.timestamp()), int(entry.reason))
