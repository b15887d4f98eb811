"""NIST SP 800-73-4 numbers: the PIV application, its instructions, keys and objects."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

# Part 1 section 2.2: RID A0 00 00 03 08 (NIST) + PIX 00 00 10 00 01 00 (PIV, version 01 00).
NIST_RID = bytes.fromhex("A000000308")
PIV_PIX = bytes.fromhex("000010000100")
PIV_AID = NIST_RID + PIV_PIX

CLA = 0x00
# GET DATA and PUT DATA always name the "current DF" as P1 P2 = 3F FF (Part 2 section 3.1.2).
DATA_P1 = 0x3F
DATA_P2 = 0xFF
SELECT_BY_NAME = 0x04


class Ins(enum.IntEnum):
    """The instructions of the PIV card application (Part 2 section 3)."""

    VERIFY = 0x20
    CHANGE_REFERENCE_DATA = 0x24
    RESET_RETRY_COUNTER = 0x2C
    GENERATE_ASYMMETRIC_KEY_PAIR = 0x47
    GENERAL_AUTHENTICATE = 0x87
    SELECT = 0xA4
    GET_RESPONSE = 0xC0
    GET_DATA = 0xCB
    PUT_DATA = 0xDB


class KeyReference(enum.IntEnum):
    """Key references (Part 1 table 4). PIN and PUK are references 80 and 81."""

    PIN = 0x80
    PUK = 0x81
    PIV_AUTHENTICATION = 0x9A
    CARD_MANAGEMENT = 0x9B
    DIGITAL_SIGNATURE = 0x9C
    KEY_MANAGEMENT = 0x9D
    CARD_AUTHENTICATION = 0x9E


class Slot(enum.IntEnum):
    """The asymmetric key slots the platform uses (a subset of KeyReference)."""

    PIV_AUTHENTICATION = 0x9A
    DIGITAL_SIGNATURE = 0x9C
    KEY_MANAGEMENT = 0x9D
    CARD_AUTHENTICATION = 0x9E


class Algorithm(enum.IntEnum):
    """Cryptographic algorithm identifiers (SP 800-78-4 table 6-2)."""

    TDES = 0x03  # 3-key Triple DES, ECB
    AES_128 = 0x08
    AES_192 = 0x0A
    AES_256 = 0x0C
    ECC_P256 = 0x11
    ECC_P384 = 0x14


MANAGEMENT_ALGORITHMS = frozenset(
    {Algorithm.TDES, Algorithm.AES_128, Algorithm.AES_192, Algorithm.AES_256}
)


@dataclass(frozen=True)
class CurveProfile:
    """What an ECC algorithm identifier means for signing: the challenge the card
    signs is exactly one digest long, and the card does not hash it again."""

    curve: ec.EllipticCurve
    digest: hashes.HashAlgorithm
    size: int  # bytes of a coordinate, of the challenge, and of the digest


CURVES: dict[Algorithm, CurveProfile] = {
    Algorithm.ECC_P256: CurveProfile(ec.SECP256R1(), hashes.SHA256(), 32),
    Algorithm.ECC_P384: CurveProfile(ec.SECP384R1(), hashes.SHA384(), 48),
}


class ObjectId(enum.IntEnum):
    """Data object tags (Part 1 table 3), as named in the GET DATA tag list (5C)."""

    CARD_AUTHENTICATION_CERTIFICATE = 0x5FC101
    CHUID = 0x5FC102
    FINGERPRINTS = 0x5FC103
    PIV_AUTHENTICATION_CERTIFICATE = 0x5FC105
    SECURITY_OBJECT = 0x5FC106
    CAPABILITY_CONTAINER = 0x5FC107
    FACIAL_IMAGE = 0x5FC108
    PRINTED_INFORMATION = 0x5FC109
    DIGITAL_SIGNATURE_CERTIFICATE = 0x5FC10A
    KEY_MANAGEMENT_CERTIFICATE = 0x5FC10B
    KEY_HISTORY = 0x5FC10C
    IRIS_IMAGES = 0x5FC121
    DISCOVERY = 0x7E


# Objects whose read access rule is "PIN" rather than "Always" (Part 1 table 3).
PIN_PROTECTED_OBJECTS = frozenset(
    {
        ObjectId.FINGERPRINTS,
        ObjectId.FACIAL_IMAGE,
        ObjectId.PRINTED_INFORMATION,
        ObjectId.IRIS_IMAGES,
    }
)

CERTIFICATE_OBJECTS: dict[Slot, ObjectId] = {
    Slot.PIV_AUTHENTICATION: ObjectId.PIV_AUTHENTICATION_CERTIFICATE,
    Slot.DIGITAL_SIGNATURE: ObjectId.DIGITAL_SIGNATURE_CERTIFICATE,
    Slot.KEY_MANAGEMENT: ObjectId.KEY_MANAGEMENT_CERTIFICATE,
    Slot.CARD_AUTHENTICATION: ObjectId.CARD_AUTHENTICATION_CERTIFICATE,
}


def object_tag_bytes(object_id: int) -> bytes:
    """The tag as it appears inside 5C: 7E is one byte, the 5FC1xx objects three."""
    return object_id.to_bytes(max(1, (object_id.bit_length() + 7) // 8), "big")


# BER-TLV tags of the PIV command and response templates (Part 2 section 3).
TAG_APPLICATION_PROPERTY_TEMPLATE = 0x61
TAG_APPLICATION_IDENTIFIER = 0x4F
TAG_APPLICATION_LABEL = 0x50
TAG_ALLOCATION_AUTHORITY = 0x79
TAG_CRYPTOGRAPHIC_ALGORITHMS = 0xAC
TAG_ALGORITHM_IDENTIFIER = 0x80
TAG_OBJECT_IDENTIFIER = 0x06
TAG_LIST = 0x5C
TAG_DATA = 0x53
TAG_DYNAMIC_AUTHENTICATION = 0x7C
TAG_WITNESS = 0x80
TAG_CHALLENGE = 0x81
TAG_RESPONSE = 0x82
TAG_EXPONENTIATION = 0x85
TAG_PUBLIC_KEY_TEMPLATE = 0x7F49
TAG_EC_POINT = 0x86
TAG_CERTIFICATE = 0x70
TAG_CERT_INFO = 0x71
TAG_ERROR_DETECTION_CODE = 0xFE


PIN_LENGTH = 8  # the reference data field of VERIFY: the PIN padded with FF
PIN_PAD = 0xFF
