"""The signed, numbered trust bundle and the CA certificates it lists."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto._encoding import b64url_decode, b64url_encode
from crypto.errors import (
    BadSignatureError,
    CertificateExpiredError,
    MalformedInputError,
    ProfileViolationError,
    TrustBundleRollbackError,
    UnknownIssuerError,
    UnsupportedKeyError,
)
from crypto.issuers import CertificateAuthority, ca_name, check_ca_certificate, issue_issuing_ca
from crypto.keys import key_id
from crypto.signers import FileSigner
from crypto.trust import (
    TRUST_BUNDLE_VERSION,
    IssuerStatus,
    TrustBundleEntry,
    sign_trust_bundle,
    verify_trust_bundle,
)
from tests.crypto.pki import NOW, ORG, make_pki, openssl, pem


def test_a_bundle_round_trips(pki):
    retired = pki.issuing_ca()
    raw = sign_trust_bundle(
        pki.root,
        [
            TrustBundleEntry(pki.issuing.certificate, IssuerStatus.TRUSTED, NOW),
            TrustBundleEntry(retired.certificate, IssuerStatus.RETIRED, NOW + timedelta(days=2)),
        ],
        sequence=7,
        now=NOW,
    )
    bundle = verify_trust_bundle(raw, roots=[pki.root.certificate], now=NOW, held_sequence=6)
    assert bundle.sequence == 7
    assert bundle.issued_at == NOW
    assert bundle.root_key_id == pki.root.key_id
    assert bundle.envelope == raw
    assert set(bundle.issuers) == {pki.issuing.key_id, retired.key_id}
    assert bundle.issuer(retired.key_id).status is IssuerStatus.RETIRED
    assert bundle.issuer(retired.key_id).since == NOW + timedelta(days=2)
    with pytest.raises(UnknownIssuerError):
        bundle.issuer("00" * 20)


def test_the_envelope_carries_a_format_version_and_the_key_id(pki):
    outer = json.loads(pki.bundle_bytes)
    body = json.loads(b64url_decode(outer["body"]))
    assert body["version"] == TRUST_BUNDLE_VERSION
    assert body["key_id"] == pki.root.key_id
    assert body["type"] == "hue-ecard/trust-bundle"


def test_an_older_or_equal_bundle_is_a_rollback(pki):
    with pytest.raises(TrustBundleRollbackError) as caught:
        verify_trust_bundle(
            pki.bundle_bytes, roots=[pki.root.certificate], now=NOW, held_sequence=1
        )
    assert (caught.value.held, caught.value.presented) == (1, 1)


def test_a_bundle_signed_by_another_root_is_refused(pki):
    other = make_pki()
    with pytest.raises(UnknownIssuerError):
        verify_trust_bundle(other.bundle_bytes, roots=[pki.root.certificate], now=NOW)


def test_a_tampered_bundle_is_refused(pki):
    outer = json.loads(pki.bundle_bytes)
    body = json.loads(b64url_decode(outer["body"]))
    body["content"]["sequence"] = 99
    outer["body"] = b64url_encode(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    with pytest.raises(BadSignatureError):
        verify_trust_bundle(json.dumps(outer).encode(), roots=[pki.root.certificate], now=NOW)


@pytest.mark.parametrize("data", [b"", b"{}", b"[]", b"not json", b'{"body":"!!","signature":""}'])
def test_garbage_bundles_are_malformed(pki, data):
    with pytest.raises(MalformedInputError):
        verify_trust_bundle(data, roots=[pki.root.certificate], now=NOW)


def test_an_issuing_ca_not_signed_by_the_root_is_refused(pki):
    stranger = make_pki()
    raw = sign_trust_bundle(
        pki.root,
        [TrustBundleEntry(stranger.issuing.certificate, IssuerStatus.TRUSTED, NOW)],
        sequence=2,
        now=NOW,
    )
    with pytest.raises(UnknownIssuerError):
        verify_trust_bundle(raw, roots=[pki.root.certificate], now=NOW)


def test_an_rsa_issuing_ca_is_refused(pki):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    from crypto.signers import as_private_key

    certificate = (
        x509.CertificateBuilder()
        .subject_name(ca_name("RSA", ORG))
        .issuer_name(pki.root.name)
        .public_key(key.public_key())
        .serial_number(5)
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(as_private_key(pki.root.signer), hashes.SHA256())
    )
    raw = sign_trust_bundle(
        pki.root, [TrustBundleEntry(certificate, IssuerStatus.TRUSTED, NOW)], sequence=2, now=NOW
    )
    with pytest.raises(UnsupportedKeyError):
        verify_trust_bundle(raw, roots=[pki.root.certificate], now=NOW)


def test_an_expired_root_is_refused(pki):
    later = pki.root.certificate.not_valid_after_utc + timedelta(seconds=1)
    with pytest.raises(CertificateExpiredError):
        verify_trust_bundle(pki.bundle_bytes, roots=[pki.root.certificate], now=later)


def test_a_card_certificate_is_not_a_root(pki):
    card = x509.load_der_x509_certificate(pki.card().der)
    with pytest.raises(ProfileViolationError):
        verify_trust_bundle(pki.bundle_bytes, roots=[card], now=NOW)


def test_ca_certificates_follow_the_ca_profile(pki):
    root = check_ca_certificate(pki.root.certificate)
    issuing = check_ca_certificate(pki.issuing.certificate)
    assert root.key_id == root.authority_key_id == pki.root.key_id
    assert root.path_length == 1
    assert issuing.authority_key_id == pki.root.key_id
    assert issuing.path_length == 0
    assert issuing.key_id == key_id(pki.issuing.signer.public_key)


def test_openssl_accepts_the_ca_chain(tmp_path, pki):
    (tmp_path / "root.pem").write_bytes(pem(pki.root.certificate))
    (tmp_path / "issuing.pem").write_bytes(pem(pki.issuing.certificate))
    at = str(int(NOW.timestamp()))
    root, issuing = str(tmp_path / "root.pem"), str(tmp_path / "issuing.pem")
    result = openssl("verify", "-x509_strict", "-attime", at, "-CAfile", root, issuing)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_issuing_ca_may_not_outlive_its_root(pki):
    signer = FileSigner.generate()
    from crypto.errors import IssuanceError

    with pytest.raises(IssuanceError):
        issue_issuing_ca(
            pki.root,
            signer.public_key,
            common_name="Late",
            organization=ORG,
            now=NOW,
            validity=timedelta(days=30 * 365),
        )


def test_a_ca_pairs_a_signer_with_its_own_certificate(pki):
    from crypto.errors import IssuanceError

    with pytest.raises(IssuanceError):
        CertificateAuthority(FileSigner.generate(), pki.issuing.certificate)


def test_a_p384_issuing_key_is_refused_at_issuance(pki):
    with pytest.raises(UnsupportedKeyError):
        issue_issuing_ca(
            pki.root,
            ec.generate_private_key(ec.SECP384R1()).public_key(),
            common_name="P-384",
            organization=ORG,
            now=NOW,
        )


ROUND_TRIP_PKI = make_pki()
EXTRA_ISSUERS = [ROUND_TRIP_PKI.issuing_ca() for _ in range(3)]


@settings(max_examples=30, deadline=None)
@given(
    statuses=st.lists(st.sampled_from(list(IssuerStatus)), min_size=1, max_size=3),
    since=st.datetimes(
        min_value=datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=datetime(2040, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    sequence=st.integers(min_value=1, max_value=2**53),
)
def test_round_trip(statuses, since, sequence):
    entries = [
        TrustBundleEntry(ca.certificate, status, since)
        for ca, status in zip(EXTRA_ISSUERS, statuses, strict=False)
    ]
    raw = sign_trust_bundle(ROUND_TRIP_PKI.root, entries, sequence=sequence, now=NOW)
    bundle = verify_trust_bundle(raw, roots=[ROUND_TRIP_PKI.root.certificate], now=NOW)
    assert bundle.sequence == sequence
    for entry in entries:
        issuer = bundle.issuer(key_id(entry.certificate.public_key()))  # type: ignore[arg-type]
        assert (issuer.status, issuer.since, issuer.certificate) == (
            entry.status,
            since,
            entry.certificate,
        )
