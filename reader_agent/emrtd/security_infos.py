"""SecurityInfos (ICAO 9303-11 section 9.2) from EF.CardAccess and DG14.

A SET of SEQUENCEs, each starting with a protocol OID. PACE, Chip Authentication
(info and public key) and Active Authentication entries are decoded; unknown entries
are kept aside, as the standard says a reader may ignore them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reader_agent.emrtd.der import (
    TAG_BIT_STRING,
    TAG_INTEGER,
    TAG_OCTET_STRING,
    TAG_OID,
    TAG_SEQUENCE,
    TAG_SET,
    decode_integer,
    decode_oid,
    expect,
)
from reader_agent.emrtd.errors import LdsFormatError, UnsupportedProtocolError
from reader_agent.emrtd.groups import DhGroup, EcGroup, curve_by_name
from reader_agent.emrtd.keys.kdf import KeyKind
from reader_agent.errors import MalformedResponseError
from reader_agent.iso7816.tlv import Tlv, parse_one

BSI = "0.4.0.127.0.7.2.2"
ID_PK = f"{BSI}.1"
ID_PK_DH = f"{ID_PK}.1"
ID_PK_ECDH = f"{ID_PK}.2"
ID_CA = f"{BSI}.3"
ID_PACE = f"{BSI}.4"
PACE_DH_GM = f"{ID_PACE}.1"
PACE_ECDH_GM = f"{ID_PACE}.2"
PACE_DH_IM = f"{ID_PACE}.3"
PACE_ECDH_IM = f"{ID_PACE}.4"
PACE_ECDH_CAM = f"{ID_PACE}.6"
ID_CA_DH = f"{ID_CA}.1"
ID_CA_ECDH = f"{ID_CA}.2"
ID_AA = "2.23.136.1.1.5"
ID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
ID_DH_PUBLIC_NUMBER = "1.2.840.10046.2.1"
ID_PRIME_FIELD = "1.2.840.10045.1.1"

_CIPHERS = {1: KeyKind.DES3, 2: KeyKind.AES128, 3: KeyKind.AES192, 4: KeyKind.AES256}


def cipher_of(protocol: str) -> KeyKind:
    """The symmetric cipher a PACE or CA protocol OID names in its last arc."""
    try:
        return _CIPHERS[int(protocol.rsplit(".", 1)[1])]
    except (KeyError, ValueError) as exc:
        raise UnsupportedProtocolError(f"no cipher known for protocol {protocol}") from exc


@dataclass(frozen=True)
class PaceInfo:
    protocol: str
    version: int
    parameter_id: int | None

    @property
    def mapping(self) -> str:
        family = self.protocol.rsplit(".", 1)[0]
        names = {
            PACE_DH_GM: "DH-GM",
            PACE_ECDH_GM: "ECDH-GM",
            PACE_DH_IM: "DH-IM",
            PACE_ECDH_IM: "ECDH-IM",
            PACE_ECDH_CAM: "ECDH-CAM",
        }
        return names.get(family, "unknown")

    @property
    def cipher(self) -> KeyKind:
        return cipher_of(self.protocol)


@dataclass(frozen=True)
class ChipAuthenticationInfo:
    protocol: str
    version: int
    key_id: int | None

    @property
    def cipher(self) -> KeyKind:
        return cipher_of(self.protocol)


@dataclass(frozen=True)
class ChipAuthenticationPublicKey:
    protocol: str
    group: EcGroup | DhGroup
    unverified_public: bytes = field(repr=False)
    key_id: int | None


@dataclass(frozen=True)
class ActiveAuthenticationInfo:
    version: int
    signature_algorithm: str


@dataclass(frozen=True)
class SecurityInfos:
    pace: tuple[PaceInfo, ...] = ()
    chip_authentication: tuple[ChipAuthenticationInfo, ...] = ()
    chip_public_keys: tuple[ChipAuthenticationPublicKey, ...] = ()
    active_authentication: ActiveAuthenticationInfo | None = None
    unknown: tuple[str, ...] = ()


def parse_security_infos(unverified: bytes) -> SecurityInfos:
    """Decode a DER SET OF SecurityInfo; raise LdsFormatError on malformed input."""
    try:
        items = parse_one(unverified, expected_tag=TAG_SET).children()
        return _collect(items)
    except MalformedResponseError as exc:
        if isinstance(exc, LdsFormatError):
            raise
        raise LdsFormatError(f"SecurityInfos do not parse: {exc}") from exc


def _collect(items: list[Tlv]) -> SecurityInfos:
    pace: list[PaceInfo] = []
    ca: list[ChipAuthenticationInfo] = []
    keys: list[ChipAuthenticationPublicKey] = []
    aa: ActiveAuthenticationInfo | None = None
    unknown: list[str] = []
    for item in items:
        fields = expect(item, TAG_SEQUENCE, "SecurityInfo").children()
        if not fields:
            raise LdsFormatError("empty SecurityInfo")
        protocol = decode_oid(expect(fields[0], TAG_OID, "SecurityInfo protocol").value)
        rest = fields[1:]
        family = protocol.rsplit(".", 1)[0]
        if family in (PACE_DH_GM, PACE_ECDH_GM, PACE_DH_IM, PACE_ECDH_IM, PACE_ECDH_CAM) and (
            rest and rest[0].tag == TAG_INTEGER
        ):
            pace.append(PaceInfo(protocol, _int(rest[0]), _optional_int(rest[1:])))
        elif family in (ID_CA_DH, ID_CA_ECDH):
            ca.append(ChipAuthenticationInfo(protocol, _int(_at(rest, 0)), _optional_int(rest[1:])))
        elif protocol in (ID_PK_DH, ID_PK_ECDH):
            group, public = parse_subject_public_key_info(_at(rest, 0))
            keys.append(
                ChipAuthenticationPublicKey(protocol, group, public, _optional_int(rest[1:]))
            )
        elif protocol == ID_AA:
            algorithm = decode_oid(expect(_at(rest, 1), TAG_OID, "AA signature algorithm").value)
            aa = ActiveAuthenticationInfo(_int(_at(rest, 0)), algorithm)
        else:
            unknown.append(protocol)
    return SecurityInfos(tuple(pace), tuple(ca), tuple(keys), aa, tuple(unknown))


def _at(fields: list[Tlv], index: int) -> Tlv:
    if index >= len(fields):
        raise LdsFormatError("SecurityInfo is missing a field")
    return fields[index]


def _int(item: Tlv) -> int:
    return decode_integer(expect(item, TAG_INTEGER, "SecurityInfo integer").value)


def _optional_int(rest: list[Tlv]) -> int | None:
    return _int(rest[0]) if rest else None


# ------------------------------------------------------------------ public keys

_CURVE_OIDS = {
    "1.2.840.10045.3.1.1": "secp192r1",
    "1.3.132.0.33": "secp224r1",
    "1.2.840.10045.3.1.7": "secp256r1",
    "1.3.132.0.34": "secp384r1",
    "1.3.132.0.35": "secp521r1",
    "1.3.36.3.3.2.8.1.1.3": "brainpoolP192r1",
    "1.3.36.3.3.2.8.1.1.5": "brainpoolP224r1",
    "1.3.36.3.3.2.8.1.1.7": "brainpoolP256r1",
    "1.3.36.3.3.2.8.1.1.9": "brainpoolP320r1",
    "1.3.36.3.3.2.8.1.1.11": "brainpoolP384r1",
    "1.3.36.3.3.2.8.1.1.13": "brainpoolP512r1",
}


def parse_subject_public_key_info(spki: Tlv) -> tuple[EcGroup | DhGroup, bytes]:
    """A SubjectPublicKeyInfo with EC (named or explicit prime curve) or DH parameters.

    Returns the group and the public value encoded as the group encodes elements.
    """
    fields = expect(spki, TAG_SEQUENCE, "SubjectPublicKeyInfo").children()
    algorithm, bits = _at(fields, 0), _at(fields, 1)
    alg_fields = expect(algorithm, TAG_SEQUENCE, "AlgorithmIdentifier").children()
    oid = decode_oid(expect(_at(alg_fields, 0), TAG_OID, "key algorithm").value)
    raw = expect(bits, TAG_BIT_STRING, "subjectPublicKey").value
    if not raw or raw[0] != 0:
        raise LdsFormatError("public key BIT STRING has unused bits")
    key = raw[1:]
    if oid in (ID_EC_PUBLIC_KEY, ID_PK_ECDH):
        group = _ec_group(_at(alg_fields, 1))
        group.decode(key)  # validates the point now, not at first use
        return group, key
    if oid in (ID_DH_PUBLIC_NUMBER, ID_PK_DH, "1.2.840.113549.1.3.1"):
        params = expect(_at(alg_fields, 1), TAG_SEQUENCE, "DH parameters").children()
        p, g = _int(_at(params, 0)), _int(_at(params, 1))
        q = _int(params[2]) if len(params) > 2 else (p - 1) // 2  # noqa: PLR2004
        dh = DhGroup(p, g, q)
        value = _int(parse_one(key, expected_tag=TAG_INTEGER))
        return dh, dh.encode(value)
    raise UnsupportedProtocolError(f"public key algorithm {oid} is not supported")


def _ec_group(parameters: Tlv) -> EcGroup:
    if parameters.tag == TAG_OID:
        name = _CURVE_OIDS.get(decode_oid(parameters.value))
        if name is None:
            raise UnsupportedProtocolError("the chip's named curve is not supported")
        return EcGroup.standard(curve_by_name(name))
    # Explicit ECParameters (common on eMRTDs): match them against the curves we know.
    fields = expect(parameters, TAG_SEQUENCE, "ECParameters").children()
    field_id = expect(_at(fields, 1), TAG_SEQUENCE, "FieldID").children()
    if decode_oid(expect(_at(field_id, 0), TAG_OID, "field type").value) != ID_PRIME_FIELD:
        raise UnsupportedProtocolError("only prime-field curves are supported")
    p = _int(_at(field_id, 1))
    curve_fields = expect(_at(fields, 2), TAG_SEQUENCE, "Curve").children()
    a = int.from_bytes(expect(_at(curve_fields, 0), TAG_OCTET_STRING, "a").value, "big")
    b = int.from_bytes(expect(_at(curve_fields, 1), TAG_OCTET_STRING, "b").value, "big")
    base = expect(_at(fields, 3), TAG_OCTET_STRING, "base point").value
    order = _int(_at(fields, 4))
    for name in _CURVE_OIDS.values():
        candidate = EcGroup.standard(curve_by_name(name))
        field = candidate.curve.curve
        known = (field.p(), field.a() % field.p(), field.b(), candidate.order)
        if known == (p, a % p, b, order):
            if candidate.generator_bytes() != base:
                raise UnsupportedProtocolError("explicit curve has a non-standard base point")
            return candidate
    raise UnsupportedProtocolError("the chip's explicit curve parameters match no known curve")
