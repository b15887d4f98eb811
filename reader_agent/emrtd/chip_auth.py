"""Chip Authentication (ICAO 9303-11 section 6.2): the chip proves it holds the private
key whose public half DG14 carries, so a copied chip without that key is caught.

The terminal sends an ephemeral public key on the chip key's domain parameters (MSE:Set
KAT for 3DES; MSE:Set AT + GENERAL AUTHENTICATE for AES); both sides derive new
secure-messaging keys from the shared secret, SSC 0. The proof is implicit: the chip's
next protected answer verifies under the new keys only if it computed the same secret.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader_agent.connection import Connection
from reader_agent.emrtd.der import encode_oid_value
from reader_agent.emrtd.errors import ChipAuthenticationError, LdsFormatError
from reader_agent.emrtd.groups import EcGroup, Group
from reader_agent.emrtd.keys.cipher import CipherSuite
from reader_agent.emrtd.keys.kdf import COUNTER_ENC, COUNTER_MAC, KeyKind, kdf
from reader_agent.emrtd.secure_messaging import SecureMessaging
from reader_agent.emrtd.security_infos import (
    ID_CA_DH,
    ID_CA_ECDH,
    ID_PK_DH,
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKey,
    SecurityInfos,
)
from reader_agent.errors import CardCommunicationError
from reader_agent.iso7816.apdu import CommandApdu
from reader_agent.iso7816.status import SW
from reader_agent.iso7816.tlv import encode_tlv
from reader_agent.iso7816.transport import exchange

INS_MSE = 0x22
INS_GENERAL_AUTHENTICATE = 0x86
DES3_CA_PROTOCOL = f"{ID_CA_ECDH}.1"


@dataclass(frozen=True)
class ChipAuthenticationPlan:
    protocol: str
    key: ChipAuthenticationPublicKey

    @property
    def cipher(self) -> KeyKind:
        return ChipAuthenticationInfo(self.protocol, 1, None).cipher


def plan(infos: SecurityInfos) -> ChipAuthenticationPlan | None:
    """Pick the CA protocol and key DG14 offers (None: the chip offers no CA)."""
    if not infos.chip_public_keys:
        return None
    for info in infos.chip_authentication:
        for key in infos.chip_public_keys:
            family_matches = (key.protocol == ID_PK_DH) == info.protocol.startswith(ID_CA_DH)
            if family_matches and info.key_id in (None, key.key_id):
                return ChipAuthenticationPlan(info.protocol, key)
    # CA version 1 chips may list only the key: ICAO says 3DES is implied.
    key = infos.chip_public_keys[0]
    default = f"{ID_CA_DH}.1" if key.protocol == ID_PK_DH else DES3_CA_PROTOCOL
    return ChipAuthenticationPlan(default, key)


def perform_chip_authentication(
    connection: Connection, chosen: ChipAuthenticationPlan, *, private_key: int | None = None
) -> SecureMessaging:
    """Send our ephemeral key; return the new SM session (SSC 0).

    ``connection`` is the current secure channel. The caller must switch to the returned
    session and read something: only a verifying answer completes the proof.
    """
    group: Group = chosen.key.group
    private = private_key if private_key is not None else group.random_private()
    public = group.public(private)
    key_ref = b""
    if chosen.key.key_id is not None:
        key_ref = encode_tlv(0x84, _int_bytes(chosen.key.key_id))
    try:
        if chosen.cipher is KeyKind.DES3:
            data = encode_tlv(0x91, public) + key_ref
            answer = exchange(connection, CommandApdu(0x00, INS_MSE, 0x41, 0xA6, data))
            _require(answer.sw, "MSE:Set KAT")
        else:
            data = encode_tlv(0x80, encode_oid_value(chosen.protocol)) + key_ref
            answer = exchange(connection, CommandApdu(0x00, INS_MSE, 0x41, 0xA4, data))
            _require(answer.sw, "MSE:Set AT")
            ga = encode_tlv(0x7C, encode_tlv(0x80, public))
            answer = exchange(
                connection, CommandApdu(0x00, INS_GENERAL_AUTHENTICATE, 0, 0, ga, le=256)
            )
            _require(answer.sw, "GENERAL AUTHENTICATE")
        shared = group.agree(private, chosen.key.unverified_public)
    except (CardCommunicationError, LdsFormatError) as exc:
        if isinstance(exc, ChipAuthenticationError):
            raise
        raise ChipAuthenticationError(f"Chip Authentication failed: {exc}") from exc
    kind = chosen.cipher
    return SecureMessaging(
        CipherSuite(kind), kdf(shared, COUNTER_ENC, kind), kdf(shared, COUNTER_MAC, kind), 0
    )


def _int_bytes(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def _require(sw: int, step: str) -> None:
    if sw != SW.SUCCESS:
        raise ChipAuthenticationError(f"the chip refused {step} ({sw:04X})")


def is_elliptic(chosen: ChipAuthenticationPlan) -> bool:
    return isinstance(chosen.key.group, EcGroup)
