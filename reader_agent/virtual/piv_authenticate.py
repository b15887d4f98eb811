"""GENERAL AUTHENTICATE (INS 87) on the virtual card: management-key challenge-response
(key 9B) and ECDSA signatures with the asymmetric keys (9A, 9C, 9D, 9E).

Management key (Part 2 appendix A.1, the way yubikit and OpenSC's piv-tool speak it):
- mutual: ``7C{80 00}`` -> ``7C{80 E(w)}``; ``7C{80 w, 81 c}`` -> ``7C{82 E(c)}``;
- external (one way): ``7C{81 00}`` -> ``7C{81 c}``; ``7C{82 E(c)}`` -> 9000.

Signatures: ``7C{82 00, 81 challenge}`` -> ``7C{82 DER ECDSA signature}``. For ECC the
card signs the challenge as the digest itself (no hashing on card), so the challenge
must be exactly one digest long.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric import ec, utils

from reader_agent.errors import MalformedResponseError
from reader_agent.iso7816.apdu import CommandApdu
from reader_agent.iso7816.status import SW
from reader_agent.iso7816.tlv import Tlv, encode_tlv, parse_one
from reader_agent.piv.constants import (
    CURVES,
    TAG_CHALLENGE,
    TAG_DYNAMIC_AUTHENTICATION,
    TAG_RESPONSE,
    TAG_WITNESS,
    Algorithm,
    KeyReference,
    Slot,
)
from reader_agent.piv.management import ManagementKey
from reader_agent.virtual.piv_applet import Refusal, Session
from reader_agent.virtual.piv_state import PivCardState

# 3DES is algorithm 03; SP 800-73-4 also lets a card answer to 00 for its 3DES key.
_LEGACY_TDES = 0x00
_SLOTS = frozenset(Slot)


class GeneralAuthenticate:
    """The handler. With ``sign_with_other_key`` the card signs with a key of its own
    making instead of the slot's: a card carrying a copied certificate."""

    def __init__(
        self,
        state: PivCardState,
        session: Session,
        *,
        random_bytes: Callable[[int], bytes],
        generate_key: Callable[[ec.EllipticCurve], ec.EllipticCurvePrivateKey],
        sign_with_other_key: bool = False,
    ) -> None:
        self._state = state
        self._session = session
        self._random_bytes = random_bytes
        self._generate_key = generate_key
        self._sign_with_other_key = sign_with_other_key
        self._impostor_keys: dict[Algorithm, ec.EllipticCurvePrivateKey] = {}

    def __call__(self, command: CommandApdu) -> bytes:
        items = _template(command.data)
        if command.p2 == KeyReference.CARD_MANAGEMENT:
            return self._management(command.p1, items)
        self._session.clear_pending()
        if command.p2 in _SLOTS:
            return self._sign(command.p1, Slot(command.p2), items)
        raise Refusal(SW.INCORRECT_P1P2)

    # ------------------------------------------------------------ 9B

    def _management(self, algorithm: int, items: dict[int, bytes]) -> bytes:
        key = self._state.management_key
        accepted: set[int] = {key.algorithm}
        if key.algorithm == Algorithm.TDES:
            accepted.add(_LEGACY_TDES)
        if algorithm not in accepted:
            self._session.clear_pending()
            raise Refusal(SW.INCORRECT_P1P2)
        witness, challenge, response = (
            items.get(TAG_WITNESS),
            items.get(TAG_CHALLENGE),
            items.get(TAG_RESPONSE),
        )
        pending_witness, pending_challenge = (
            self._session.pending_witness,
            self._session.pending_challenge,
        )
        self._session.clear_pending()
        if set(items) == {TAG_WITNESS} and witness == b"":
            return self._begin_mutual(key)
        if set(items) == {TAG_WITNESS, TAG_CHALLENGE} and witness and challenge:
            return self._complete_mutual(key, pending_witness, witness, challenge)
        if set(items) == {TAG_CHALLENGE} and challenge == b"":
            return self._begin_external(key)
        if set(items) == {TAG_RESPONSE} and response:
            return self._complete_external(key, pending_challenge, response)
        raise Refusal(SW.WRONG_DATA)

    def _begin_mutual(self, key: ManagementKey) -> bytes:
        witness = self._random_bytes(key.block_size)
        self._session.pending_witness = witness
        return _answer(TAG_WITNESS, key.encrypt_block(witness))

    def _complete_mutual(
        self, key: ManagementKey, expected: bytes | None, witness: bytes, challenge: bytes
    ) -> bytes:
        if expected is None:
            raise Refusal(SW.CONDITIONS_NOT_SATISFIED)
        if not hmac.compare_digest(witness, expected):
            raise Refusal(SW.SECURITY_STATUS_NOT_SATISFIED)
        if len(challenge) != key.block_size:
            raise Refusal(SW.WRONG_DATA)
        self._session.management_authenticated = True
        return _answer(TAG_RESPONSE, key.encrypt_block(challenge))

    def _begin_external(self, key: ManagementKey) -> bytes:
        challenge = self._random_bytes(key.block_size)
        self._session.pending_challenge = challenge
        return _answer(TAG_CHALLENGE, challenge)

    def _complete_external(
        self, key: ManagementKey, expected: bytes | None, response: bytes
    ) -> bytes:
        if expected is None:
            raise Refusal(SW.CONDITIONS_NOT_SATISFIED)
        if len(response) != key.block_size or not hmac.compare_digest(
            key.decrypt_block(response), expected
        ):
            raise Refusal(SW.SECURITY_STATUS_NOT_SATISFIED)
        self._session.management_authenticated = True
        return b""

    # ------------------------------------------------------------ 9A 9C 9D 9E

    def _sign(self, algorithm: int, slot: Slot, items: dict[int, bytes]) -> bytes:
        stored = self._state.keys.get(slot)
        if stored is None:
            raise Refusal(SW.REFERENCE_NOT_FOUND)
        if algorithm != stored.algorithm:
            raise Refusal(SW.INCORRECT_P1P2)
        # The card-authentication key is usable without a PIN (it answers a door);
        # every other key needs the PIN verified in this session.
        if slot != Slot.CARD_AUTHENTICATION and not self._session.pin_verified:
            raise Refusal(SW.SECURITY_STATUS_NOT_SATISFIED)
        challenge = items.get(TAG_CHALLENGE)
        profile = CURVES[stored.algorithm]
        if set(items) != {TAG_RESPONSE, TAG_CHALLENGE} or items[TAG_RESPONSE]:
            raise Refusal(SW.WRONG_DATA)
        if challenge is None or len(challenge) != profile.size:
            raise Refusal(SW.WRONG_DATA)
        key = (
            self._impostor(stored.algorithm) if self._sign_with_other_key else stored.private_key()
        )
        signature = key.sign(challenge, ec.ECDSA(utils.Prehashed(profile.digest)))
        return _answer(TAG_RESPONSE, signature)

    def _impostor(self, algorithm: Algorithm) -> ec.EllipticCurvePrivateKey:
        if algorithm not in self._impostor_keys:
            self._impostor_keys[algorithm] = self._generate_key(CURVES[algorithm].curve)
        return self._impostor_keys[algorithm]


def _template(data: bytes) -> dict[int, bytes]:
    """The items of a 7C template by tag; duplicates or anything else are wrong data."""
    try:
        children: list[Tlv] = parse_one(data, expected_tag=TAG_DYNAMIC_AUTHENTICATION).children()
    except MalformedResponseError as exc:
        raise Refusal(SW.WRONG_DATA) from exc
    items = {item.tag: item.value for item in children}
    if len(items) != len(children):
        raise Refusal(SW.WRONG_DATA)
    return items


def _answer(tag: int, value: bytes) -> bytes:
    return encode_tlv(TAG_DYNAMIC_AUTHENTICATION, encode_tlv(tag, value))
