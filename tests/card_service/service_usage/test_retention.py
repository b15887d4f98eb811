"""Retention: sessions older than the period lose their citizen reference and verdict
reasons (what the statistics need stays), audited with the count; pinned clock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from card_service import maintenance
from card_service.audit.models import AuditEntry
from card_service.service_usage.counters import end_session, start_session
from card_service.service_usage.evidence import SessionEvidence
from card_service.service_usage.retention import ACTION, purge_citizen_data
from reader_protocol.counter import ChipAuth, DocumentType, LegalBasis, VerdictSummary
from tests.card_service.service_usage.conftest import MORNING

RETENTION = timedelta(days=365)
REFUSED = VerdictSummary(
    pa_ok=False, chip_auth=ChipAuth.CA, not_expired=True, accepted=False, reasons=["expired"]
)


def _visit(centre, *, at, ref):
    visit = start_session(
        centre.session,
        counter=centre.counters[0],
        service=centre.services["HT-KS"],
        citizen_ref=ref,
        now=at,
        evidence=SessionEvidence(
            legal_basis=LegalBasis.PUBLIC_TASK,
            manual_check=True,
            document_type=DocumentType.CCCD,
            verdict=REFUSED,
        ),
    )
    end_session(centre.session, visit, now=at + timedelta(minutes=5))
    return visit


def _purges(session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == ACTION)))


def test_old_sessions_lose_citizen_data_and_keep_the_statistics(centre) -> None:
    old = _visit(centre, at=MORNING, ref="a" * 64)
    boundary = _visit(centre, at=MORNING + timedelta(days=1), ref="b" * 64)
    now = MORNING + RETENTION + timedelta(days=1)  # exactly a year after `boundary`
    purged = purge_citizen_data(centre.session, now=now, retention=RETENTION, actor="test")
    assert purged == 1
    centre.session.expire_all()
    assert (old.citizen_ref, old.verdict_reasons, old.citizen_data_purged_at) == (None, None, now)
    assert (old.verdict_accepted, old.verdict_pa_ok, old.legal_basis) == (
        False,
        False,
        "public_task",
    )
    assert old.ended_at is not None
    assert (boundary.citizen_ref, boundary.verdict_reasons) == ("b" * 64, ["expired"])
    (entry,) = _purges(centre.session)
    assert entry.data["sessions"] == 1
    assert entry.data["retention_days"] == 365

    # Idempotent: nothing left to purge, nothing audited.
    assert purge_citizen_data(centre.session, now=now, retention=RETENTION, actor="test") == 0
    assert len(_purges(centre.session)) == 1


def test_the_housekeeping_round_runs_it(
    database, session, pki, audit_context, clock, centre
) -> None:
    visit = _visit(centre, at=clock.now - timedelta(days=40), ref="c" * 64)
    session.commit()
    maintenance.run_once(database, pki, audit_context, clock, citizen_retention=timedelta(days=30))
    session.expire_all()
    assert visit.citizen_ref is None
    assert [e.actor for e in _purges(session)] == ["system:retention"]
