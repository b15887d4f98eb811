"""Key custody in a passphrase-encrypted PKCS#8 file, and the builder adapter."""

from __future__ import annotations

import stat

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.errors import KeyCustodyError, UnsupportedKeyError
from crypto.keys import key_id, verify_signature
from crypto.signers import FileSigner, Signer, as_private_key
from tests.crypto.pki import openssl

FAST = 10_000  # PBKDF2 iterations for tests (the default is 600,000)


def test_a_saved_key_loads_with_its_passphrase_only(tmp_path):
    signer = FileSigner.generate()
    path = tmp_path / "issuing.key.pem"
    signer.save(path, b"correct horse", kdf_iterations=FAST)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = FileSigner.load(path, b"correct horse")
    assert loaded.key_id == signer.key_id
    verify_signature(signer.public_key, loaded.sign(b"data"), b"data")
    with pytest.raises(KeyCustodyError):
        FileSigner.load(path, b"wrong")
    with pytest.raises(KeyCustodyError):
        FileSigner.load(tmp_path / "missing.pem", b"correct horse")


def test_save_never_overwrites(tmp_path):
    path = tmp_path / "key.pem"
    FileSigner.generate().save(path, b"pw", kdf_iterations=FAST)
    with pytest.raises(KeyCustodyError):
        FileSigner.generate().save(path, b"pw", kdf_iterations=FAST)


def test_the_file_is_standard_pkcs8_with_a_strong_kdf(tmp_path):
    """OpenSSL reads it, and sees PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC."""
    signer = FileSigner.generate()
    path = tmp_path / "key.pem"
    path.write_bytes(signer.to_pem(b"s3cret"))
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    parsed = openssl("asn1parse", "-in", str(path))
    assert "PBES2" in parsed.stdout
    assert "PBKDF2" in parsed.stdout
    assert "hmacWithSHA256" in parsed.stdout
    assert "aes-256-cbc" in parsed.stdout
    assert "INTEGER           :0927C0" in parsed.stdout  # 600,000 iterations
    public = openssl("pkey", "-in", str(path), "-passin", "pass:s3cret", "-pubout")
    assert public.returncode == 0, public.stderr
    wrong = openssl("pkey", "-in", str(path), "-passin", "pass:nope", "-noout")
    assert wrong.returncode != 0


def test_openssl_reads_the_public_key_we_expect(tmp_path):
    signer = FileSigner.generate()
    path = tmp_path / "key.pem"
    path.write_bytes(signer.to_pem(b"pw", kdf_iterations=FAST))
    result = subprocess_bytes(
        ["openssl", "pkey", "-in", str(path), "-passin", "pass:pw", "-pubout", "-outform", "DER"]
    )
    loaded = serialization.load_der_public_key(result)
    assert isinstance(loaded, ec.EllipticCurvePublicKey)
    assert key_id(loaded) == signer.key_id


def subprocess_bytes(command):
    import subprocess

    return subprocess.run(command, capture_output=True, check=True).stdout


def test_weak_settings_are_refused():
    signer = FileSigner.generate()
    with pytest.raises(ValueError, match="iterations"):
        signer.to_pem(b"pw", kdf_iterations=1000)
    with pytest.raises(ValueError, match="passphrase"):
        signer.to_pem(b"", kdf_iterations=FAST)


def test_a_file_with_an_rsa_key_is_refused(tmp_path):
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    )
    with pytest.raises(UnsupportedKeyError):
        FileSigner.from_pem(data, b"pw")


def test_a_p384_key_is_refused():
    with pytest.raises(UnsupportedKeyError):
        FileSigner(ec.generate_private_key(ec.SECP384R1()))


def test_the_adapter_signs_sha256_only_and_never_exports():
    signer = FileSigner.generate()
    assert isinstance(signer, Signer)
    key = as_private_key(signer)
    signature = key.sign(b"tbs", ec.ECDSA(hashes.SHA256()))
    signer.public_key.verify(signature, b"tbs", ec.ECDSA(hashes.SHA256()))
    assert key.public_key() == signer.public_key
    assert key.key_size == 256
    with pytest.raises(KeyCustodyError):
        key.sign(b"tbs", ec.ECDSA(hashes.SHA384()))
    with pytest.raises(KeyCustodyError):
        key.sign(b"\x00" * 32, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    with pytest.raises(KeyCustodyError):
        key.private_numbers()
    with pytest.raises(KeyCustodyError):
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    with pytest.raises(KeyCustodyError):
        key.exchange(ec.ECDH(), signer.public_key)


@settings(max_examples=10, deadline=None)  # each example runs PBKDF2 twice
@given(
    secret=st.integers(min_value=1, max_value=2**255),
    passphrase=st.binary(min_size=1, max_size=64),
)
def test_encrypted_pkcs8_round_trips_any_key_and_passphrase(secret, passphrase):
    signer = FileSigner(ec.derive_private_key(secret, ec.SECP256R1()))
    pem = signer.to_pem(passphrase, kdf_iterations=10_000)
    loaded = FileSigner.from_pem(pem, passphrase)
    assert loaded.key_id == signer.key_id
    # The same public key means the same scalar; and the loaded key signs as the original.
    signature = loaded.sign(b"round trip")
    verify_signature(signer.public_key, signature, b"round trip")  # raises if not
    with pytest.raises(KeyCustodyError):
        FileSigner.from_pem(pem, passphrase + b"x")
