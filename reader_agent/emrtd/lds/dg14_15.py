"""DG14 (security options: Chip Authentication keys, tag 6E) and DG15 (the Active
Authentication public key, tag 6F)."""

from __future__ import annotations

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from reader_agent.emrtd.errors import LdsFormatError, UnsupportedProtocolError
from reader_agent.emrtd.groups import EcGroup
from reader_agent.emrtd.lds.common import outer
from reader_agent.emrtd.security_infos import (
    SecurityInfos,
    parse_security_infos,
    parse_subject_public_key_info,
)
from reader_agent.errors import MalformedResponseError
from reader_agent.iso7816.tlv import encode_tlv, parse_one

TAG_DG14 = 0x6E
TAG_DG15 = 0x6F

ActiveAuthenticationKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey

_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "NIST192p": ec.SECP192R1,
    "NIST224p": ec.SECP224R1,
    "NIST256p": ec.SECP256R1,
    "NIST384p": ec.SECP384R1,
    "NIST521p": ec.SECP521R1,
    "BRAINPOOLP256r1": ec.BrainpoolP256R1,
    "BRAINPOOLP384r1": ec.BrainpoolP384R1,
    "BRAINPOOLP512r1": ec.BrainpoolP512R1,
}


def parse_dg14(unverified: bytes) -> SecurityInfos:
    return parse_security_infos(outer(unverified, TAG_DG14, "DG14").value)


def encode_dg14(security_infos_der: bytes) -> bytes:
    return encode_tlv(TAG_DG14, security_infos_der)


def parse_dg15(unverified: bytes) -> ActiveAuthenticationKey:
    spki = outer(unverified, TAG_DG15, "DG15").value
    try:
        key = load_der_public_key(spki)
    except (ValueError, UnsupportedAlgorithm):
        # cryptography refuses explicit curve parameters, which chips often carry.
        key = _explicit_ec_key(spki)
    if not isinstance(key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey)):
        raise UnsupportedProtocolError("DG15 holds neither an RSA nor an EC key")
    return key


def encode_dg15(spki_der: bytes) -> bytes:
    return encode_tlv(TAG_DG15, spki_der)


def _explicit_ec_key(spki: bytes) -> ec.EllipticCurvePublicKey:
    try:
        group, point = parse_subject_public_key_info(parse_one(spki))
    except MalformedResponseError as exc:
        raise LdsFormatError(f"DG15 key does not parse: {exc}") from exc
    if not isinstance(group, EcGroup) or group.curve.name not in _CURVES:
        raise UnsupportedProtocolError("DG15 key uses unsupported parameters")
    return ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[group.curve.name](), point)
