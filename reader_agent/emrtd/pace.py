"""PACE (ICAO 9303-11 section 4.4): password-authenticated key establishment.

MSE:Set AT names the protocol and password (CAN or MRZ); four GENERAL AUTHENTICATE
steps follow: the chip's encrypted nonce, the mapping (Generic: an ephemeral key
exchange; Integrated: the terminal's nonce t), the key agreement on the mapped
generator, and the mutual authentication tokens. The session keys come from the shared
secret; secure messaging starts with SSC 0.

Terminal private keys and nonces come from ``random`` (a parameter) so the worked
examples replay exactly.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass

from reader_agent.connection import Connection
from reader_agent.emrtd.der import encode_oid, encode_oid_value
from reader_agent.emrtd.errors import (
    AccessControlError,
    LdsFormatError,
    PasswordBlockedError,
    UnsupportedProtocolError,
)
from reader_agent.emrtd.groups import DhGroup, EcGroup, Group, standard_group
from reader_agent.emrtd.keys.access import AccessKey
from reader_agent.emrtd.keys.cipher import CipherSuite, pad
from reader_agent.emrtd.keys.kdf import COUNTER_ENC, COUNTER_MAC, COUNTER_PACE, KeyKind, kdf
from reader_agent.emrtd.pace_mapping import map_dh, map_ec
from reader_agent.emrtd.secure_messaging import SecureMessaging
from reader_agent.emrtd.security_infos import PaceInfo
from reader_agent.errors import MalformedResponseError
from reader_agent.iso7816.apdu import CommandApdu
from reader_agent.iso7816.status import SW, retries_left
from reader_agent.iso7816.tlv import encode_tlv, parse_one, require
from reader_agent.iso7816.transport import exchange

INS_MSE = 0x22
INS_GENERAL_AUTHENTICATE = 0x86
P1P2_SET_AT_PACE = (0xC1, 0xA4)
CLA_CHAIN = 0x10
TAG_DYNAMIC_AUTH = 0x7C
TAG_PUBLIC_KEY_TEMPLATE = 0x7F49
SW_AUTH_BLOCKED = 0x6983
SW_SUSPENDED_OR_DEACTIVATED = 0x6985

PrivateKeySource = Callable[[Group], int]
NonceSource = Callable[[int], bytes]


@dataclass(frozen=True)
class PaceResult:
    sm: SecureMessaging
    protocol: str
    chip_ephemeral_public: bytes
    retries_left: int | None


def password_key(key: AccessKey, kind: KeyKind) -> bytes:
    """K_pi = KDF(pi, 3) for the chosen cipher."""
    return kdf(key.password(), COUNTER_PACE, kind)


def authentication_token(
    suite: CipherSuite, ks_mac: bytes, protocol: str, group: Group, public: bytes
) -> bytes:
    """MAC over the public-key data object 7F49 {06 OID, 86 point | 84 value}."""
    tag = 0x86 if isinstance(group, EcGroup) else 0x84
    data = encode_tlv(TAG_PUBLIC_KEY_TEMPLATE, encode_oid(protocol) + encode_tlv(tag, public))
    if not suite.is_aes:
        data = pad(data, suite.block_size)
    return suite.mac(ks_mac, data)


def set_at_command(info: PaceInfo, key: AccessKey) -> CommandApdu:
    data = encode_tlv(0x80, encode_oid_value(info.protocol))
    data += encode_tlv(0x83, bytes((key.password_reference,)))
    if info.parameter_id is not None:
        data += encode_tlv(0x84, bytes((info.parameter_id,)))
    return CommandApdu(0x00, INS_MSE, *P1P2_SET_AT_PACE, data)


def perform_pace(
    connection: Connection,
    key: AccessKey,
    info: PaceInfo,
    *,
    private_key: PrivateKeySource | None = None,
    nonce: NonceSource = os.urandom,
) -> PaceResult:
    """Run PACE with ``key``; return the SM session or raise AccessControlError."""
    if info.parameter_id is None:
        raise UnsupportedProtocolError("PACE without standardized domain parameters")
    group: Group = standard_group(info.parameter_id)
    if info.mapping not in ("ECDH-GM", "DH-GM", "ECDH-IM", "DH-IM"):
        raise UnsupportedProtocolError(f"PACE mapping {info.mapping} is not supported")
    if info.mapping.startswith("ECDH") != isinstance(group, EcGroup):
        raise UnsupportedProtocolError("PACE protocol and domain parameters disagree")
    draw = private_key or (lambda g: g.random_private())
    suite = CipherSuite(info.cipher)

    answer = exchange(connection, set_at_command(info, key))
    left = _check_set_at(answer.sw)

    z = _step(connection, b"", 0x80, last=False)
    s = suite.decrypt(password_key(key, info.cipher), z)

    if info.mapping.endswith("GM"):
        map_private = draw(group)
        chip_map_public = _step(connection, encode_tlv(0x81, group.public(map_private)), 0x82)
        mapped = _map_generic(group, s, map_private, chip_map_public)
    else:
        t = nonce(suite.block_size if suite.is_aes else 16)
        _step(connection, encode_tlv(0x81, t), None)
        mapped = map_ec(group, s, t) if isinstance(group, EcGroup) else map_dh(_dh(group), s, t)

    private = draw(mapped)
    own_public = mapped.public(private)
    chip_public = _step(connection, encode_tlv(0x83, own_public), 0x84)
    if hmac.compare_digest(chip_public, own_public):
        raise AccessControlError("the chip echoed our ephemeral key")
    shared = mapped.agree(private, chip_public)
    ks_enc = kdf(shared, COUNTER_ENC, info.cipher)
    ks_mac = kdf(shared, COUNTER_MAC, info.cipher)

    token = authentication_token(suite, ks_mac, info.protocol, mapped, chip_public)
    chip_token = _final_step(connection, encode_tlv(0x85, token))
    expected = authentication_token(suite, ks_mac, info.protocol, mapped, own_public)
    if not hmac.compare_digest(chip_token, expected):
        raise AccessControlError("the chip's PACE authentication token is wrong")
    return PaceResult(SecureMessaging(suite, ks_enc, ks_mac, 0), info.protocol, chip_public, left)


def _dh(group: Group) -> DhGroup:
    if not isinstance(group, DhGroup):  # pragma: no cover - guarded by the caller
        raise UnsupportedProtocolError("DH mapping on a curve")
    return group


def _map_generic(group: Group, s: bytes, private: int, chip_public: bytes) -> Group:
    try:
        return group.map_generic(int.from_bytes(s, "big"), private, chip_public)
    except LdsFormatError as exc:
        raise AccessControlError(f"PACE mapping failed: {exc}") from exc


def _check_set_at(sw: int) -> int | None:
    left = retries_left(sw)
    if sw == SW.SUCCESS:
        return None
    if left is not None:
        if left == 0:
            raise PasswordBlockedError("the chip has blocked this password", retries_left=0)
        return left  # 63CX on Set AT is a warning: the counter is below its maximum
    if sw in (SW_AUTH_BLOCKED, SW_SUSPENDED_OR_DEACTIVATED):
        raise PasswordBlockedError(f"the chip refuses this password ({sw:04X})", retries_left=0)
    raise AccessControlError(f"the chip refused PACE (MSE:Set AT answered {sw:04X})")


def _step(
    connection: Connection, data: bytes, answer_tag: int | None, *, last: bool = False
) -> bytes:
    cla = 0x00 if last else CLA_CHAIN
    command = CommandApdu(
        cla, INS_GENERAL_AUTHENTICATE, 0, 0, encode_tlv(TAG_DYNAMIC_AUTH, data), le=256
    )
    # 2048-bit DH keys do not fit a short APDU, and PACE already uses the chaining bit
    # for its own steps: such chips take extended length.
    answer = exchange(connection, command, extended=command.needs_extended)
    if answer.sw != SW.SUCCESS:
        raise AccessControlError(
            f"PACE step refused ({answer.sw:04X})", retries_left=retries_left(answer.sw)
        )
    try:
        body = parse_one(answer.data, expected_tag=TAG_DYNAMIC_AUTH).value
        if answer_tag is None:
            return b""
        return require(body, answer_tag).value
    except MalformedResponseError as exc:
        raise AccessControlError(f"PACE answer does not parse: {exc}") from exc


def _final_step(connection: Connection, data: bytes) -> bytes:
    command = CommandApdu(
        0x00, INS_GENERAL_AUTHENTICATE, 0, 0, encode_tlv(TAG_DYNAMIC_AUTH, data), le=256
    )
    answer = exchange(connection, command)
    if answer.sw != SW.SUCCESS:
        left = retries_left(answer.sw)
        if answer.sw == SW_AUTH_BLOCKED or left == 0:
            raise PasswordBlockedError("the chip has blocked this password", retries_left=0)
        raise AccessControlError(
            f"the chip refused the password ({answer.sw:04X}): check the CAN or MRZ",
            retries_left=left,
        )
    try:
        body = parse_one(answer.data, expected_tag=TAG_DYNAMIC_AUTH).value
        return require(body, 0x86).value
    except MalformedResponseError as exc:
        raise AccessControlError(f"PACE answer does not parse: {exc}") from exc
