"""OpenSSL, which nobody here wrote, must accept what we issue, and refuse it once a
single byte is changed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crypto.keys import point_bytes
from crypto.revocation import RevocationReason, RevokedCertificate, build_delta_crl
from tests.crypto.pki import (
    NOW,
    flip_byte,
    make_pki,
    openssl_crl_verify,
    openssl_verify,
)


def test_openssl_verifies_a_card_certificate_against_the_chain(tmp_path, pki):
    card = pki.card()
    result = openssl_verify(tmp_path, pki, card.der)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "card.pem: OK" in result.stdout


def test_openssl_refuses_a_card_certificate_with_a_flipped_subject_byte(tmp_path, pki):
    card = pki.card()
    # One character of the card id in the subject: still well-formed, no longer signed.
    position = card.der.index(str(card.card_id).encode()) + 2
    result = openssl_verify(tmp_path, pki, flip_byte(card.der, position))
    assert result.returncode != 0
    assert "signature failure" in result.stdout + result.stderr


def test_openssl_refuses_a_card_certificate_with_a_flipped_key_byte(tmp_path, pki):
    card = pki.card()
    position = card.der.index(point_bytes(card.key.public_key())) + 20
    result = openssl_verify(tmp_path, pki, flip_byte(card.der, position))
    assert result.returncode != 0


def test_openssl_refuses_a_card_certificate_with_a_flipped_signature_byte(tmp_path, pki):
    card = pki.card()
    result = openssl_verify(tmp_path, pki, flip_byte(card.der, len(card.der) - 3))
    assert result.returncode != 0


def test_openssl_refuses_a_card_certificate_from_another_pki(tmp_path, pki):
    stranger = make_pki().card()
    result = openssl_verify(tmp_path, pki, stranger.der)
    assert result.returncode != 0


def test_openssl_sees_our_validity(tmp_path, pki):
    card = pki.card(validity=timedelta(days=30))
    assert openssl_verify(tmp_path, pki, card.der, at=NOW + timedelta(days=29)).returncode == 0
    late = openssl_verify(tmp_path, pki, card.der, at=NOW + timedelta(days=31))
    assert late.returncode != 0
    assert "expired" in late.stdout + late.stderr


def test_openssl_verifies_our_crl(tmp_path, pki):
    crl = pki.crl([RevokedCertificate(1234, NOW, RevocationReason.KEY_COMPROMISE)], number=7)
    result = openssl_crl_verify(tmp_path, pki.issuing.certificate, crl)
    assert result.returncode == 0, result.stderr
    assert "verify OK" in result.stderr


def test_openssl_verifies_our_delta_crl(tmp_path, pki):
    delta = build_delta_crl(
        pki.issuing,
        [RevokedCertificate(99, NOW, RevocationReason.REMOVE_FROM_CRL)],
        number=8,
        base_number=7,
        this_update=NOW,
        next_update=NOW + timedelta(hours=1),
    )
    result = openssl_crl_verify(tmp_path, pki.issuing.certificate, delta)
    assert result.returncode == 0, result.stderr
    assert "verify OK" in result.stderr


@pytest.mark.parametrize("where", ["serial", "signature"])
def test_openssl_refuses_a_crl_with_a_flipped_byte(tmp_path, pki, where):
    serial = 0x1122334455667788
    crl = pki.crl([RevokedCertificate(serial, NOW, RevocationReason.SUPERSEDED)])
    position = crl.index(serial.to_bytes(8, "big")) + 3 if where == "serial" else len(crl) - 3
    result = openssl_crl_verify(tmp_path, pki.issuing.certificate, flip_byte(crl, position))
    # OpenSSL 3.0's `crl -verify` exits 0 either way; it says which on stderr.
    assert "verify OK" not in result.stderr
    assert "verify failure" in result.stderr


def test_openssl_refuses_a_crl_signed_by_another_issuer(tmp_path, pki):
    other = make_pki()
    result = openssl_crl_verify(tmp_path, pki.issuing.certificate, other.crl())
    assert "verify OK" not in result.stderr
    assert "verify failure" in result.stderr


def test_openssl_finds_a_revoked_card_on_our_crl(tmp_path, pki):
    card = pki.card(serial=0xC0FFEE)
    clean = openssl_verify(tmp_path, pki, card.der, crl_der=pki.crl([]))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    # -crl_check wants a CRL for the issuing CA only; the card's serial is on it.
    crl = pki.crl([RevokedCertificate(0xC0FFEE, NOW, RevocationReason.KEY_COMPROMISE)])
    revoked = openssl_verify(tmp_path, pki, card.der, crl_der=crl, at=NOW + timedelta(hours=1))
    assert revoked.returncode != 0
    assert "revoked" in revoked.stdout + revoked.stderr
