"""Passive Authentication: each check refuses with its own error."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crypto.emrtd import CscaTrustStore, parse_sod, passive_authentication
from crypto.emrtd.errors import (
    CertificateValidityError,
    DataGroupHashError,
    IssuingStateMismatchError,
    RevocationListError,
    RevokedCertificateError,
    SodFormatError,
    SodSignatureError,
    UntrustedDocumentSignerError,
)
from crypto.emrtd.passive_auth import CrlStatus
from crypto.errors import VerificationError
from reader_agent.virtual.emrtd_issuer import build_crl, build_sod, make_csca, make_signer
from tests.crypto.emrtd.conftest import NOW, SIGNED_AT


def store_with(*cscas):
    store = CscaTrustStore()
    for csca in cscas:
        store.add_certificate(csca.certificate)
    return store


def test_a_genuine_document_passes(issuer):
    result = passive_authentication(
        issuer.sod, issuer.groups, store_with(issuer.csca), now=NOW, issuing_state="VNM"
    )
    assert result.verified_data_groups == (1, 13, 14)
    assert result.country == "VN"
    assert result.csca == issuer.csca.certificate
    assert result.crl_status is CrlStatus.ABSENT
    assert result.signing_time == SIGNED_AT


def test_sod_lists_every_hash(issuer):
    sod = parse_sod(issuer.sod)
    assert sod.digest_algorithm == "sha256"
    assert sorted(sod.unverified_hashes) == [1, 13, 14]


def test_a_data_group_altered_after_signing_is_refused(issuer):
    altered = {**issuer.groups, 13: b"\x6d\x02\x30\x01"}
    with pytest.raises(DataGroupHashError) as raised:
        passive_authentication(issuer.sod, altered, store_with(issuer.csca), now=NOW)
    assert raised.value.data_group == 13


def test_a_data_group_the_sod_does_not_list_is_refused(issuer):
    extra = {**issuer.groups, 2: b"\x75\x00"}
    with pytest.raises(DataGroupHashError, match="DG2"):
        passive_authentication(issuer.sod, extra, store_with(issuer.csca), now=NOW)


def test_a_document_signer_from_an_unknown_csca_is_refused(issuer):
    rogue = make_csca(
        country="VN", common_name="CSCA VN test", not_before=NOW - timedelta(days=900)
    )
    rogue_ds = make_signer(
        rogue, country="VN", common_name="DS", not_before=NOW - timedelta(days=9)
    )
    sod = build_sod(issuer.groups, rogue_ds, signing_time=NOW - timedelta(days=1))
    # Same CSCA name as the trusted one, different key: the name alone must not do.
    with pytest.raises(UntrustedDocumentSignerError):
        passive_authentication(sod, issuer.groups, store_with(issuer.csca), now=NOW)


def test_an_empty_trust_store_trusts_nothing(issuer):
    with pytest.raises(UntrustedDocumentSignerError):
        passive_authentication(issuer.sod, issuer.groups, CscaTrustStore(), now=NOW)


def test_a_document_signer_expired_at_signing_time_is_refused(issuer):
    old_ds = make_signer(
        issuer.csca,
        country="VN",
        common_name="DS old",
        not_before=NOW - timedelta(days=400),
        days=100,
    )
    sod = build_sod(issuer.groups, old_ds, signing_time=NOW - timedelta(days=200))
    with pytest.raises(CertificateValidityError) as raised:
        passive_authentication(sod, issuer.groups, store_with(issuer.csca), now=NOW)
    assert raised.value.which == "Document Signer"


def test_issuing_state_must_match_the_csca(issuer):
    with pytest.raises(IssuingStateMismatchError):
        passive_authentication(
            issuer.sod, issuer.groups, store_with(issuer.csca), now=NOW, issuing_state="KHM"
        )
    with pytest.raises(IssuingStateMismatchError):
        passive_authentication(
            issuer.sod, issuer.groups, store_with(issuer.csca), now=NOW, issuing_state="XXX"
        )


def test_a_document_signer_of_another_country_under_our_csca_is_refused(issuer):
    foreign_ds = make_signer(
        issuer.csca, country="KH", common_name="DS KH", not_before=NOW - timedelta(days=9)
    )
    sod = build_sod(issuer.groups, foreign_ds, signing_time=NOW - timedelta(days=1))
    with pytest.raises(IssuingStateMismatchError):
        passive_authentication(sod, issuer.groups, store_with(issuer.csca), now=NOW)


def test_a_revoked_document_signer_is_refused_and_a_crl_is_reported(issuer):
    store = store_with(issuer.csca)
    store.add_crl(build_crl(issuer.csca, [issuer.ds.certificate.serial_number], this_update=NOW))
    with pytest.raises(RevokedCertificateError):
        passive_authentication(issuer.sod, issuer.groups, store, now=NOW)
    clean = store_with(issuer.csca)
    clean.add_crl(build_crl(issuer.csca, [12345], this_update=NOW - timedelta(days=60)))
    result = passive_authentication(issuer.sod, issuer.groups, clean, now=NOW)
    assert result.crl_status is CrlStatus.STALE


def test_a_crl_not_signed_by_a_trusted_csca_is_refused(issuer):
    other = make_csca(country="VN", common_name="CSCA VN test", not_before=NOW - timedelta(days=9))
    with pytest.raises(RevocationListError):
        store_with(issuer.csca).add_crl(build_crl(other, [1], this_update=NOW))


def test_a_forged_signature_is_refused(issuer):
    tampered = bytearray(issuer.sod)
    tampered[-5] ^= 0x01  # inside the ECDSA signature, at the end of the SignerInfo
    with pytest.raises((SodSignatureError, SodFormatError)):
        passive_authentication(bytes(tampered), issuer.groups, store_with(issuer.csca), now=NOW)


def test_a_hash_list_changed_after_signing_breaks_the_message_digest(issuer):
    sod = parse_sod(issuer.sod)
    first_hash = sod.unverified_hashes[1]
    tampered = issuer.sod.replace(first_hash, bytes(len(first_hash)))
    with pytest.raises(SodSignatureError, match="message-digest"):
        passive_authentication(tampered, issuer.groups, store_with(issuer.csca), now=NOW)


@pytest.mark.parametrize("garbage", [b"", b"\x77", b"\x77\x03\x30\x01\x00", b"\x30\x00", bytes(40)])
def test_garbage_is_a_format_error(issuer, garbage):
    with pytest.raises(SodFormatError):
        passive_authentication(garbage, issuer.groups, store_with(issuer.csca), now=NOW)
    assert issubclass(SodFormatError, VerificationError)
