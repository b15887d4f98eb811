"""The service's own TapVerifier, kept in step with the trust bundle and CRLs it publishes.

Online verification runs exactly the checks a reader runs offline (crypto.tap), from
the same signed documents a reader downloads. The verifier is rebuilt only when the
trust state changes (one small query per call), so its cache of verified certificates
stays warm between taps.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import Session

from card_service.pki.authorities import latest_trust_bundle, root_certificates
from card_service.pki.models import CrlDocument, CrlState, TrustBundleRecord
from crypto.tap import TapVerifier
from crypto.trust import verify_trust_bundle


def sequence_subquery() -> ScalarSelect[int]:
    return select(func.max(TrustBundleRecord.sequence)).scalar_subquery()


class ServiceVerifier:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._verifier: TapVerifier | None = None
        self._key: tuple[int, tuple[tuple[str, int], ...]] | None = None

    def current(self, session: Session, *, now: datetime) -> TapVerifier:
        # One small query decides whether anything changed since the last call.
        rows = session.execute(
            select(CrlState.issuer_key_id, CrlState.number, sequence_subquery())
        ).all()
        numbers = tuple(sorted((issuer, number) for issuer, number, _ in rows))
        key = (rows[0][2] if rows else 0, numbers)
        with self._lock:
            if self._verifier is None or self._key != key:
                envelope = latest_trust_bundle(session).envelope
                self._verifier = self._build(session, envelope, numbers, now=now)
                self._key = key
            return self._verifier

    @staticmethod
    def _build(
        session: Session, envelope: bytes, numbers: tuple[tuple[str, int], ...], *, now: datetime
    ) -> TapVerifier:
        trust = verify_trust_bundle(envelope, roots=root_certificates(session), now=now)
        verifier = TapVerifier(trust)
        for issuer_key_id, _ in numbers:
            if issuer_key_id not in trust.issuers:
                continue
            complete = session.scalar(
                select(CrlDocument)
                .where(
                    CrlDocument.issuer_key_id == issuer_key_id, CrlDocument.base_number.is_(None)
                )
                .order_by(CrlDocument.number.desc())
                .limit(1)
            )
            if complete is None:
                continue
            verifier.accept_revocation_list(complete.der, now=now)
            delta = session.scalar(
                select(CrlDocument)
                .where(
                    CrlDocument.issuer_key_id == issuer_key_id,
                    CrlDocument.base_number == complete.number,
                )
                .order_by(CrlDocument.number.desc())
                .limit(1)
            )
            if delta is not None:
                verifier.accept_revocation_list(delta.der, now=now)
        return verifier
