"""A signer whose P-256 key lives inside a PKCS#11 token (an HSM; SoftHSM2 in tests).

The key is generated inside the token with CKA_SENSITIVE true and CKA_EXTRACTABLE
false, so it cannot leave it. We hash here and ask the token for plain CKM_ECDSA over
the SHA-256 digest, then DER-encode r || s: tokens differ in which hash-and-sign
mechanisms they offer (SoftHSM2 2.6.1 refuses CKM_ECDSA_SHA256), CKM_ECDSA is
universal, and the signature is identical.

This is the only module that imports the PKCS#11 binding (``python-pkcs11``).
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import pkcs11
from cryptography.hazmat.primitives.asymmetric import ec
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11.exceptions import PKCS11Error

from crypto import _der
from crypto.errors import KeyCustodyError, MalformedInputError
from crypto.keys import der_signature, key_id, key_id_bytes, load_public_key_point

OID_SECP256R1 = "1.2.840.10045.3.1.7"
DEFAULT_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")


class Pkcs11Signer:
    """Signs with a non-extractable EC P-256 key in a PKCS#11 token.

    The constructor takes an open session and the key objects; ``generate`` and
    ``open`` are the factories that talk to the token. ``close()`` (or ``with``)
    ends the session.
    """

    def __init__(
        self, session: pkcs11.Session, private_key: Any, public_key: ec.EllipticCurvePublicKey
    ) -> None:
        self._session = session
        self._private_key = private_key
        self._public_key = public_key
        self._key_id = key_id(public_key)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Pkcs11Signer(key_id={self._key_id})"

    @classmethod
    def generate(
        cls, *, module: Path = DEFAULT_MODULE, token_label: str, user_pin: str, label: str
    ) -> Pkcs11Signer:
        """Generate a P-256 key pair inside the token, stored, sensitive, non-extractable."""
        session = _open_session(module, token_label, user_pin)
        try:
            params = _der.oid(OID_SECP256R1)
            public, private = session.generate_keypair(
                KeyType.EC,
                store=True,
                label=label,
                public_template={
                    Attribute.EC_PARAMS: params,
                    Attribute.VERIFY: True,
                    Attribute.TOKEN: True,
                },
                private_template={
                    Attribute.SIGN: True,
                    Attribute.SENSITIVE: True,
                    Attribute.EXTRACTABLE: False,
                    Attribute.PRIVATE: True,
                    Attribute.TOKEN: True,
                },
            )
            public_key = _public_key_of(public)
            identifier = key_id_bytes(public_key)
            public[Attribute.ID] = identifier
            private[Attribute.ID] = identifier
        except PKCS11Error as exc:
            session.close()
            raise KeyCustodyError(f"cannot generate a key in token {token_label!r}") from exc
        return cls(session, private, public_key)

    @classmethod
    def open(
        cls, *, module: Path = DEFAULT_MODULE, token_label: str, user_pin: str, label: str
    ) -> Pkcs11Signer:
        """Find the key pair labelled ``label``; refuse a private key that can be extracted."""
        session = _open_session(module, token_label, user_pin)
        try:
            private = session.get_key(ObjectClass.PRIVATE_KEY, KeyType.EC, label=label)
            public = session.get_key(ObjectClass.PUBLIC_KEY, KeyType.EC, label=label)
            extractable = private[Attribute.EXTRACTABLE] or not private[Attribute.SENSITIVE]
            public_key = _public_key_of(public)
        except PKCS11Error as exc:
            session.close()
            raise KeyCustodyError(f"no usable key {label!r} in token {token_label!r}") from exc
        except (KeyCustodyError, MalformedInputError):
            session.close()
            raise
        if extractable:
            session.close()
            raise KeyCustodyError(f"key {label!r} is extractable or not sensitive")
        return cls(session, private, public_key)

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._public_key

    def sign(self, data: bytes) -> bytes:
        digest = hashlib.sha256(data).digest()
        try:
            with self._lock:
                raw: bytes = self._private_key.sign(digest, mechanism=Mechanism.ECDSA)
        except PKCS11Error as exc:
            raise KeyCustodyError("the token refused to sign") from exc
        return der_signature(raw)

    def close(self) -> None:
        with self._lock:
            self._session.close()

    def __enter__(self) -> Pkcs11Signer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _open_session(module: Path, token_label: str, user_pin: str) -> pkcs11.Session:
    try:
        token = pkcs11.lib(str(module)).get_token(token_label=token_label)
        return token.open(rw=True, user_pin=user_pin)
    except PKCS11Error as exc:  # also raised when the module itself fails to load
        raise KeyCustodyError(f"cannot open token {token_label!r} via {module}: {exc!r}") from exc


def _public_key_of(public: Any) -> ec.EllipticCurvePublicKey:
    if public[Attribute.EC_PARAMS] != _der.oid(OID_SECP256R1):
        raise KeyCustodyError("token key is not on P-256")
    # CKA_EC_POINT is the DER OCTET STRING wrapping the X9.62 point.
    point = _der.read_single(bytes(public[Attribute.EC_POINT]), _der.TAG_OCTET_STRING)
    return load_public_key_point(point)
