"""Signed documents: round trip, and each way a forged or mislabelled one is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.documents import open_document, sign_document
from crypto.errors import (
    BadSignatureError,
    MalformedInputError,
    ProfileViolationError,
    UnknownIssuerError,
)
from crypto.signers import FileSigner

SIGNER = FileSigner.generate()
KEYS = {SIGNER.key_id: SIGNER.public_key}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=10), json_values, max_size=5))
def test_round_trip(content) -> None:
    document = sign_document(SIGNER, kind="test/config", version=1, content=content)
    opened = open_document(document, kind="test/config", versions={1}, keys=KEYS)
    assert (opened.kind, opened.version, opened.key_id) == ("test/config", 1, SIGNER.key_id)
    assert opened.content == content


def test_another_kind_is_refused() -> None:
    document = sign_document(SIGNER, kind="test/config", version=1, content={})
    with pytest.raises(ProfileViolationError):
        open_document(document, kind="test/emergency", versions={1}, keys=KEYS)


def test_unknown_version_and_key_are_refused() -> None:
    document = sign_document(SIGNER, kind="test/config", version=2, content={})
    with pytest.raises(ProfileViolationError):
        open_document(document, kind="test/config", versions={1}, keys=KEYS)
    other = FileSigner.generate()
    with pytest.raises(UnknownIssuerError):
        open_document(
            document, kind="test/config", versions={2}, keys={other.key_id: other.public_key}
        )


def test_a_changed_byte_is_refused() -> None:
    document = bytearray(sign_document(SIGNER, kind="test/config", version=1, content={"a": 1}))
    document[20] ^= 0x01
    with pytest.raises((BadSignatureError, MalformedInputError)):
        open_document(bytes(document), kind="test/config", versions={1}, keys=KEYS)


def test_garbage_is_malformed() -> None:
    with pytest.raises(MalformedInputError):
        open_document(b"not json", kind="test/config", versions={1}, keys=KEYS)
