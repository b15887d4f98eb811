"""The chip's side of PACE, BAC, Chip Authentication and Active Authentication.

Each class holds one protocol's state and answers the commands that belong to it with
(data, status word); the chip (``emrtd_chip``) routes commands to them and owns
secure messaging. The arithmetic is the reader's own (``reader_agent.emrtd``), whose
correctness the ICAO worked examples pin down.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import rsa

from reader_agent.emrtd.active_auth import sign_9796_2
from reader_agent.emrtd.bac import DES3, session_from_seed
from reader_agent.emrtd.der import decode_oid
from reader_agent.emrtd.errors import EmrtdError
from reader_agent.emrtd.groups import EcGroup, Group, standard_group
from reader_agent.emrtd.keys.access import CanKey, MrzKey
from reader_agent.emrtd.keys.cipher import DES_BLOCK, CipherSuite, pad
from reader_agent.emrtd.keys.kdf import COUNTER_ENC, COUNTER_MAC, KeyKind, kdf
from reader_agent.emrtd.pace import authentication_token
from reader_agent.emrtd.pace_mapping import map_dh, map_ec
from reader_agent.emrtd.secure_messaging import SecureMessaging
from reader_agent.emrtd.security_infos import PaceInfo, cipher_of
from reader_agent.errors import MalformedResponseError
from reader_agent.iso7816.tlv import encode_tlv, find, parse_one

SW_OK = 0x9000
SW_WRONG_DATA = 0x6A80
SW_CONDITIONS = 0x6985
SW_BLOCKED = 0x6983
SW_AUTH_FAILED = 0x6300
SW_SECURITY = 0x6982

Answer = tuple[bytes, int]


@dataclass
class PasswordCounter:
    """The retry counter a chip keeps for its passwords (kept for the process's life)."""

    maximum: int = 3
    remaining: int = 3

    def failed(self) -> int:
        self.remaining = max(0, self.remaining - 1)
        return SW_BLOCKED if self.remaining == 0 else 0x63C0 | self.remaining

    def succeeded(self) -> None:
        self.remaining = self.maximum


@dataclass
class PaceChip:
    """PACE, chip side: MSE:Set AT then four GENERAL AUTHENTICATE steps."""

    can: str = field(repr=False)
    mrz: MrzKey = field(repr=False)
    offered: PaceInfo
    counter: PasswordCounter
    _info: PaceInfo | None = None
    _password: bytes = b""
    _step: int = 0
    _nonce: bytes = b""
    _group: Group | None = None
    _private: int = 0
    _own_public: bytes = b""
    _suite: CipherSuite | None = None
    _terminal_public: bytes = b""

    def set_at(self, data: bytes) -> Answer:
        try:
            protocol = decode_oid(_value(data, 0x80))
            reference = _value(data, 0x83)
        except (EmrtdError, MalformedResponseError):
            return b"", SW_WRONG_DATA
        if protocol != self.offered.protocol or reference not in (b"\x01", b"\x02"):
            return b"", SW_WRONG_DATA
        if self.counter.remaining == 0:
            return b"", SW_BLOCKED
        self._password = (
            self.mrz.password() if reference == b"\x01" else CanKey(self.can).password()
        )
        self._info = self.offered
        self._step = 1
        below_max = self.counter.remaining < self.counter.maximum
        return b"", (0x63C0 | self.counter.remaining) if below_max else SW_OK

    def general_authenticate(self, data: bytes) -> tuple[bytes, int, SecureMessaging | None]:
        """One step; the last returns the secure-messaging session on success."""
        info = self._info
        if info is None or self._step == 0:
            return b"", SW_CONDITIONS, None
        try:
            body = parse_one(data, expected_tag=0x7C).value
            return self._advance(info, body)
        except (EmrtdError, MalformedResponseError):
            self._step = 0
            return b"", SW_WRONG_DATA, None

    def _advance(self, info: PaceInfo, body: bytes) -> tuple[bytes, int, SecureMessaging | None]:
        suite = CipherSuite(info.cipher)
        self._suite = suite
        if self._step == 1:
            self._nonce = os.urandom(suite.block_size)
            k_pi = kdf(self._password, 3, info.cipher)
            z = suite.encrypt(k_pi, self._nonce)
            self._step = 2
            return encode_tlv(0x7C, encode_tlv(0x80, z)), SW_OK, None
        group = standard_group(info.parameter_id or 0)
        if self._step == 2:  # noqa: PLR2004
            terminal = _value(body, 0x81)
            if info.mapping.endswith("GM"):
                private = group.random_private()
                reply = encode_tlv(0x82, group.public(private))
                self._group = group.map_generic(
                    int.from_bytes(self._nonce, "big"), private, terminal
                )
            else:
                self._group = (
                    map_ec(group, self._nonce, terminal)
                    if isinstance(group, EcGroup)
                    else map_dh(group, self._nonce, terminal)
                )
                reply = b""
            self._step = 3
            return encode_tlv(0x7C, reply), SW_OK, None
        mapped = self._group
        if mapped is None:
            return b"", SW_CONDITIONS, None
        if self._step == 3:  # noqa: PLR2004
            self._terminal_public = _value(body, 0x83)
            self._private = mapped.random_private()
            self._own_public = mapped.public(self._private)
            self._step = 4
            return encode_tlv(0x7C, encode_tlv(0x84, self._own_public)), SW_OK, None
        self._step = 0
        shared = mapped.agree(self._private, self._terminal_public)
        ks_enc, ks_mac = (
            kdf(shared, COUNTER_ENC, info.cipher),
            kdf(shared, COUNTER_MAC, info.cipher),
        )
        expected = authentication_token(suite, ks_mac, info.protocol, mapped, self._own_public)
        if not hmac.compare_digest(_value(body, 0x85), expected):
            return b"", self.counter.failed(), None
        self.counter.succeeded()
        token = authentication_token(suite, ks_mac, info.protocol, mapped, self._terminal_public)
        session = SecureMessaging(suite, ks_enc, ks_mac, 0)
        return encode_tlv(0x7C, encode_tlv(0x86, token)), SW_OK, session


@dataclass
class BacChip:
    mrz: MrzKey = field(repr=False)
    _rnd_ic: bytes = b""

    def get_challenge(self) -> Answer:
        self._rnd_ic = os.urandom(8)
        return self._rnd_ic, SW_OK

    def external_authenticate(self, data: bytes) -> tuple[bytes, int, SecureMessaging | None]:
        seed = self.mrz.bac_seed()
        k_enc, k_mac = kdf(seed, COUNTER_ENC, KeyKind.DES3), kdf(seed, COUNTER_MAC, KeyKind.DES3)
        if len(data) != 40 or not self._rnd_ic:  # noqa: PLR2004
            return b"", SW_WRONG_DATA, None
        e_ifd, m_ifd = data[:32], data[32:]
        if not hmac.compare_digest(DES3.mac(k_mac, pad(e_ifd, DES_BLOCK)), m_ifd):
            return b"", SW_AUTH_FAILED, None
        s = DES3.decrypt(k_enc, e_ifd)
        rnd_ifd, rnd_ic, k_ifd = s[:8], s[8:16], s[16:]
        if not hmac.compare_digest(rnd_ic, self._rnd_ic):
            return b"", SW_AUTH_FAILED, None
        k_ic = os.urandom(16)
        e_ic = DES3.encrypt(k_enc, rnd_ic + rnd_ifd + k_ic)
        answer = e_ic + DES3.mac(k_mac, pad(e_ic, DES_BLOCK))
        self._rnd_ic = b""
        seed_s = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
        return answer, SW_OK, session_from_seed(seed_s, rnd_ic, rnd_ifd)


@dataclass
class ChipAuthChip:
    """Chip Authentication with the chip's static key (which a clone lacks)."""

    group: EcGroup
    private: int = field(repr=False)
    protocol: str
    _selected: str | None = None

    def set_at(self, data: bytes) -> Answer:
        try:
            protocol = decode_oid(_value(data, 0x80))
        except (EmrtdError, MalformedResponseError):
            return b"", SW_WRONG_DATA
        if protocol != self.protocol:
            return b"", SW_WRONG_DATA
        self._selected = protocol
        return b"", SW_OK

    def set_kat(self, data: bytes) -> tuple[int, SecureMessaging | None]:
        try:
            public = _value(data, 0x91)
            return SW_OK, self._session(public, KeyKind.DES3)
        except (EmrtdError, MalformedResponseError):
            return SW_WRONG_DATA, None

    def general_authenticate(self, data: bytes) -> tuple[bytes, int, SecureMessaging | None]:
        if self._selected is None:
            return b"", SW_CONDITIONS, None
        try:
            public = _value(parse_one(data, expected_tag=0x7C).value, 0x80)
            session = self._session(public, cipher_of(self._selected))
        except (EmrtdError, MalformedResponseError):
            return b"", SW_WRONG_DATA, None
        self._selected = None
        return encode_tlv(0x7C, b""), SW_OK, session

    def _session(self, public: bytes, kind: KeyKind) -> SecureMessaging:
        shared = self.group.agree(self.private, public)
        return SecureMessaging(
            CipherSuite(kind), kdf(shared, COUNTER_ENC, kind), kdf(shared, COUNTER_MAC, kind), 0
        )


@dataclass
class ActiveAuthChip:
    key: rsa.RSAPrivateKey = field(repr=False)

    def internal_authenticate(self, challenge: bytes) -> Answer:
        if len(challenge) != 8:  # noqa: PLR2004
            return b"", SW_WRONG_DATA
        size = (self.key.key_size + 7) // 8
        return sign_9796_2(self.key, challenge, os.urandom(size)), SW_OK


def _value(data: bytes, tag: int) -> bytes:
    item = find(data, tag)
    if item is None:
        raise EmrtdError(f"data object {tag:02X} missing")
    return item.value
