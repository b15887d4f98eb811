"""CRLs and delta CRLs: issuing, verifying, applying, and every refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.errors import (
    BadSignatureError,
    IssuerCompromisedError,
    MalformedInputError,
    ProfileViolationError,
    RevocationListGapError,
    RevocationListNotYetValidError,
    RevocationListRollbackError,
    RevokedError,
    StaleRevocationListError,
    UnknownIssuerError,
)
from crypto.revocation import (
    RevocationPolicy,
    RevocationReason,
    RevokedCertificate,
    accept_revocation_list,
    build_crl,
    build_delta_crl,
    delta_changes,
)
from crypto.trust import IssuerStatus, TrustBundleEntry
from tests.crypto.pki import NOW, flip_byte, make_pki

PKI = make_pki()
HOUR = timedelta(hours=1)


def entry(serial, reason=RevocationReason.KEY_COMPROMISE, at=NOW):
    return RevokedCertificate(serial, at, reason)


def delta(pki, changes, *, number, base, this_update=NOW):
    return build_delta_crl(
        pki.issuing,
        changes,
        number=number,
        base_number=base,
        this_update=this_update,
        next_update=this_update + timedelta(days=1),
    )


def test_a_complete_list_is_verified_and_looked_up(pki):
    crl = pki.crl([entry(10), entry(11, RevocationReason.CERTIFICATE_HOLD)], number=3)
    held = accept_revocation_list(crl, trust=pki.bundle, now=NOW)
    assert (held.number, held.base_number, len(held)) == (3, 3, 2)
    assert held.this_update == NOW
    assert held.next_update == NOW + timedelta(days=1)
    assert held.lookup(10) == entry(10)
    on_hold = held.lookup(11)
    assert on_hold is not None
    assert on_hold.reason is RevocationReason.CERTIFICATE_HOLD
    assert held.lookup(12) is None
    held.check(12)
    with pytest.raises(RevokedError) as caught:
        held.check(10)
    assert caught.value.reason == RevocationReason.KEY_COMPROMISE


def test_unspecified_reasons_round_trip_without_a_reason_code(pki):
    crl = pki.crl([entry(5, RevocationReason.UNSPECIFIED)])
    revoked = x509.load_der_x509_crl(crl).get_revoked_certificate_by_serial_number(5)
    assert revoked is not None
    assert len(revoked.extensions) == 0  # RFC 5280: reasonCode unspecified is omitted
    held = accept_revocation_list(crl, trust=pki.bundle, now=NOW)
    found = held.lookup(5)
    assert found is not None
    assert found.reason is RevocationReason.UNSPECIFIED


def test_a_delta_adds_and_removes_entries(pki):
    base = accept_revocation_list(
        pki.crl([entry(1), entry(2, RevocationReason.CERTIFICATE_HOLD)], number=10),
        trust=pki.bundle,
        now=NOW,
    )
    changes = [entry(3), entry(2, RevocationReason.REMOVE_FROM_CRL)]
    after = accept_revocation_list(
        delta(pki, changes, number=11, base=10), trust=pki.bundle, now=NOW, held=base
    )
    assert (after.number, after.base_number) == (11, 10)
    assert after.lookup(1) is not None
    assert after.lookup(2) is None
    assert after.lookup(3) is not None
    assert len(after) == 2
    assert base.lookup(2) is not None  # the held state is not changed in place


def test_cumulative_deltas_from_the_same_base_apply_in_turn(pki):
    held = accept_revocation_list(pki.crl([entry(1)], number=10), trust=pki.bundle, now=NOW)
    held = accept_revocation_list(
        delta(pki, [entry(2)], number=11, base=10), trust=pki.bundle, now=NOW, held=held
    )
    held = accept_revocation_list(
        delta(pki, [entry(2), entry(3)], number=12, base=10), trust=pki.bundle, now=NOW, held=held
    )
    assert [held.lookup(s) is not None for s in (1, 2, 3, 4)] == [True, True, True, False]
    assert len(held) == 3


def test_a_delta_that_does_not_chain_from_what_we_hold_is_refused(pki):
    held = accept_revocation_list(pki.crl(number=10), trust=pki.bundle, now=NOW)
    with pytest.raises(RevocationListGapError) as caught:
        accept_revocation_list(
            delta(pki, [entry(1)], number=13, base=12), trust=pki.bundle, now=NOW, held=held
        )
    assert (caught.value.held, caught.value.base) == (10, 12)
    with pytest.raises(RevocationListGapError):
        accept_revocation_list(
            delta(pki, [entry(1)], number=13, base=12), trust=pki.bundle, now=NOW
        )


def test_rollback_is_refused_for_complete_lists_and_deltas(pki):
    held = accept_revocation_list(pki.crl(number=10), trust=pki.bundle, now=NOW)
    with pytest.raises(RevocationListRollbackError):
        accept_revocation_list(pki.crl(number=9), trust=pki.bundle, now=NOW, held=held)
    with pytest.raises(RevocationListRollbackError):
        accept_revocation_list(pki.crl(number=10), trust=pki.bundle, now=NOW, held=held)
    with pytest.raises(RevocationListRollbackError):
        accept_revocation_list(
            delta(pki, [], number=10, base=9), trust=pki.bundle, now=NOW, held=held
        )


def test_a_list_past_next_update_plus_grace_is_stale(pki):
    crl = pki.crl(number=1)
    policy = RevocationPolicy(grace=HOUR)
    late = NOW + timedelta(days=1) + HOUR
    assert accept_revocation_list(crl, trust=pki.bundle, now=late, policy=policy)
    with pytest.raises(StaleRevocationListError) as caught:
        accept_revocation_list(
            crl, trust=pki.bundle, now=late + timedelta(seconds=1), policy=policy
        )
    assert caught.value.grace == HOUR


def test_a_list_from_the_future_is_refused(pki):
    crl = pki.crl(this_update=NOW + timedelta(minutes=10))
    with pytest.raises(RevocationListNotYetValidError):
        accept_revocation_list(crl, trust=pki.bundle, now=NOW)
    assert accept_revocation_list(crl, trust=pki.bundle, now=NOW + timedelta(minutes=6))


def test_a_list_from_an_untrusted_issuer_is_refused(pki):
    with pytest.raises(UnknownIssuerError):
        accept_revocation_list(make_pki().crl(), trust=pki.bundle, now=NOW)


def test_a_list_with_a_flipped_byte_is_refused(pki):
    serial = 0x1122334455667788
    crl = pki.crl([entry(serial)])
    position = crl.index(serial.to_bytes(8, "big")) + 2
    with pytest.raises(BadSignatureError):
        accept_revocation_list(flip_byte(crl, position), trust=pki.bundle, now=NOW)


def test_a_list_signed_by_another_key_claiming_our_issuer_is_refused(pki):
    impostor = pki.issuing_ca()
    forged = x509.load_der_x509_crl(pki.crl(ca=impostor))
    # same issuer name and key id as ours, signed with the impostor's key
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.issuing.name)
        .last_update(forged.last_update_utc)
        .next_update(NOW + HOUR)
        .add_extension(x509.CRLNumber(2), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier(bytes.fromhex(pki.issuing.key_id), None, None),
            critical=False,
        )
    )
    from cryptography.hazmat.primitives import hashes, serialization

    from crypto.signers import as_private_key

    der = builder.sign(as_private_key(impostor.signer), hashes.SHA256()).public_bytes(
        serialization.Encoding.DER
    )
    with pytest.raises(BadSignatureError):
        accept_revocation_list(der, trust=pki.bundle, now=NOW)


@pytest.mark.parametrize("data", [b"", b"\x30\x03\x02\x01\x01", b"garbage" * 20])
def test_garbage_is_malformed(pki, data):
    with pytest.raises(MalformedInputError):
        accept_revocation_list(data, trust=pki.bundle, now=NOW)


def test_truncated_lists_are_malformed(pki):
    crl = pki.crl([entry(1), entry(2)])
    for cut in (1, 5, 40):
        with pytest.raises(MalformedInputError):
            accept_revocation_list(crl[:-cut], trust=pki.bundle, now=NOW)


def test_remove_from_crl_belongs_in_deltas_only(pki):
    with pytest.raises(ValueError, match="delta"):
        pki.crl([entry(1, RevocationReason.REMOVE_FROM_CRL)])


def test_a_compromised_issuer_s_later_lists_are_refused(pki):
    cutoff = NOW + HOUR
    bundle = pki.rebundle(
        [TrustBundleEntry(pki.issuing.certificate, IssuerStatus.COMPROMISED, cutoff)], sequence=2
    )
    assert accept_revocation_list(pki.crl(this_update=NOW), trust=bundle, now=NOW)
    with pytest.raises(IssuerCompromisedError):
        accept_revocation_list(pki.crl(this_update=cutoff), trust=bundle, now=cutoff)


def test_a_retired_issuer_still_revokes_its_cards(pki):
    bundle = pki.rebundle(
        [TrustBundleEntry(pki.issuing.certificate, IssuerStatus.RETIRED, NOW - HOUR)], sequence=2
    )
    held = accept_revocation_list(pki.crl([entry(7)]), trust=bundle, now=NOW)
    assert held.lookup(7) is not None


def test_an_unknown_critical_extension_is_refused(pki):
    from cryptography.hazmat.primitives import hashes, serialization

    from crypto.signers import as_private_key

    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.issuing.name)
        .last_update(NOW)
        .next_update(NOW + HOUR)
        .add_extension(x509.CRLNumber(2), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier(bytes.fromhex(pki.issuing.key_id), None, None),
            critical=False,
        )
        .add_extension(
            x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.4"), b"\x05\x00"),
            critical=True,
        )
    )
    der = builder.sign(as_private_key(pki.issuing.signer), hashes.SHA256()).public_bytes(
        serialization.Encoding.DER
    )
    with pytest.raises(ProfileViolationError):
        accept_revocation_list(der, trust=pki.bundle, now=NOW)


def test_delta_changes_lists_new_changed_and_removed_entries():
    base = [entry(1), entry(2), entry(3, RevocationReason.CERTIFICATE_HOLD)]
    current = [entry(1), entry(3, RevocationReason.KEY_COMPROMISE), entry(4)]
    later = NOW + HOUR
    assert delta_changes(base, current, removed_at=later) == [
        entry(2, RevocationReason.REMOVE_FROM_CRL, later),
        entry(3, RevocationReason.KEY_COMPROMISE),
        entry(4),
    ]


REASONS = [r for r in RevocationReason if r is not RevocationReason.REMOVE_FROM_CRL]
entries = st.lists(
    st.builds(
        RevokedCertificate,
        serial=st.integers(min_value=1, max_value=2**159 - 1),
        revoked_at=st.datetimes(
            min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
            max_value=datetime(2049, 12, 31),  # noqa: DTZ001
            timezones=st.just(UTC),
        ).map(lambda d: d.replace(microsecond=0)),
        reason=st.sampled_from(REASONS),
    ),
    max_size=30,
    unique_by=lambda e: e.serial,
)


@settings(max_examples=40, deadline=None)
@given(base=entries, current=entries, number=st.integers(min_value=0, max_value=2**64))
def test_round_trip_complete_and_delta(base, current, number):
    trust = PKI.bundle
    crl = build_crl(PKI.issuing, base, number=number, this_update=NOW, next_update=NOW + HOUR)
    held = accept_revocation_list(crl, trust=trust, now=NOW)
    assert held.number == number
    for revoked in base:
        assert held.lookup(revoked.serial) == revoked
    changes = delta_changes(base, current, removed_at=NOW)
    after = accept_revocation_list(
        build_delta_crl(
            PKI.issuing,
            changes,
            number=number + 1,
            base_number=number,
            this_update=NOW,
            next_update=NOW + HOUR,
        ),
        trust=trust,
        now=NOW,
        held=held,
    )
    assert len(after) == len(current)
    for revoked in current:
        assert after.lookup(revoked.serial) == revoked
    for gone in {e.serial for e in base} - {e.serial for e in current}:
        assert after.lookup(gone) is None
