"""The service's own TapVerifier, kept in step with the trust bundle and CRLs it publishes.

Online verification runs exactly the checks a reader runs offline (crypto.tap), from
the same signed documents a reader downloads. The verifier is rebuilt only when the
trust state changes (one small query per call), so its cache of verified certificates
stays warm between taps.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.pki.authorities import latest_trust_bundle, root_certificates
from card_service.pki.models import CrlDocument, CrlState
from crypto.tap import TapVerifier
from crypto.trust import verify_trust_bundle


class ServiceVerifier:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._verifier: TapVerifier | None = None
        self._key: tuple[int, tuple[tuple[str, int], ...]] | None = None

    def current(self, session: Session, *, now: datetime) -> TapVerifier:
        bundle = latest_trust_bundle(session)
        numbers = tuple(
            sorted((row.issuer_key_id, row.number) for row in session.scalars(select(CrlState)))
        )
        key = (bundle.sequence, numbers)
        with self._lock:
            if self._verifier is None or self._key != key:
                self._verifier = self._build(session, bundle.envelope, numbers, now=now)
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
