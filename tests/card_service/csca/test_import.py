"""Curating CSCA material: master lists verified before they are stored, single
certificates with an operator's note, CRLs only from a trusted CSCA; every import audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from sqlalchemy import func, select

from card_service.audit.models import AuditEntry
from card_service.csca.errors import CscaImportError
from card_service.csca.models import CscaCertificate, CscaCrl, CscaMasterList
from card_service.csca.service import import_material, trust_store
from reader_agent.virtual.emrtd_issuer import build_master_list, make_csca, make_signer
from tests.card_service.conftest import START


@pytest.fixture(scope="module")
def pki():
    start = START - timedelta(days=30)
    csca = make_csca(country="VN", common_name="CSCA Viet Nam (TEST)", not_before=start)
    signer = make_signer(
        csca, country="VN", common_name="ML Signer", not_before=start, master_list_signer=True
    )
    rogue = make_csca(country="VN", common_name="CSCA Viet Nam (TEST)", not_before=start)
    master_list = build_master_list([csca.certificate], signer, signing_time=start)
    return csca, rogue, master_list


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _crl(issued, now) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issued.certificate.subject)
        .last_update(now)
        .next_update(now + timedelta(days=30))
    )
    return builder.sign(issued.key, hashes.SHA256()).public_bytes(Encoding.DER)


def _import(session, data, **kwargs):
    kwargs.setdefault("anchors", [])
    kwargs.setdefault("note", None)
    return import_material(session, data, actor="test", now=START, **kwargs)


def test_a_master_list_is_verified_then_its_cscas_trusted(session, pki) -> None:
    csca, _, master_list = pki
    result = _import(session, master_list, anchors=[csca.certificate])
    assert (result.kind, result.added) == ("master_list", 1)
    (row,) = session.scalars(select(CscaCertificate)).all()
    assert (row.source, row.country) == ("master_list", "VN")
    assert trust_store(session).certificates == (csca.certificate,)
    again = _import(session, master_list, anchors=[csca.certificate])
    assert again.added == 0
    assert _count(session, CscaMasterList) == 1
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert actions == ["csca.master_list.imported"] * 2


@pytest.mark.parametrize("case", ["no anchor", "wrong anchor", "tampered"])
def test_a_master_list_that_does_not_verify_stores_nothing(session, pki, case) -> None:
    csca, rogue, master_list = pki
    anchors = {"no anchor": [], "wrong anchor": [rogue.certificate], "tampered": [csca.certificate]}
    data = master_list
    if case == "tampered":
        position = data.index(csca.certificate_der()[40:60])
        data = data[:position] + bytes([data[position] ^ 1]) + data[position + 1 :]
    with pytest.raises(CscaImportError):
        _import(session, data, anchors=anchors[case])
    assert _count(session, CscaCertificate) == 0
    assert _count(session, CscaMasterList) == 0


def test_a_single_certificate_needs_the_operators_note(session, pki) -> None:
    csca, _, _ = pki
    with pytest.raises(CscaImportError, match="--note"):
        _import(session, csca.certificate_der())
    result = _import(session, csca.certificate_der(), note="fingerprint read out by C06, 24/11")
    assert (result.kind, result.added) == ("certificate", 1)
    (row,) = session.scalars(select(CscaCertificate)).all()
    assert (row.source, row.note) == ("certificate", "fingerprint read out by C06, 24/11")
    (entry,) = session.scalars(select(AuditEntry)).all()
    assert entry.action == "csca.certificate.imported"
    assert entry.data["fingerprint"] == result.fingerprint


def test_a_crl_is_accepted_only_from_a_trusted_csca(session, pki) -> None:
    csca, rogue, _ = pki
    _import(session, csca.certificate_der(), note="checked")
    with pytest.raises(CscaImportError, match="CRL refused"):
        _import(session, _crl(rogue, START))
    assert _import(session, _crl(csca, START)).kind == "crl"
    assert _count(session, CscaCrl) == 1
    assert len(trust_store(session).crls_for(csca.certificate)) == 1


def test_anything_else_is_refused(session) -> None:
    with pytest.raises(CscaImportError):
        _import(session, b"not a certificate, list or CRL", anchors=[])
