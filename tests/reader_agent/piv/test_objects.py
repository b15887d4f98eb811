from __future__ import annotations

import contextlib
import uuid
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader_agent.errors import MalformedResponseError
from reader_agent.piv import NON_FEDERAL_FASCN, Chuid, Fascn
from reader_agent.piv.constants import Algorithm
from reader_agent.piv.objects import (
    encode_application_properties,
    encode_certificate_object,
    encode_discovery,
    parse_application_properties,
    parse_certificate_object,
    parse_chuid,
    unwrap_data_object,
    wrap_data_object,
)

# The FASC-N of non-federal PIV-compatible tokens: agency 9999, system 9999,
# credential 999999, series 0, issue 1, person 0000000000, category 3, org 0000,
# association 1, in TIG SCEPACS 5-bit BCD with odd parity and LRC.
NON_FEDERAL_FASCN_BYTES = bytes.fromhex("D4E739DA739CED39CE739D836858210842108421C84210C3EB")

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def _digits(width: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=width, max_size=width)


fascns = st.builds(
    Fascn,
    agency_code=_digits(4),
    system_code=_digits(4),
    credential_number=_digits(6),
    credential_series=_digits(1),
    individual_credential_issue=_digits(1),
    person_identifier=_digits(10),
    organizational_category=_digits(1),
    organizational_identifier=_digits(4),
    person_association=_digits(1),
)

chuids = st.builds(
    Chuid,
    guid=st.uuids(),
    expiration=st.dates(min_value=date(2000, 1, 1), max_value=date(9999, 12, 31)),
    fascn=fascns.map(Fascn.encode),
    cardholder_uuid=st.none() | st.uuids(),
    issuer_signature=st.binary(max_size=600),
)


def test_fascn_known_answer() -> None:
    assert NON_FEDERAL_FASCN.encode() == NON_FEDERAL_FASCN_BYTES
    assert Fascn.decode(NON_FEDERAL_FASCN_BYTES) == NON_FEDERAL_FASCN


@given(fascns)
def test_fascn_round_trip(fascn: Fascn) -> None:
    assert Fascn.decode(fascn.encode()) == fascn


@given(st.binary(min_size=25, max_size=25))
def test_fascn_decoding_garbage_raises_only_malformed(raw: bytes) -> None:
    with contextlib.suppress(MalformedResponseError):
        Fascn.decode(raw)


def test_fascn_single_bit_errors_are_caught() -> None:
    for bit in range(200):
        flipped = int.from_bytes(NON_FEDERAL_FASCN_BYTES, "big") ^ (1 << bit)
        with pytest.raises(MalformedResponseError):
            Fascn.decode(flipped.to_bytes(25, "big"))


@given(chuids)
def test_chuid_round_trip(chuid: Chuid) -> None:
    assert parse_chuid(chuid.encode()) == chuid


@pytest.mark.parametrize(
    "raw",
    [
        "",  # nothing at all
        "3019" + "00" * 25,  # FASC-N only
        "3018" + "00" * 24 + "3410" + "00" * 16 + "35083230333031323331",  # short FASC-N
        "3019" + "00" * 25 + "340F" + "00" * 15 + "35083230333031323331",  # short GUID
        "3019" + "00" * 25 + "3410" + "00" * 16 + "35083230333031333332",  # 2030-13-32
        "3019" + "00" * 25 + "3410" + "00" * 16 + "3508323033303132FF31",  # not ASCII
        "3019" + "00" * 25 + "3410" + "00" * 16 + "3507323033303132",  # 7 digits
    ],
)
def test_malformed_chuids_are_refused(raw: str) -> None:
    with pytest.raises(MalformedResponseError):
        parse_chuid(bytes.fromhex(raw))


@given(st.binary(min_size=1, max_size=2000))
def test_certificate_object_round_trip(der: bytes) -> None:
    assert parse_certificate_object(encode_certificate_object(der)) == der


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("710100FE00", "missing"),
        ("7000710100", "empty"),
        ("7003300100710101", "compressed"),
        ("700330010071020000", "longer than one byte"),
    ],
)
def test_bad_certificate_objects_are_refused(raw: str, reason: str) -> None:
    with pytest.raises(MalformedResponseError, match=reason):
        parse_certificate_object(bytes.fromhex(raw))


def test_application_property_template_known_answer() -> None:
    encoded = encode_application_properties(label="X", algorithms=[Algorithm.ECC_P256])
    # 61 { 4F PIX, 79 { 4F RID }, 50 "X", AC { 80 11, 06 00 } }
    assert encoded == bytes.fromhex(
        "611C" + "4F06000010000100" + "79074F05A000000308" + "500158" + "AC06800111060100"
    )
    properties = parse_application_properties(encoded)
    assert properties.label == "X"
    assert properties.algorithms == {0x11}


@pytest.mark.parametrize(
    "raw",
    [
        "6108" + "4F06A00000000101",  # another application's AID
        "6103" + "500158",  # no AID at all
        "4F06000010000100",  # not a template
        "6108" + "4F06000010000100" + "00",  # trailing byte after the template
        "610C" + "4F06000010000100" + "AC02" + "8000",  # empty algorithm identifier
    ],
)
def test_bad_select_answers_are_refused(raw: str) -> None:
    with pytest.raises(MalformedResponseError):
        parse_application_properties(bytes.fromhex(raw))


def test_full_aid_and_pix_without_version_are_accepted() -> None:
    for aid in ("A000000308000010000100", "A000000308", "00001000"):
        template = bytes.fromhex(f"61{len(aid) // 2 + 2:02X}4F{len(aid) // 2:02X}{aid}")
        assert parse_application_properties(template).aid == bytes.fromhex(aid)


def test_discovery_object_layout() -> None:
    # 4F 0B <PIV AID>, 5F2F 02 40 00 (PIV PIN satisfies the access conditions).
    assert encode_discovery() == bytes.fromhex("4F0BA0000003080000100001005F2F024000")
    wrapped = wrap_data_object(0x7E, encode_discovery())
    assert wrapped[:2] == bytes.fromhex("7E12")
    assert unwrap_data_object(0x7E, wrapped) == encode_discovery()


@given(st.binary(max_size=300), st.sampled_from([0x5FC101, 0x5FC102, 0x7E]))
def test_data_object_envelope_round_trip(value: bytes, object_id: int) -> None:
    assert unwrap_data_object(object_id, wrap_data_object(object_id, value)) == value


def test_envelope_with_the_wrong_tag_is_refused() -> None:
    with pytest.raises(MalformedResponseError):
        unwrap_data_object(0x5FC102, bytes.fromhex("7E00"))
    with pytest.raises(MalformedResponseError):
        unwrap_data_object(0x7E, bytes.fromhex("5300"))


def test_chuid_is_a_lookup_hint_with_the_non_federal_fascn_by_default() -> None:
    chuid = Chuid(guid=uuid.UUID(int=1), expiration=date(2031, 1, 1))
    assert chuid.fascn == NON_FEDERAL_FASCN_BYTES
