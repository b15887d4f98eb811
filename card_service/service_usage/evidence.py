"""What a session records about how the citizen was checked, and why their data could
be processed: the counter's verdict summary and the legal basis (docs/citizen-counter.md).

Only codes and booleans: the verdict never carries what the chip said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from card_service.service_usage.errors import InvalidEvidenceError
from card_service.service_usage.models import CounterSession
from reader_protocol.counter import DocumentType, LegalBasis, VerdictSummary

# A counter's clock may run a little ahead of the service's.
CONSENT_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class SessionEvidence:
    legal_basis: LegalBasis | None = None
    consent_given_at: datetime | None = None
    manual_check: bool = False
    document_type: DocumentType | None = None
    verdict: VerdictSummary | None = None

    def check(self, *, now: datetime) -> None:
        if (self.legal_basis is LegalBasis.CONSENT) != (self.consent_given_at is not None):
            raise InvalidEvidenceError(
                "consent_given_at is recorded exactly when consent is the basis"
            )
        if self.consent_given_at is not None and self.consent_given_at > now + CONSENT_CLOCK_SKEW:
            raise InvalidEvidenceError("consent cannot be given in the future")

    def apply(self, visit: CounterSession) -> None:
        visit.legal_basis = self.legal_basis.value if self.legal_basis else None
        visit.consent_given_at = self.consent_given_at
        visit.manual_check = self.manual_check
        visit.document_type = self.document_type.value if self.document_type else None
        verdict = self.verdict
        if verdict is not None:
            visit.verdict_pa_ok = verdict.pa_ok
            visit.verdict_chip_auth = verdict.chip_auth.value
            visit.verdict_not_expired = verdict.not_expired
            visit.verdict_accepted = verdict.accepted
            visit.verdict_reasons = [reason.value for reason in verdict.reasons]


NO_EVIDENCE = SessionEvidence()
