"""The small encoders and parsers under our formats: round trips and strictness."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given
from hypothesis import strategies as st

from crypto import _der
from crypto._encoding import (
    b64_decode,
    b64url_decode,
    b64url_encode,
    canonical_json,
    format_time,
    parse_time,
)
from crypto.errors import MalformedInputError, UnsupportedKeyError
from crypto.keys import (
    der_signature,
    key_id,
    load_public_key_der,
    load_public_key_point,
    parse_key_id,
    point_bytes,
    public_key_der,
    raw_signature,
)

# The order of P-256's base point (SEC 2, section 2.4.2).
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@given(st.binary(max_size=300))
def test_b64url_round_trip(data):
    text = b64url_encode(data)
    assert "=" not in text
    assert b64url_decode(text) == data


@pytest.mark.parametrize("text", ["a", "ab=", "a+b/", "abd", 5])
def test_b64url_refuses_padding_other_alphabets_and_non_canonical_forms(text):
    with pytest.raises(MalformedInputError):
        b64url_decode(text)


def test_b64_refuses_non_canonical():
    assert b64_decode("AP8=") == b"\x00\xff"
    for text in ("AP9=", "AP8", "A P8=", None):
        with pytest.raises(MalformedInputError):
            b64_decode(text)


@given(st.datetimes(timezones=st.just(UTC), min_value=datetime(1970, 1, 2)))  # noqa: DTZ001
def test_time_round_trip(moment):
    assert parse_time(format_time(moment)) == moment


@pytest.mark.parametrize(
    "text",
    ["2025-06-01T01:02:03Z", "2025-06-01T01:02:03.000000+00:00", "2025-13-01T01:02:03.000000Z"],
)
def test_times_must_be_utc_with_microseconds(text):
    with pytest.raises(MalformedInputError):
        parse_time(text)


def test_naive_datetimes_are_a_programming_error():
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2025, 1, 1))  # noqa: DTZ001


def test_canonical_json_known_answer():
    value = {"z": 1, "a": [True, None, "ế"], "u": UUID(int=1), "b": b"\x01"}
    assert (
        canonical_json(value)
        == (
            '{"a":[true,null,"ế"],"b":"AQ==","u":"00000000-0000-0000-0000-000000000001","z":1}'
        ).encode()
    )


@given(st.integers(min_value=-(2**200), max_value=2**200))
def test_der_integer_round_trip(value):
    encoded = _der.integer(value)
    assert int.from_bytes(_der.read_single(encoded, _der.TAG_INTEGER), "big", signed=True) == value


@given(st.binary(max_size=70000))
def test_der_octet_string_round_trip(value):
    assert _der.read_single(_der.octet_string(value), _der.TAG_OCTET_STRING) == value


@given(st.lists(st.integers(min_value=0, max_value=2**70), min_size=1, max_size=8))
def test_der_oid_matches_cryptography(arcs):
    dotted = ".".join(["2", *map(str, arcs)])
    name = x509.Name([x509.NameAttribute(x509.ObjectIdentifier(dotted), "x")]).public_bytes()
    assert _der.oid(dotted) in name  # cryptography's encoding of the same OID


@pytest.mark.parametrize(
    "data",
    [b"", b"\x04", b"\x04\x05abc", b"\x04\x81\x05abcde", b"\x04\x80", b"\x04\x01ab", b"\x1f\x01a"],
)
def test_der_reader_is_strict(data):
    with pytest.raises(MalformedInputError):
        _der.read_single(data, _der.TAG_OCTET_STRING)


def test_key_ids_are_rfc7093_method_1():
    import hashlib

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    assert key_id(key) == hashlib.sha256(point_bytes(key)).hexdigest()[:40]
    assert parse_key_id(key_id(key)) == bytes.fromhex(key_id(key))
    for bad in ("", "AB" * 20, "zz" * 20, "ab" * 19):
        with pytest.raises(MalformedInputError):
            parse_key_id(bad)


def test_public_key_loading():
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    assert load_public_key_der(public_key_der(key)) == key
    assert load_public_key_point(point_bytes(key)) == key
    with pytest.raises(MalformedInputError):
        load_public_key_der(b"\x30\x00")
    with pytest.raises(MalformedInputError):
        load_public_key_point(b"\x04" + bytes(64))
    other = ec.generate_private_key(ec.SECP521R1()).public_key()
    with pytest.raises(UnsupportedKeyError):
        load_public_key_der(public_key_der(other))


@given(
    st.integers(min_value=1, max_value=2**256 - 1), st.integers(min_value=1, max_value=2**256 - 1)
)
def test_signature_forms_round_trip(r, s):
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert raw_signature(der_signature(raw)) == raw


@given(st.integers(min_value=1, max_value=P256_ORDER - 1))
def test_public_key_encodings_round_trip(secret):
    key = ec.derive_private_key(secret, ec.SECP256R1()).public_key()
    assert load_public_key_der(public_key_der(key)) == key
    assert load_public_key_point(point_bytes(key)) == key
    assert len(point_bytes(key)) == 65


@given(st.binary(min_size=1, max_size=200))
def test_public_key_points_off_the_curve_are_refused(data):
    try:
        key = load_public_key_point(data)
    except (MalformedInputError, UnsupportedKeyError):
        return
    assert point_bytes(key) == data  # only a genuine uncompressed P-256 point loads
