"""The one verification entry point for a tap (PKI-CAK): certificate, issuer chain,
validity at ``now``, revocation and the card's challenge signature.

``TapVerifier`` holds a verified trust bundle and the verified revocation list of each
issuer, and caches what is safe to cache: certificates already parsed, checked against
the profile and verified against their issuer (keyed by their exact DER). Validity,
revocation and the challenge are checked on every tap; the cache is emptied whenever
the trust bundle or a revocation list changes. It does no I/O, so a reader (offline)
and the service (online) run the same code.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import ExtensionOID

from crypto import challenge as _challenge
from crypto._encoding import require_aware
from crypto.card_certificates import CardCertificateFacts, load_card_certificate
from crypto.errors import (
    BadSignatureError,
    CertificateExpiredError,
    CertificateNotYetValidError,
    IssuerCompromisedError,
    MalformedInputError,
    MissingRevocationListError,
    ProfileViolationError,
    RevocationListRollbackError,
    TrustBundleRollbackError,
)
from crypto.keys import ECDSA_SHA256
from crypto.revocation import RevocationList, RevocationPolicy, accept_revocation_list
from crypto.trust import TrustBundle, TrustedIssuer


@dataclass(frozen=True)
class TapPolicy:
    revocation: RevocationPolicy = field(default_factory=RevocationPolicy)
    clock_skew: timedelta = timedelta(minutes=5)  # a card issued "in our future"
    cache_size: int = 4096


@dataclass(frozen=True)
class VerifiedTap:
    """A tap that passed every check. ``revocation_this_update`` lets a door apply its
    own maximum age for the revocation list on top."""

    card: CardCertificateFacts
    issuer_key_id: str
    revocation_number: int
    revocation_this_update: datetime
    verified_at: datetime


@dataclass(frozen=True, slots=True)
class _Checked:
    facts: CardCertificateFacts
    issuer: TrustedIssuer


@dataclass(frozen=True)
class _Snapshot:
    trust: TrustBundle
    lists: Mapping[str, RevocationList]
    cache: dict[bytes, _Checked]


class TapVerifier:
    def __init__(self, trust: TrustBundle, *, policy: TapPolicy | None = None) -> None:
        self._policy = policy or TapPolicy()
        # Updates (trust, lists) are serialised by one lock and may take seconds (a
        # complete CRL); taps never wait for it: they read the current snapshot and
        # take only the short cache lock.
        self._update_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._snapshot = _Snapshot(trust, MappingProxyType({}), {})

    @property
    def trust(self) -> TrustBundle:
        return self._snapshot.trust

    @property
    def policy(self) -> TapPolicy:
        return self._policy

    def revocation_list(self, issuer_key_id: str) -> RevocationList | None:
        return self._snapshot.lists.get(issuer_key_id)

    @property
    def revocation_lists(self) -> Mapping[str, RevocationList]:
        return self._snapshot.lists

    # -------------------------------------------------------------- updates

    def replace_trust(self, trust: TrustBundle) -> None:
        """Use a newer verified trust bundle; lists of issuers it no longer has are dropped."""
        with self._update_lock:
            current = self._snapshot
            if trust.sequence <= current.trust.sequence:
                raise TrustBundleRollbackError(current.trust.sequence, trust.sequence)
            lists = {}
            for key_id, held in current.lists.items():
                issuer = trust.issuers.get(key_id)
                if issuer is None:
                    continue
                try:
                    issuer.check_list_issued_at(held.this_update)
                except IssuerCompromisedError:
                    continue  # signed after the issuer's compromise: drop it
                lists[key_id] = held
            self._snapshot = _Snapshot(trust, MappingProxyType(lists), {})

    def accept_revocation_list(self, unverified_crl: bytes, *, now: datetime) -> RevocationList:
        """Verify a complete or delta CRL against the trust bundle and start using it."""
        issuer_key_id = _claimed_issuer(unverified_crl)
        with self._update_lock:
            current = self._snapshot
            revocation = accept_revocation_list(
                unverified_crl,
                trust=current.trust,
                now=now,
                held=current.lists.get(issuer_key_id),
                policy=self._policy.revocation,
            )
            self._install(current, revocation)
        return revocation

    def install_revocation_list(self, revocation: RevocationList) -> None:
        """Use a list verified elsewhere (``crypto.revocation.accept_revocation_list``)."""
        with self._update_lock:
            current = self._snapshot
            current.trust.issuer(revocation.issuer_key_id)
            held = current.lists.get(revocation.issuer_key_id)
            if held is not None and revocation.number <= held.number:
                raise RevocationListRollbackError(held.number, revocation.number)
            self._install(current, revocation)

    def _install(self, current: _Snapshot, revocation: RevocationList) -> None:
        lists = dict(current.lists)
        lists[revocation.issuer_key_id] = revocation
        self._snapshot = _Snapshot(current.trust, MappingProxyType(lists), {})

    # -------------------------------------------------------------- verification

    def verify_certificate(
        self, unverified_certificate: bytes, *, now: datetime, _require_fresh: bool = True
    ) -> tuple[CardCertificateFacts, RevocationList]:
        """Everything but the challenge: profile, issuer, signature, validity, revocation."""
        now = require_aware(now)
        snapshot = self._snapshot
        checked = snapshot.cache.get(unverified_certificate)
        if checked is None:
            checked = self._check(snapshot, unverified_certificate)
        facts = checked.facts
        if now > facts.not_after:
            raise CertificateExpiredError(facts.not_after, now)
        if now + self._policy.clock_skew < facts.not_before:
            raise CertificateNotYetValidError(facts.not_before, now)
        checked.issuer.check_valid_at(now)
        revocation = snapshot.lists.get(checked.issuer.key_id)
        if revocation is None:
            raise MissingRevocationListError(checked.issuer.key_id)
        if _require_fresh:
            revocation.check_fresh(now=now, grace=self._policy.revocation.grace)
        revocation.check(facts.serial)
        return facts, revocation

    def verify_tap(
        self,
        unverified_certificate: bytes,
        state: _challenge.ChallengeState,
        unverified_signature: bytes,
        *,
        now: datetime,
        unverified_challenge: bytes | None = None,
    ) -> VerifiedTap:
        """Verify a tap, or raise the VerificationError subclass that names the failure."""
        facts, revocation = self.verify_certificate(unverified_certificate, now=now)
        _challenge.complete(
            state,
            unverified_signature,
            facts.public_key,
            now=now,
            unverified_challenge=unverified_challenge,
        )
        return VerifiedTap(
            card=facts,
            issuer_key_id=facts.issuer_key_id,
            revocation_number=revocation.number,
            revocation_this_update=revocation.this_update,
            verified_at=now,
        )

    def verify_tap_despite_stale_revocation_list(
        self,
        unverified_certificate: bytes,
        state: _challenge.ChallengeState,
        unverified_signature: bytes,
        *,
        now: datetime,
        unverified_challenge: bytes | None = None,
    ) -> VerifiedTap:
        """Every check of ``verify_tap`` except the revocation list's freshness.

        For a door's signed emergency section only (holders who must still pass when the
        reader has been cut off for longer than its lists last). The card must still be
        genuine, valid, answer the challenge, and be absent from the (stale) list held.
        Callers must record that they relied on a stale list.
        """
        facts, revocation = self.verify_certificate(
            unverified_certificate, now=now, _require_fresh=False
        )
        _challenge.complete(
            state,
            unverified_signature,
            facts.public_key,
            now=now,
            unverified_challenge=unverified_challenge,
        )
        return VerifiedTap(
            card=facts,
            issuer_key_id=facts.issuer_key_id,
            revocation_number=revocation.number,
            revocation_this_update=revocation.this_update,
            verified_at=now,
        )

    def _check(self, snapshot: _Snapshot, unverified_certificate: bytes) -> _Checked:
        certificate = bytes(unverified_certificate)  # one copy: parsed and the cache key
        facts, raw = load_card_certificate(certificate)
        issuer = snapshot.trust.issuer(facts.issuer_key_id)
        issuer.check_certificate_issued_at(facts.not_before)
        try:
            issuer.public_key.verify(raw.signature, raw.tbs, ECDSA_SHA256)
        except InvalidSignature as exc:
            raise BadSignatureError(f"not signed by issuer {issuer.key_id}") from exc
        if raw.issuer_name != issuer.name_der:
            raise ProfileViolationError("issuer", "name does not match the issuer key id")
        checked = _Checked(facts, issuer)
        cache = snapshot.cache
        with self._cache_lock:
            if len(cache) >= self._policy.cache_size:
                cache.pop(next(iter(cache)))
            cache[certificate] = checked
        return checked


def _claimed_issuer(unverified_crl: bytes) -> str:
    """The issuer key id a CRL claims: only to pick the held list it is compared with."""
    try:
        crl = x509.load_der_x509_crl(unverified_crl)
        aki = crl.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
    except (ValueError, x509.ExtensionNotFound) as exc:
        raise MalformedInputError(f"not a CRL of ours: {exc}") from exc
    value = aki.value
    if not isinstance(value, x509.AuthorityKeyIdentifier) or value.key_identifier is None:
        raise MalformedInputError("CRL without an issuer key id")
    return value.key_identifier.hex()
