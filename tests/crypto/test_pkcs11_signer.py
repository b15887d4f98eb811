"""Key custody in a PKCS#11 token: SoftHSM2, a key generated inside it and marked
non-extractable, issuing a certificate and a CRL that OpenSSL accepts."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from crypto.errors import KeyCustodyError
from crypto.issuers import CertificateAuthority, issue_issuing_ca
from crypto.keys import verify_signature
from crypto.pkcs11_signer import DEFAULT_MODULE, Pkcs11Signer
from crypto.revocation import RevocationReason, RevokedCertificate, accept_revocation_list
from crypto.tap import TapVerifier
from tests.crypto.pki import NOW, ORG, make_pki, openssl_crl_verify, openssl_verify
from tests.support.environment import require

pytestmark = pytest.mark.softhsm

SO_PIN = "12345678"
USER_PIN = "87654321"
LABEL = "hue-ecard-test"


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory):
    """A fresh SoftHSM2 token in a temporary directory, for this module only."""
    available = DEFAULT_MODULE.exists() and _has_util()
    if not available:
        require(False, "SoftHSM2")
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    config = directory / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {directory / 'tokens'}\n"
        "objectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(config))
        subprocess.run(
            ["softhsm2-util", "--init-token", "--free", "--label", LABEL,
             "--so-pin", SO_PIN, "--pin", USER_PIN],
            check=True, capture_output=True, env=os.environ.copy(),
        )  # fmt: skip
        yield LABEL
        import pkcs11

        pkcs11.unload(str(DEFAULT_MODULE))


def _has_util() -> bool:
    from shutil import which

    return which("softhsm2-util") is not None


def test_a_key_generated_in_the_token_signs_and_never_leaves(token):
    from pkcs11 import Attribute, KeyType, ObjectClass
    from pkcs11.exceptions import AttributeSensitive

    with Pkcs11Signer.generate(token_label=token, user_pin=USER_PIN, label="sign-1") as signer:
        verify_signature(signer.public_key, signer.sign(b"hello"), b"hello")
        private = signer._private_key
        assert private[Attribute.EXTRACTABLE] is False
        assert private[Attribute.SENSITIVE] is True
        assert private[Attribute.NEVER_EXTRACTABLE] is True
        assert private[Attribute.LOCAL] is True  # generated inside the token
        assert private[Attribute.ID] == bytes.fromhex(signer.key_id)
        session = signer._session
        found = session.get_key(ObjectClass.PRIVATE_KEY, KeyType.EC, label="sign-1")
        with pytest.raises(AttributeSensitive):
            found[Attribute.VALUE]
    with Pkcs11Signer.open(token_label=token, user_pin=USER_PIN, label="sign-1") as again:
        assert again.key_id == signer.key_id


def test_wrong_pin_and_missing_key_are_custody_errors(token):
    with pytest.raises(KeyCustodyError):
        Pkcs11Signer.open(token_label=token, user_pin="00000000", label="sign-1")
    with pytest.raises(KeyCustodyError):
        Pkcs11Signer.open(token_label=token, user_pin=USER_PIN, label="no-such-key")
    with pytest.raises(KeyCustodyError):
        Pkcs11Signer.open(
            module=Path("/nonexistent/libpkcs11.so"), token_label=token, user_pin=USER_PIN,
            label="sign-1",
        )  # fmt: skip


def test_an_hsm_issuing_ca_issues_what_openssl_and_our_verifier_accept(token, tmp_path):
    with Pkcs11Signer.generate(token_label=token, user_pin=USER_PIN, label="issuing") as signer:
        pki = make_pki()
        issuing = CertificateAuthority(
            signer,
            issue_issuing_ca(
                pki.root, signer.public_key, common_name="HSM Issuing CA", organization=ORG,
                now=NOW,
            ),
        )  # fmt: skip
        pki.issuing = issuing
        from crypto.trust import IssuerStatus, TrustBundleEntry

        pki.bundle = pki.rebundle(
            [TrustBundleEntry(issuing.certificate, IssuerStatus.TRUSTED, NOW)], sequence=2
        )
        card = pki.card(serial=0xBEEF)
        crl = pki.crl([RevokedCertificate(0xDEAD, NOW, RevocationReason.KEY_COMPROMISE)], number=4)

    certificate = openssl_verify(tmp_path, pki, card.der)
    assert certificate.returncode == 0, certificate.stdout + certificate.stderr
    listing = openssl_crl_verify(tmp_path, issuing.certificate, crl)
    assert "verify OK" in listing.stderr, listing.stderr

    held = accept_revocation_list(crl, trust=pki.bundle, now=NOW)
    assert held.lookup(0xDEAD) is not None
    verifier = TapVerifier(pki.bundle)
    verifier.install_revocation_list(held)
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, utils

    from crypto import challenge

    sent, state = challenge.begin(now=NOW + timedelta(minutes=1))
    answer = card.key.sign(sent, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    assert verifier.verify_tap(card.der, state, answer, now=NOW + timedelta(minutes=1))
