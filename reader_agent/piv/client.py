"""A PIV client over any ``Connection``: the same code personalises cards at issuance
and authenticates them at a door.

Nothing here trusts the card: certificates, signatures and CHUIDs come back as
unverified bytes or values for ``crypto`` to check; every malformed answer raises
``MalformedResponseError`` and every refusal a ``PivError``.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from reader_agent.connection import Connection
from reader_agent.errors import MalformedResponseError
from reader_agent.iso7816.apdu import EXTENDED_MAX_LE, SHORT_MAX_LE, CommandApdu
from reader_agent.iso7816.status import SW, ResponseApdu
from reader_agent.iso7816.tlv import encode_tlv, parse_one, require
from reader_agent.iso7816.transport import exchange
from reader_agent.piv import pins
from reader_agent.piv.constants import (
    CERTIFICATE_OBJECTS,
    CLA,
    CURVES,
    DATA_P1,
    DATA_P2,
    PIV_AID,
    SELECT_BY_NAME,
    TAG_CHALLENGE,
    TAG_DYNAMIC_AUTHENTICATION,
    TAG_EC_POINT,
    TAG_LIST,
    TAG_PUBLIC_KEY_TEMPLATE,
    TAG_RESPONSE,
    TAG_WITNESS,
    Algorithm,
    Ins,
    KeyReference,
    ObjectId,
    Slot,
    object_tag_bytes,
)
from reader_agent.piv.errors import (
    ApplicationNotFoundError,
    DataObjectNotFoundError,
    KeyNotFoundError,
    ManagementKeyRejectedError,
    MutualAuthenticationError,
)
from reader_agent.piv.management import ManagementKey
from reader_agent.piv.objects import (
    ApplicationProperties,
    Chuid,
    encode_certificate_object,
    parse_application_properties,
    parse_certificate_object,
    parse_chuid,
    unwrap_data_object,
    wrap_data_object,
)
from reader_agent.piv.status import raise_for_status

logger = logging.getLogger(__name__)

# GENERATE ASYMMETRIC KEY PAIR's control reference template (Part 2 section 3.3.2).
_TAG_MECHANISM = 0xAC
_TAG_MECHANISM_ALGORITHM = 0x80
_UNCOMPRESSED_POINT = 0x04


@dataclass(frozen=True)
class PinStatus:
    """The answer to an empty VERIFY: verified in this session, or tries left."""

    verified: bool
    retries_left: int | None


class PivClient:
    """The PIV card application on one connection. Call ``select()`` first."""

    def __init__(
        self,
        connection: Connection,
        *,
        extended_length: bool = False,
        random_bytes: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        self._connection = connection
        self._extended = extended_length
        self._random_bytes = random_bytes

    # ------------------------------------------------------------ reading (taps)

    def select(self) -> ApplicationProperties:
        command = CommandApdu(CLA, Ins.SELECT, SELECT_BY_NAME, 0x00, PIV_AID, le=self._max_le)
        response = self._send(command)
        if response.sw == SW.FILE_NOT_FOUND:
            raise ApplicationNotFoundError(response.sw, "the card has no PIV application")
        raise_for_status(response.sw)
        return parse_application_properties(response.data)

    def read_object(self, object_id: int) -> bytes:
        """The unverified value of a data object (inside its 53 or 7E envelope)."""
        tag_list = encode_tlv(TAG_LIST, object_tag_bytes(object_id))
        command = CommandApdu(CLA, Ins.GET_DATA, DATA_P1, DATA_P2, tag_list, le=self._max_le)
        response = self._send(command)
        raise_for_status(response.sw, not_found=DataObjectNotFoundError)
        return unwrap_data_object(object_id, response.data)

    def read_chuid(self) -> Chuid:
        """The card's CHUID, parsed but unverified."""
        return parse_chuid(self.read_object(ObjectId.CHUID))

    def read_certificate(self, slot: Slot) -> bytes:
        """The unverified DER certificate stored for ``slot``."""
        return parse_certificate_object(self.read_object(CERTIFICATE_OBJECTS[Slot(slot)]))

    def authenticate(
        self, slot: Slot, challenge: bytes, *, algorithm: Algorithm = Algorithm.ECC_P256
    ) -> bytes:
        """Have the card sign ``challenge`` with the key in ``slot``; return the
        unverified DER ECDSA signature. For ECC the challenge *is* the digest the card
        signs (it does not hash), so it must be exactly one digest long."""
        profile = CURVES.get(Algorithm(algorithm))
        if profile is None:
            raise ValueError(f"{Algorithm(algorithm).name} is not a signature algorithm")
        if len(challenge) != profile.size:
            raise ValueError(f"a {algorithm.name} challenge is {profile.size} bytes")
        template = encode_tlv(TAG_RESPONSE, b"") + encode_tlv(TAG_CHALLENGE, challenge)
        response = self._general_authenticate(algorithm, Slot(slot), template)
        if response.sw == SW.INCORRECT_P1P2:  # the slot's key is of another algorithm
            raise KeyNotFoundError(response.sw, f"no {algorithm.name} key in slot {slot:02X}")
        raise_for_status(response.sw)
        unverified_signature = _dynamic_auth_item(response.data, TAG_RESPONSE)
        if not unverified_signature:
            raise MalformedResponseError("the card returned an empty signature")
        return unverified_signature

    # ------------------------------------------------------------ PIN

    def verify_pin(self, pin: str) -> None:
        """Verify the PIV PIN for this session. Raises ``PinIncorrectError`` (with
        ``retries_left``) or ``PinBlockedError``."""
        command = CommandApdu(CLA, Ins.VERIFY, 0x00, KeyReference.PIN, pins.pad(pin))
        raise_for_status(self._send(command).sw)

    def pin_status(self) -> PinStatus:
        """Ask, without trying a PIN, whether it is verified or how many tries remain."""
        sw = self._send(CommandApdu(CLA, Ins.VERIFY, 0x00, KeyReference.PIN)).sw
        if sw == SW.SUCCESS:
            return PinStatus(verified=True, retries_left=None)
        # 63CX is the expected answer here, not a failed try; anything else raises.
        return PinStatus(verified=False, retries_left=pins.retries_from(sw))

    def change_pin(self, old_pin: str, new_pin: str) -> None:
        self._change_reference(KeyReference.PIN, old_pin, new_pin)

    def change_puk(self, old_puk: str, new_puk: str) -> None:
        self._change_reference(KeyReference.PUK, old_puk, new_puk)

    def unblock_pin(self, puk: str, new_pin: str) -> None:
        """RESET RETRY COUNTER: set a new PIN with the PUK and restore its tries."""
        data = pins.pad(puk) + pins.pad(new_pin)
        command = CommandApdu(CLA, Ins.RESET_RETRY_COUNTER, 0x00, KeyReference.PIN, data)
        raise_for_status(self._send(command).sw)

    def _change_reference(self, reference: KeyReference, old: str, new: str) -> None:
        data = pins.pad(old) + pins.pad(new)
        command = CommandApdu(CLA, Ins.CHANGE_REFERENCE_DATA, 0x00, reference, data)
        raise_for_status(self._send(command).sw)

    # ------------------------------------------------------------ personalisation (issuance)

    def authenticate_management_key(self, key: ManagementKey) -> None:
        """Mutual authentication with the card management key (9B): the card proves
        it holds the key too, so we never personalise a card we did not mean to."""
        request = encode_tlv(TAG_WITNESS, b"")
        first = self._general_authenticate(key.algorithm, KeyReference.CARD_MANAGEMENT, request)
        if first.sw in (SW.INCORRECT_P1P2, SW.REFERENCE_NOT_FOUND):
            raise ManagementKeyRejectedError(first.sw, "the card uses another management key")
        raise_for_status(first.sw)
        unverified_witness = _dynamic_auth_item(first.data, TAG_WITNESS)
        if len(unverified_witness) != key.block_size:
            raise MalformedResponseError("management-key witness is not one cipher block")
        challenge = self._random_bytes(key.block_size)
        answer = encode_tlv(TAG_WITNESS, key.decrypt_block(unverified_witness))
        answer += encode_tlv(TAG_CHALLENGE, challenge)
        second = self._general_authenticate(key.algorithm, KeyReference.CARD_MANAGEMENT, answer)
        if second.sw == SW.SECURITY_STATUS_NOT_SATISFIED:
            raise ManagementKeyRejectedError(second.sw, "the card refused our management key")
        raise_for_status(second.sw)
        unverified_proof = _dynamic_auth_item(second.data, TAG_RESPONSE)
        if not hmac.compare_digest(unverified_proof, key.encrypt_block(challenge)):
            raise MutualAuthenticationError("the card does not hold our management key")
        logger.debug("management key accepted")

    def generate_key(
        self,
        slot: Slot,
        *,
        algorithm: Algorithm = Algorithm.ECC_P256,
        management_key: ManagementKey | None = None,
    ) -> ec.EllipticCurvePublicKey:
        """Have the card generate a key pair in ``slot``; return its public key.
        ``management_key`` authenticates first; without it, this session must already
        be authenticated."""
        profile = CURVES.get(Algorithm(algorithm))
        if profile is None:
            raise ValueError(f"{Algorithm(algorithm).name} is not a key-pair algorithm")
        if management_key is not None:
            self.authenticate_management_key(management_key)
        template = encode_tlv(
            _TAG_MECHANISM, encode_tlv(_TAG_MECHANISM_ALGORITHM, bytes((algorithm,)))
        )
        command = CommandApdu(
            CLA, Ins.GENERATE_ASYMMETRIC_KEY_PAIR, 0x00, Slot(slot), template, le=self._max_le
        )
        response = self._send(command)
        raise_for_status(response.sw)
        public = parse_one(response.data, expected_tag=TAG_PUBLIC_KEY_TEMPLATE)
        point = require(public.children(), TAG_EC_POINT).value
        if len(point) != 1 + 2 * profile.size or point[0] != _UNCOMPRESSED_POINT:
            raise MalformedResponseError("generated public key is not an uncompressed point")
        try:
            return ec.EllipticCurvePublicKey.from_encoded_point(profile.curve, point)
        except ValueError as exc:
            raise MalformedResponseError("generated public key is not on the curve") from exc

    def put_object(
        self, object_id: int, value: bytes, *, management_key: ManagementKey | None = None
    ) -> None:
        """PUT DATA: store ``value`` as data object ``object_id`` (chained if long)."""
        if management_key is not None:
            self.authenticate_management_key(management_key)
        data = encode_tlv(TAG_LIST, object_tag_bytes(object_id))
        data += wrap_data_object(object_id, value)
        command = CommandApdu(CLA, Ins.PUT_DATA, DATA_P1, DATA_P2, data)
        raise_for_status(self._send(command).sw)

    def put_certificate(
        self, slot: Slot, der: bytes, *, management_key: ManagementKey | None = None
    ) -> None:
        self.put_object(
            CERTIFICATE_OBJECTS[Slot(slot)],
            encode_certificate_object(der),
            management_key=management_key,
        )

    def put_chuid(self, chuid: Chuid, *, management_key: ManagementKey | None = None) -> None:
        self.put_object(ObjectId.CHUID, chuid.encode(), management_key=management_key)

    # ------------------------------------------------------------ plumbing

    @property
    def _max_le(self) -> int:
        return EXTENDED_MAX_LE if self._extended else SHORT_MAX_LE

    def _general_authenticate(
        self, algorithm: int, reference: int, template: bytes
    ) -> ResponseApdu:
        data = encode_tlv(TAG_DYNAMIC_AUTHENTICATION, template)
        command = CommandApdu(
            CLA, Ins.GENERAL_AUTHENTICATE, algorithm, reference, data, le=self._max_le
        )
        return self._send(command)

    def _send(self, command: CommandApdu) -> ResponseApdu:
        response = exchange(self._connection, command, extended=self._extended)
        logger.debug("PIV %s -> %04X", Ins(command.ins).name, response.sw)
        return response


def _dynamic_auth_item(unverified: bytes, tag: int) -> bytes:
    """The value of ``tag`` inside the 7C dynamic authentication template."""
    template = parse_one(unverified, expected_tag=TAG_DYNAMIC_AUTHENTICATION)
    return require(template.children(), tag).value
