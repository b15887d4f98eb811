"""Fuzzed card answers: every parser and the secure-messaging codec refuse garbage with
their own errors (a MalformedResponseError subclass), never a crash."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader_agent.emrtd.errors import LdsFormatError
from reader_agent.emrtd.keys.cipher import CipherSuite
from reader_agent.emrtd.keys.kdf import KeyKind
from reader_agent.emrtd.lds.com import parse_com
from reader_agent.emrtd.lds.dg1 import parse_dg1
from reader_agent.emrtd.lds.dg2 import parse_dg2
from reader_agent.emrtd.lds.dg13 import VietnamDetails, encode_dg13, parse_dg13
from reader_agent.emrtd.lds.dg14_15 import parse_dg14, parse_dg15
from reader_agent.emrtd.secure_messaging import SecureMessaging
from reader_agent.emrtd.security_infos import parse_security_infos
from reader_agent.errors import MalformedResponseError, ReaderAgentError
from reader_agent.iso7816.status import ResponseApdu
from reader_agent.iso7816.tlv import encode_tlv, parse_one

PARSERS = [
    parse_com,
    parse_dg1,
    parse_dg2,
    parse_dg13,
    parse_dg14,
    parse_dg15,
    parse_security_infos,
]


def tlv_soup():
    """Random bytes and random well-formed TLV trees, so parsers see both."""
    leaf = st.builds(
        encode_tlv,
        st.sampled_from([0x02, 0x04, 0x06, 0x0C, 0x13, 0x5F1F, 0x80, 0x87]),
        st.binary(max_size=40),
    )
    tree = st.recursive(
        leaf,
        lambda inner: st.builds(
            lambda tag, parts: encode_tlv(tag, b"".join(parts)),
            st.sampled_from([0x30, 0x31, 0x60, 0x61, 0x6D, 0x6E, 0x6F, 0x75, 0x7F61, 0x7F60]),
            st.lists(inner, max_size=4),
        ),
        max_leaves=12,
    )
    return st.one_of(st.binary(max_size=300), tree)


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.__name__)
@settings(max_examples=300, deadline=None)
@given(data=tlv_soup())
def test_lds_parsers_refuse_garbage_cleanly(parser, data):
    # LdsFormatError / UnsupportedProtocolError are clean refusals; anything else fails.
    with contextlib.suppress(ReaderAgentError):
        parser(data)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200))
def test_dg13_parser_is_strict_about_lengths(data):
    with contextlib.suppress(MalformedResponseError):
        parse_dg13(encode_tlv(0x6D, data))


def sessions():
    suites = st.sampled_from([KeyKind.DES3, KeyKind.AES128, KeyKind.AES256])
    return suites.map(
        lambda kind: SecureMessaging(
            CipherSuite(kind), bytes(kind.length), bytes(range(kind.length)), 7
        )
    )


@settings(max_examples=400, deadline=None)
@given(
    sm=sessions(), data=st.one_of(st.binary(max_size=120), tlv_soup()), sw=st.integers(0, 0xFFFF)
)
def test_forged_protected_responses_are_refused(sm, data, sw):
    response = ResponseApdu(data=data, sw=sw)
    try:
        result = sm.unprotect_response(response)
    except MalformedResponseError:
        return
    # Without a valid MAC nothing but an unprotected error status may come through.
    assert result.data == b""
    assert result.sw == sw
    assert sw != 0x9000


@settings(max_examples=200, deadline=None)
@given(sm=sessions(), data=st.binary(max_size=100), sw=st.sampled_from([0x9000, 0x6282]))
def test_a_flipped_bit_anywhere_in_a_protected_answer_is_caught(sm, data, sw):
    chip = SecureMessaging(sm.suite, sm.ks_enc, sm.ks_mac, sm.ssc)
    protected = chip.protect_response(data, sw)
    body = protected[:-2]
    for index in range(len(body)):
        for bit in (0x01, 0x80):
            reader = SecureMessaging(sm.suite, sm.ks_enc, sm.ks_mac, sm.ssc)
            forged = body[:index] + bytes([body[index] ^ bit]) + body[index + 1 :]
            with pytest.raises(MalformedResponseError):
                reader.unprotect_response(ResponseApdu(forged, sw))
    reader = SecureMessaging(sm.suite, sm.ks_enc, sm.ks_mac, sm.ssc)
    assert reader.unprotect_response(ResponseApdu(body, sw)) == ResponseApdu(data, sw)


def test_dg13_tolerates_unknown_and_missing_fields():
    details = VietnamDetails(id_number="046094012345", full_name="NGUYỄN VĂN AN")
    container = parse_one(parse_one(encode_dg13(details)).value)
    unknown = encode_tlv(0x30, encode_tlv(0x02, b"\x63") + encode_tlv(0x0C, "lạ".encode()))
    parsed = parse_dg13(encode_tlv(0x6D, encode_tlv(0x30, unknown + container.value)))
    assert parsed.full_name == "NGUYỄN VĂN AN"
    assert parsed.id_number == "046094012345"
    assert parsed.religion is None
    assert parsed.unrecognised == (99,)


def test_dg13_accepts_items_without_a_container_and_printable_strings():
    items = encode_tlv(0x30, encode_tlv(0x02, b"\x02") + encode_tlv(0x13, b"TRAN THI B"))
    items += encode_tlv(
        0x30,
        encode_tlv(0x02, b"\x0d")
        + encode_tlv(0x0C, "Trần Văn C".encode())
        + encode_tlv(0x0C, "Lê Thị D".encode()),
    )
    parsed = parse_dg13(encode_tlv(0x6D, items))
    assert parsed.full_name == "TRAN THI B"
    assert (parsed.father_name, parsed.mother_name) == ("Trần Văn C", "Lê Thị D")


def test_dg13_refuses_invalid_utf8():
    bad = encode_tlv(0x6D, encode_tlv(0x30, encode_tlv(0x02, b"\x02") + encode_tlv(0x0C, b"\xff")))
    with pytest.raises(LdsFormatError):
        parse_dg13(bad)
