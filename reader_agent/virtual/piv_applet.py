"""The PIV card application of the virtual card: what each instruction does.

Handlers take a complete command (chaining already undone by ``piv_card``) and
return the response data, or raise ``Refusal`` with the status word SP 800-73-4
Part 2 gives for the case. Security state (PIN verified, management key
authenticated) lives in ``Session`` and is lost on power off and on SELECT.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from reader_agent.errors import MalformedResponseError
from reader_agent.iso7816.apdu import CommandApdu
from reader_agent.iso7816.status import SW
from reader_agent.iso7816.tlv import Tlv, encode_tlv, parse_all, require
from reader_agent.piv.constants import (
    CURVES,
    DATA_P1,
    DATA_P2,
    PIN_LENGTH,
    PIN_PAD,
    PIN_PROTECTED_OBJECTS,
    PIV_AID,
    SELECT_BY_NAME,
    TAG_DATA,
    TAG_EC_POINT,
    TAG_LIST,
    TAG_PUBLIC_KEY_TEMPLATE,
    Algorithm,
    KeyReference,
    ObjectId,
    Slot,
)
from reader_agent.piv.objects import encode_application_properties, wrap_data_object
from reader_agent.virtual.piv_state import PivCardState, ReferenceData, StoredKey

APPLICATION_LABEL = "Hue e-card virtual PIV"
SUPPORTED_ALGORITHMS = [
    Algorithm.TDES,
    Algorithm.AES_128,
    Algorithm.AES_192,
    Algorithm.AES_256,
    Algorithm.ECC_P256,
    Algorithm.ECC_P384,
]
MAX_OBJECT_SIZE = 4096  # a certificate object is well under this; real tokens hold ~3 KB
_MIN_AID_PREFIX = 5  # the NIST RID alone selects the PIV application too
_MIN_PIN_DIGITS = 6
_RESET_SECURITY_STATUS = 0xFF  # VERIFY P1 = FF: forget the PIN (Part 2 section 3.2.1)
_TAG_MECHANISM = 0xAC
_TAG_MECHANISM_ALGORITHM = 0x80
_DISCOVERY_TAG = bytes((ObjectId.DISCOVERY,))
_DATA_OBJECT_PREFIX = bytes.fromhex("5FC1")
_SLOTS = frozenset(Slot)
_VERIFY_FAILED = SW.VERIFY_FAILED | 0xC0  # 63CX, X = tries left


class Refusal(Exception):  # noqa: N818 - a card's refusal is an answer, not an error
    """The card answers with status word ``sw`` and no data."""

    def __init__(self, sw: int) -> None:
        super().__init__(f"{sw:04X}")
        self.sw = sw


@dataclass
class Session:
    """Volatile security state: what has been proven since power-on or SELECT."""

    selected: bool = False
    pin_verified: bool = False
    management_authenticated: bool = False
    # A management-key challenge in flight, cleared by any other command.
    pending_witness: bytes | None = None
    pending_challenge: bytes | None = None

    def reset(self, *, selected: bool = False) -> None:
        self.selected = selected
        self.pin_verified = False
        self.management_authenticated = False
        self.clear_pending()

    def clear_pending(self) -> None:
        self.pending_witness = None
        self.pending_challenge = None


class PivApplet:
    """The instruction handlers, over a state that is saved after every change."""

    def __init__(
        self,
        state: PivCardState,
        session: Session,
        *,
        save: Callable[[], None],
        generate_key: Callable[[ec.EllipticCurve], ec.EllipticCurvePrivateKey],
    ) -> None:
        self.state = state
        self.session = session
        self._save = save
        self._generate_key = generate_key

    def select(self, command: CommandApdu) -> bytes:
        name = command.data
        is_piv = len(name) >= _MIN_AID_PREFIX and PIV_AID.startswith(name)
        if command.p1 != SELECT_BY_NAME or not is_piv:
            # A failed SELECT leaves the current selection as it was (ISO 7816-4 7.1.1).
            raise Refusal(SW.FILE_NOT_FOUND)
        self.session.reset(selected=True)
        return encode_application_properties(
            label=APPLICATION_LABEL, algorithms=SUPPORTED_ALGORITHMS
        )

    # ------------------------------------------------------------ data objects

    def get_data(self, command: CommandApdu) -> bytes:
        _require_data_p1p2(command)
        items = _parse(command.data)
        if len(items) != 1 or items[0].tag != TAG_LIST:
            raise Refusal(SW.WRONG_DATA)
        object_id = _object_id(items[0].value)
        if object_id in PIN_PROTECTED_OBJECTS and not self.session.pin_verified:
            raise Refusal(SW.SECURITY_STATUS_NOT_SATISFIED)
        value = self.state.objects.get(object_id)
        if value is None:
            raise Refusal(SW.FILE_NOT_FOUND)
        return wrap_data_object(object_id, value)

    def put_data(self, command: CommandApdu) -> bytes:
        _require_data_p1p2(command)
        self._require_management()
        items = _parse(command.data)
        if len(items) != 2 or items[0].tag != TAG_LIST:  # noqa: PLR2004 - tag list + object
            raise Refusal(SW.WRONG_DATA)
        object_id = _object_id(items[0].value)
        envelope = ObjectId.DISCOVERY if object_id == ObjectId.DISCOVERY else TAG_DATA
        if items[1].tag != envelope:
            raise Refusal(SW.WRONG_DATA)
        value = items[1].value
        if len(value) > MAX_OBJECT_SIZE:
            raise Refusal(SW.NOT_ENOUGH_MEMORY)
        if value:
            self.state.objects[object_id] = value
        else:  # an empty object deletes it, as PIV tools expect
            self.state.objects.pop(object_id, None)
        self._save()
        return b""

    # ------------------------------------------------------------ PIN and PUK

    def verify(self, command: CommandApdu) -> bytes:
        if command.p2 != KeyReference.PIN:
            raise Refusal(SW.REFERENCE_NOT_FOUND)  # no global PIN on this card
        if command.p1 == _RESET_SECURITY_STATUS and not command.data:
            self.session.pin_verified = False
            return b""
        if command.p1 != 0:
            raise Refusal(SW.INCORRECT_P1P2)
        pin = self.state.pin
        if not command.data:
            if self.session.pin_verified:
                return b""
            raise Refusal(_retries_status(pin))
        self.session.pin_verified = False
        self._check_reference(pin, command.data)
        self.session.pin_verified = True
        return b""

    def change_reference_data(self, command: CommandApdu) -> bytes:
        references: dict[int, ReferenceData] = {
            KeyReference.PIN: self.state.pin,
            KeyReference.PUK: self.state.puk,
        }
        reference = references.get(command.p2)
        if command.p1 != 0 or reference is None:
            raise Refusal(SW.INCORRECT_P1P2)
        old, new = _two_references(command.data)
        self._check_reference(reference, old)
        reference.value = _digits(new)
        self._save()
        return b""

    def reset_retry_counter(self, command: CommandApdu) -> bytes:
        if command.p1 != 0 or command.p2 != KeyReference.PIN:
            raise Refusal(SW.INCORRECT_P1P2)
        puk, new_pin = _two_references(command.data)
        self._check_reference(self.state.puk, puk)
        self.state.pin.value = _digits(new_pin)
        self.state.pin.retries_left = self.state.pin.retries_max
        self._save()
        return b""

    def _check_reference(self, reference: ReferenceData, padded: bytes) -> None:
        """Compare a PIN or PUK; count a failure (saved before answering)."""
        if len(padded) != PIN_LENGTH:
            raise Refusal(SW.WRONG_DATA)
        if reference.blocked:
            raise Refusal(SW.AUTH_METHOD_BLOCKED)
        expected = reference.value.encode("ascii").ljust(PIN_LENGTH, bytes((PIN_PAD,)))
        if not hmac.compare_digest(padded, expected):
            reference.retries_left -= 1
            self._save()
            # 63CX even when X reaches 0; from then on the reference answers 6983.
            raise Refusal(_VERIFY_FAILED | reference.retries_left)
        if reference.retries_left != reference.retries_max:
            reference.retries_left = reference.retries_max
            self._save()

    # ------------------------------------------------------------ keys

    def generate_asymmetric_key_pair(self, command: CommandApdu) -> bytes:
        if command.p1 != 0 or command.p2 not in _SLOTS:
            raise Refusal(SW.INCORRECT_P1P2)
        self._require_management()
        algorithm = _requested_algorithm(command.data)
        private_key = self._generate_key(CURVES[algorithm].curve)
        self.state.keys[Slot(command.p2)] = StoredKey.from_private_key(algorithm, private_key)
        self._save()
        point = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return encode_tlv(TAG_PUBLIC_KEY_TEMPLATE, encode_tlv(TAG_EC_POINT, point))

    def _require_management(self) -> None:
        if not self.session.management_authenticated:
            raise Refusal(SW.SECURITY_STATUS_NOT_SATISFIED)


# ---------------------------------------------------------------- command parsing


def _require_data_p1p2(command: CommandApdu) -> None:
    if (command.p1, command.p2) != (DATA_P1, DATA_P2):
        raise Refusal(SW.INCORRECT_P1P2)


def _parse(data: bytes) -> list[Tlv]:
    try:
        return parse_all(data)
    except MalformedResponseError as exc:
        raise Refusal(SW.WRONG_DATA) from exc


def _object_id(tag: bytes) -> int:
    """The object a 5C tag list names: 7E, or one of the 5FC1xx objects."""
    if tag != _DISCOVERY_TAG and not (len(tag) == 3 and tag.startswith(_DATA_OBJECT_PREFIX)):  # noqa: PLR2004
        raise Refusal(SW.WRONG_DATA)
    return int.from_bytes(tag, "big")


def _requested_algorithm(data: bytes) -> Algorithm:
    """The algorithm in GENERATE's control reference template AC { 80 <id> }."""
    try:
        mechanism = require(parse_all(data), _TAG_MECHANISM).children()
        algorithm_id = require(mechanism, _TAG_MECHANISM_ALGORITHM).value
    except MalformedResponseError as exc:
        raise Refusal(SW.WRONG_DATA) from exc
    if len(algorithm_id) != 1 or algorithm_id[0] not in CURVES:
        raise Refusal(SW.WRONG_DATA)
    return Algorithm(algorithm_id[0])


def _two_references(data: bytes) -> tuple[bytes, bytes]:
    if len(data) != 2 * PIN_LENGTH:
        raise Refusal(SW.WRONG_DATA)
    return data[:PIN_LENGTH], data[PIN_LENGTH:]


def _digits(padded: bytes) -> str:
    """The PIN in a padded reference data field, if it is 6 to 8 digits."""
    text = padded.rstrip(bytes((PIN_PAD,)))
    if len(text) < _MIN_PIN_DIGITS or not text.isdigit():
        raise Refusal(SW.WRONG_DATA)
    return text.decode("ascii")


def _retries_status(reference: ReferenceData) -> int:
    if reference.blocked:
        return SW.AUTH_METHOD_BLOCKED
    return _VERIFY_FAILED | min(reference.retries_left, 0x0F)
