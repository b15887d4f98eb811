"""A hostile or broken chip: whatever it answers, the read ends in a ReaderAgentError
(fail closed), never in an unrelated exception."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto.emrtd import parse_sod
from crypto.emrtd.errors import SodFormatError
from reader_agent.emrtd.der import encode_integer, encode_oid
from reader_agent.emrtd.groups import standard_group
from reader_agent.emrtd.keys.access import CanKey, MrzKey
from reader_agent.emrtd.security_infos import parse_security_infos
from reader_agent.emrtd.session import read_document
from reader_agent.errors import ReaderAgentError
from reader_agent.iso7816.tlv import encode_tlv
from reader_agent.virtual.id_card_state import card_access


class ScriptedChip:
    """Answers the first command with EF.CardAccess (so PACE starts), then garbage."""

    def __init__(self, answers: list[bytes]) -> None:
        self.answers = answers
        self.count = 0

    def transmit(self, apdu: bytes) -> bytes:
        self.count += 1
        if self.count == 1:
            return card_access()[:4] + b"\x90\x00"
        if self.count == 2:
            return card_access()[4:] + b"\x90\x00"
        if not self.answers:
            return b"\x6f\x00"
        return self.answers.pop(0)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    answers=st.lists(
        st.one_of(
            st.binary(max_size=80),
            st.binary(max_size=70).map(lambda b: b + b"\x90\x00"),
            st.binary(max_size=60).map(lambda b: encode_tlv(0x7C, b) + b"\x90\x00"),
        ),
        max_size=8,
    ),
    can=st.booleans(),
)
def test_garbage_from_the_chip_fails_closed(answers, can):
    key = CanKey("123456") if can else MrzKey("L898902C", "690806", "940623")
    with contextlib.suppress(ReaderAgentError):
        read_document(ScriptedChip(answers), key)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400))
def test_garbage_sods_are_format_errors(data):
    for candidate in (data, encode_tlv(0x77, data)):
        with contextlib.suppress(SodFormatError):
            parse_sod(candidate)


def test_explicit_curve_parameters_in_dg14_are_matched_to_the_named_curve():
    group = standard_group(13)
    field = group.curve.curve  # type: ignore[union-attr]
    size = 32
    params = encode_tlv(
        0x30,
        encode_integer(1)
        + encode_tlv(0x30, encode_oid("1.2.840.10045.1.1") + encode_integer(field.p()))
        + encode_tlv(
            0x30,
            encode_tlv(0x04, (field.a() % field.p()).to_bytes(size, "big"))
            + encode_tlv(0x04, field.b().to_bytes(size, "big")),
        )
        + encode_tlv(0x04, group.generator_bytes())  # type: ignore[union-attr]
        + encode_integer(group.curve.order)  # type: ignore[union-attr]
        + encode_integer(1),
    )
    point = group.public(5)
    spki = encode_tlv(
        0x30,
        encode_tlv(0x30, encode_oid("1.2.840.10045.2.1") + params)
        + encode_tlv(0x03, b"\x00" + point),
    )
    infos = encode_tlv(0x31, encode_tlv(0x30, encode_oid("0.4.0.127.0.7.2.2.1.2") + spki))
    (key,) = parse_security_infos(infos).chip_public_keys
    assert key.group.curve.name == "BRAINPOOLP256r1"  # type: ignore[union-attr]
    assert key.unverified_public == point
