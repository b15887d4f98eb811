"""The tap entry point: one test per way a tap can fail, and the cache."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa, utils

from crypto import challenge
from crypto.errors import (
    BadSignatureError,
    CertificateExpiredError,
    CertificateNotYetValidError,
    ChallengeExpiredError,
    ChallengeMismatchError,
    IssuerCompromisedError,
    IssuerRetiredError,
    MalformedInputError,
    MissingRevocationListError,
    RevocationListRollbackError,
    RevokedError,
    StaleRevocationListError,
    TrustBundleRollbackError,
    UnknownIssuerError,
    UnsupportedKeyError,
    VerificationError,
)
from crypto.revocation import RevocationReason, RevokedCertificate
from crypto.tap import TapPolicy, TapVerifier
from crypto.trust import IssuerStatus, TrustBundleEntry
from tests.crypto.pki import NOW, Card, Pki, flip_byte, forge_card_certificate, make_pki

PIV = ec.ECDSA(utils.Prehashed(hashes.SHA256()))


def answer(card_key: ec.EllipticCurvePrivateKey, state: challenge.ChallengeState) -> bytes:
    return card_key.sign(state.challenge, PIV)


@pytest.fixture
def verifier(pki: Pki) -> TapVerifier:
    tap = TapVerifier(pki.bundle)
    tap.accept_revocation_list(pki.crl(), now=NOW)
    return tap


def tap(verifier: TapVerifier, card: Card, *, now=NOW, certificate=None, key=None):
    _, state = challenge.begin(now=now)
    return verifier.verify_tap(
        certificate or card.der, state, answer(key or card.key, state), now=now
    )


def test_a_good_tap_is_verified_with_the_facts_of_the_card(pki, verifier):
    card = pki.card()
    result = tap(verifier, card, now=NOW + timedelta(hours=2))
    assert result.card.card_id == card.card_id
    assert result.card.holder_id == card.holder_id
    assert result.issuer_key_id == pki.issuing.key_id
    assert result.revocation_number == 1
    assert result.revocation_this_update == NOW
    assert result.verified_at == NOW + timedelta(hours=2)


def test_the_warm_path_gives_the_same_answer_and_still_checks_the_challenge(pki, verifier):
    card = pki.card()
    first = tap(verifier, card)
    second = tap(verifier, card)
    assert first == second
    _, state = challenge.begin(now=NOW)
    other, _ = challenge.begin(now=NOW)
    with pytest.raises(ChallengeMismatchError):
        verifier.verify_tap(card.der, state, card.key.sign(other, PIV), now=NOW)


def test_unknown_issuer(verifier):
    stranger = make_pki().card()
    with pytest.raises(UnknownIssuerError) as caught:
        tap(verifier, stranger)
    assert caught.value.key_id == stranger_issuer(stranger)


def stranger_issuer(card: Card) -> str:
    from crypto.card_certificates import parse_card_certificate

    return parse_card_certificate(card.der).issuer_key_id


def test_bad_signature_on_the_certificate(pki, verifier):
    card = pki.card()
    with pytest.raises(BadSignatureError):
        tap(verifier, card, certificate=flip_byte(card.der, len(card.der) - 2))


def test_certificate_signed_by_another_key_claiming_our_issuer(pki, verifier):
    key = ec.generate_private_key(ec.SECP256R1())
    forged = forge_card_certificate(
        pki.issuing, key.public_key(), signing_key=ec.generate_private_key(ec.SECP256R1())
    )
    with pytest.raises(BadSignatureError):
        tap(verifier, Card(forged, key, uuid4(), uuid4()))


def test_expired(pki, verifier):
    card = pki.card(validity=timedelta(days=1))
    late = NOW + timedelta(days=1, seconds=1)
    verifier.accept_revocation_list(pki.crl(number=2, this_update=late), now=late)
    with pytest.raises(CertificateExpiredError) as caught:
        tap(verifier, card, now=late)
    assert caught.value.not_after == NOW + timedelta(days=1)


def test_not_yet_valid(pki, verifier):
    card = pki.card(now=NOW + timedelta(hours=1))
    with pytest.raises(CertificateNotYetValidError) as caught:
        tap(verifier, card, now=NOW)
    assert caught.value.not_before == NOW + timedelta(hours=1)
    # within the clock skew it passes
    assert tap(verifier, card, now=NOW + timedelta(minutes=56))


def test_revoked(pki, verifier):
    card = pki.card(serial=0xABCDEF)
    revoked_at = NOW + timedelta(minutes=10)
    crl = pki.crl(
        [RevokedCertificate(0xABCDEF, revoked_at, RevocationReason.KEY_COMPROMISE)],
        number=2,
        this_update=revoked_at,
    )
    tap(verifier, card)  # warm the cache first: revocation must still be seen
    verifier.accept_revocation_list(crl, now=revoked_at)
    with pytest.raises(RevokedError) as caught:
        tap(verifier, card, now=revoked_at)
    assert caught.value.reason == RevocationReason.KEY_COMPROMISE
    assert caught.value.revoked_at == revoked_at
    assert caught.value.serial == 0xABCDEF


def test_stale_revocation_list(pki, verifier):
    card = pki.card()
    grace = TapPolicy().revocation.grace
    assert tap(verifier, card, now=NOW + timedelta(days=1) + grace)
    with pytest.raises(StaleRevocationListError) as caught:
        tap(verifier, card, now=NOW + timedelta(days=1) + grace + timedelta(seconds=1))
    assert caught.value.next_update == NOW + timedelta(days=1)


def test_no_revocation_list_at_all(pki):
    with pytest.raises(MissingRevocationListError):
        tap(TapVerifier(pki.bundle), pki.card())


def test_rollback_of_the_revocation_list(pki, verifier):
    verifier.accept_revocation_list(pki.crl(number=5), now=NOW)
    with pytest.raises(RevocationListRollbackError) as caught:
        verifier.accept_revocation_list(pki.crl(number=4), now=NOW)
    assert (caught.value.held, caught.value.presented) == (5, 4)
    with pytest.raises(RevocationListRollbackError):
        verifier.accept_revocation_list(pki.crl(number=5), now=NOW)


def test_challenge_mismatch_signature_over_another_challenge(pki, verifier):
    card = pki.card()
    _, state = challenge.begin(now=NOW)
    with pytest.raises(ChallengeMismatchError):
        verifier.verify_tap(card.der, state, card.key.sign(b"\x00" * 32, PIV), now=NOW)


def test_challenge_mismatch_signature_by_another_key(pki, verifier):
    card = pki.card()
    with pytest.raises(ChallengeMismatchError):
        tap(verifier, card, key=ec.generate_private_key(ec.SECP256R1()))


def test_challenge_answered_too_late(pki, verifier):
    card = pki.card()
    _, state = challenge.begin(now=NOW)
    with pytest.raises(ChallengeExpiredError):
        verifier.verify_tap(
            card.der, state, answer(card.key, state), now=NOW + timedelta(seconds=11)
        )


def test_a_cloned_certificate_without_the_card_key_is_refused(pki, verifier):
    """A static signed record alone is never enough (the deprecated CHUID mechanism)."""
    card = pki.card()
    with pytest.raises(ChallengeMismatchError):
        tap(verifier, card, key=pki.card().key)


@pytest.mark.parametrize(
    "certificate",
    [b"", b"\x30", b"\x30\x82\x01\x00garbage", b"not a certificate at all", bytes(600)],
    ids=["empty", "one-byte", "bad-length", "text", "zeros"],
)
def test_garbage_der_is_malformed(verifier, certificate):
    _, state = challenge.begin(now=NOW)
    with pytest.raises(MalformedInputError):
        verifier.verify_tap(certificate, state, b"\x30\x00", now=NOW)


@pytest.mark.parametrize("cut", [1, 10, 100, 300])
def test_truncated_der_is_malformed(pki, verifier, cut):
    card = pki.card()
    _, state = challenge.begin(now=NOW)
    with pytest.raises(MalformedInputError):
        verifier.verify_tap(card.der[:-cut], state, answer(card.key, state), now=NOW)


def test_wrong_curve_card_key(pki, verifier):
    key = ec.generate_private_key(ec.SECP384R1())
    forged = forge_card_certificate(pki.issuing, key.public_key())
    _, state = challenge.begin(now=NOW)
    with pytest.raises(UnsupportedKeyError) as caught:
        verifier.verify_tap(forged, state, key.sign(state.challenge, PIV), now=NOW)
    assert "secp384r1" in caught.value.found


def test_rsa_card_key(pki, verifier):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = forge_card_certificate(pki.issuing, key.public_key())
    _, state = challenge.begin(now=NOW)
    with pytest.raises(UnsupportedKeyError) as caught:
        verifier.verify_tap(forged, state, b"\x30\x00", now=NOW)
    assert "RSA" in caught.value.found


def test_retired_issuing_key_after_its_cut_off(pki, verifier):
    cutoff = NOW + timedelta(days=30)
    before = pki.card(now=cutoff - timedelta(seconds=1))
    after = pki.card(now=cutoff)
    bundle = pki.rebundle(
        [TrustBundleEntry(pki.issuing.certificate, IssuerStatus.RETIRED, cutoff)], sequence=2
    )
    verifier.replace_trust(bundle)
    moment = cutoff + timedelta(minutes=1)
    verifier.accept_revocation_list(pki.crl(number=2, this_update=moment), now=moment)
    assert tap(verifier, before, now=moment).card.card_id == before.card_id
    with pytest.raises(IssuerRetiredError) as caught:
        tap(verifier, after, now=moment)
    assert caught.value.since == cutoff


def test_compromised_issuing_key_after_its_cut_off(pki, verifier):
    cutoff = NOW + timedelta(days=30)
    before = pki.card(now=cutoff - timedelta(days=1))
    after = pki.card(now=cutoff + timedelta(days=1))
    moment = cutoff + timedelta(days=1, minutes=1)
    tap_at = moment
    verifier.accept_revocation_list(
        pki.crl(number=2, this_update=cutoff - timedelta(hours=1), next_update=moment),
        now=cutoff,
    )
    assert tap(verifier, after, now=tap_at)  # trusted until the bundle says otherwise
    bundle = pki.rebundle(
        [TrustBundleEntry(pki.issuing.certificate, IssuerStatus.COMPROMISED, cutoff)],
        sequence=2,
    )
    verifier.replace_trust(bundle)  # empties the cache: the card above is refused now
    with pytest.raises(IssuerCompromisedError):
        tap(verifier, after, now=tap_at)
    assert tap(verifier, before, now=tap_at)
    # and a list it signs after the cut-off is refused too
    with pytest.raises(IssuerCompromisedError):
        verifier.accept_revocation_list(pki.crl(number=3, this_update=cutoff), now=cutoff)


def test_replacing_trust_drops_lists_of_issuers_no_longer_listed(pki, verifier):
    other = pki.issuing_ca()
    bundle = pki.rebundle(
        [TrustBundleEntry(other.certificate, IssuerStatus.TRUSTED, NOW)], sequence=2
    )
    verifier.replace_trust(bundle)
    assert verifier.revocation_list(pki.issuing.key_id) is None
    with pytest.raises(UnknownIssuerError):
        tap(verifier, pki.card())


def test_an_older_trust_bundle_is_refused(pki, verifier):
    with pytest.raises(TrustBundleRollbackError):
        verifier.replace_trust(pki.bundle)


def test_issuing_key_rotation_keeps_old_cards_working(pki, verifier):
    new = pki.issuing_ca()
    bundle = pki.rebundle(
        [
            TrustBundleEntry(pki.issuing.certificate, IssuerStatus.RETIRED, NOW + timedelta(1)),
            TrustBundleEntry(new.certificate, IssuerStatus.TRUSTED, NOW + timedelta(1)),
        ],
        sequence=2,
    )
    old_card = pki.card()
    verifier.replace_trust(bundle)
    verifier.accept_revocation_list(pki.crl(number=1, ca=new), now=NOW)
    new_card = pki.card(ca=new)
    assert tap(verifier, old_card).issuer_key_id == pki.issuing.key_id
    assert tap(verifier, new_card).issuer_key_id == new.key_id


def test_every_failure_is_a_verification_error():
    for error in [
        BadSignatureError,
        CertificateExpiredError,
        ChallengeMismatchError,
        IssuerRetiredError,
        MalformedInputError,
        RevokedError,
        StaleRevocationListError,
        RevocationListRollbackError,
        UnknownIssuerError,
    ]:
        assert issubclass(error, VerificationError)


def test_the_cache_is_bounded(pki):
    verifier = TapVerifier(pki.bundle, policy=TapPolicy(cache_size=2))
    verifier.accept_revocation_list(pki.crl(), now=NOW)
    cards = [pki.card() for _ in range(3)]
    for card in cards:
        tap(verifier, card)
    for card in cards:  # evicted or not, every card still verifies
        tap(verifier, card)
    assert len(verifier._snapshot.cache) == 2


def test_taps_do_not_wait_for_a_slow_update(pki, verifier):
    """Loading a complete CRL takes seconds; a tap meanwhile uses the current list."""
    import threading

    card = pki.card()
    results = []
    with verifier._update_lock:  # as if an update were verifying a large list
        worker = threading.Thread(target=lambda: results.append(tap(verifier, card)))
        worker.start()
        worker.join(timeout=10)
    assert results
    assert results[0].card.card_id == card.card_id


def _emergency_tap(verifier: TapVerifier, card: Card, *, now, key=None):
    _, state = challenge.begin(now=now)
    return verifier.verify_tap_despite_stale_revocation_list(
        card.der, state, answer(key or card.key, state), now=now
    )


def test_the_emergency_path_waives_only_freshness(pki, verifier):
    card = pki.card()
    days_later = NOW + timedelta(days=5)  # the held list expired four days ago
    with pytest.raises(StaleRevocationListError):
        tap(verifier, card, now=days_later)
    result = _emergency_tap(verifier, card, now=days_later)
    assert result.card.card_id == card.card_id
    assert result.revocation_this_update == NOW  # the caller sees how old its list is


def test_the_emergency_path_still_checks_the_card_and_the_held_list(pki, verifier):
    revoked = pki.card(serial=0x5EA1ED)
    listed_at = NOW + timedelta(minutes=1)
    verifier.accept_revocation_list(
        pki.crl(
            [RevokedCertificate(0x5EA1ED, listed_at, RevocationReason.KEY_COMPROMISE)],
            number=2,
            this_update=listed_at,
        ),
        now=listed_at,
    )
    later = NOW + timedelta(days=5)
    with pytest.raises(RevokedError):
        _emergency_tap(verifier, revoked, now=later)
    with pytest.raises(ChallengeMismatchError):  # a copied certificate without the card key
        _emergency_tap(verifier, pki.card(), now=later, key=ec.generate_private_key(ec.SECP256R1()))
