"""Groups PACE and Chip Authentication compute in: prime-field curves and MODP groups.

``cryptography`` offers no point addition and no custom generators, which Generic
Mapping needs (G' = s*G + H), so curve arithmetic uses the pure-Python ``ecdsa``
package; it reproduces the ICAO worked example's mapped generator exactly. Every
public value received from a chip is validated (on the curve, in the subgroup) before
it is used.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from ecdsa import curves as ecdsa_curves
from ecdsa.ellipticcurve import PointJacobi

from reader_agent.emrtd.errors import LdsFormatError, UnsupportedProtocolError


class Group(Protocol):
    """One group with its current generator (standard, or mapped by PACE)."""

    @property
    def element_size(self) -> int: ...

    def random_private(self) -> int: ...

    def public(self, private: int) -> bytes:
        """``private`` times (or to the power of) the generator, encoded."""
        ...

    def agree(self, private: int, unverified_peer: bytes) -> bytes:
        """The shared secret with a peer's encoded public value (x only for curves)."""
        ...

    def map_generic(self, nonce: int, private: int, unverified_peer: bytes) -> Group:
        """Generic Mapping: the group with generator s*G + H (H = private * peer)."""
        ...


@dataclass(frozen=True)
class EcGroup:
    curve: ecdsa_curves.Curve
    generator: PointJacobi

    @classmethod
    def standard(cls, curve: ecdsa_curves.Curve) -> EcGroup:
        return cls(curve, curve.generator)

    @property
    def order(self) -> int:
        return int(self.curve.order)

    @property
    def element_size(self) -> int:
        return (int(self.curve.curve.p()).bit_length() + 7) // 8

    def random_private(self) -> int:
        return secrets.randbelow(self.order - 1) + 1

    def encode(self, point: PointJacobi) -> bytes:
        size = self.element_size
        return b"\x04" + int(point.x()).to_bytes(size, "big") + int(point.y()).to_bytes(size, "big")

    def decode(self, unverified: bytes) -> PointJacobi:
        size = self.element_size
        if len(unverified) != 1 + 2 * size or unverified[0] != 0x04:  # noqa: PLR2004
            raise LdsFormatError("an EC public key must be an uncompressed point")
        x = int.from_bytes(unverified[1 : 1 + size], "big")
        y = int.from_bytes(unverified[1 + size :], "big")
        field = self.curve.curve
        if not (x < field.p() and y < field.p() and field.contains_point(x, y)):
            raise LdsFormatError("the chip's public point is not on the curve")
        # Every curve we support has cofactor 1: on the curve means in the subgroup.
        return PointJacobi(field, x, y, 1, self.order)

    def public(self, private: int) -> bytes:
        return self.encode(self.generator * private)

    def agree(self, private: int, unverified_peer: bytes) -> bytes:
        # Cofactor 1, a validated peer and 0 < private < n: the product is never infinity.
        shared = self.decode(unverified_peer) * private
        return int(shared.x()).to_bytes(self.element_size, "big")

    def map_generic(self, nonce: int, private: int, unverified_peer: bytes) -> EcGroup:
        h = self.decode(unverified_peer) * private
        mapped = self.generator * nonce + h
        return EcGroup(self.curve, _affine(self.curve, mapped))

    def with_generator_point(self, x: int, y: int) -> EcGroup:
        return EcGroup(self.curve, PointJacobi(self.curve.curve, x, y, 1, self.order))

    def generator_bytes(self) -> bytes:
        return self.encode(self.generator)


def _affine(curve: ecdsa_curves.Curve, point: PointJacobi) -> PointJacobi:
    return PointJacobi(curve.curve, int(point.x()), int(point.y()), 1, int(curve.order))


@dataclass(frozen=True)
class DhGroup:
    p: int
    g: int
    q: int

    @property
    def element_size(self) -> int:
        return (self.p.bit_length() + 7) // 8

    def random_private(self) -> int:
        return secrets.randbelow(self.q - 1) + 1

    def encode(self, value: int) -> bytes:
        return value.to_bytes(self.element_size, "big")

    def decode(self, unverified: bytes) -> int:
        value = int.from_bytes(unverified, "big")
        if not 1 < value < self.p - 1 or pow(value, self.q, self.p) != 1:
            raise LdsFormatError("the chip's DH public value is not in the subgroup")
        return value

    def public(self, private: int) -> bytes:
        return self.encode(pow(self.g, private, self.p))

    def agree(self, private: int, unverified_peer: bytes) -> bytes:
        return self.encode(pow(self.decode(unverified_peer), private, self.p))

    def map_generic(self, nonce: int, private: int, unverified_peer: bytes) -> DhGroup:
        h = pow(self.decode(unverified_peer), private, self.p)
        return DhGroup(self.p, pow(self.g, nonce, self.p) * h % self.p, self.q)


def _hex(value: str) -> int:
    return int(value.replace(" ", ""), 16)


# RFC 5114 sections 2.1-2.3 (ICAO 9303-11 standardized domain parameters 0-2).
RFC5114_1024_160 = DhGroup(
    p=_hex(
        "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E"
        "2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738"
        "FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371"
    ),
    g=_hex(
        "A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F"
        "5504F213160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F53"
        "1DBF0A0169B6A28AD662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5"
    ),
    q=_hex("F518AA8781A8DF278ABA4E7D64B7CB9D49462353"),
)
RFC5114_2048_224 = DhGroup(
    p=_hex(
        "AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C40"
        "7BA1DF15EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B"
        "7AD5B7D0B6C12207C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130"
        "BC8985DB1602E714415D9330278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387"
        "315D75E198C641A480CD86A1B9E587E8BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF"
        "4BA80A29E3FB73C16B8E75B97EF363E2FFA31F71CF9DE5384E71B81C0AC4DFFE0C10E64F"
    ),
    g=_hex(
        "AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01"
        "A70C4AFAAB739D7700C29F52C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348B"
        "B8A762D0521BC98AE247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D119529A45"
        "D6F834566E3025E316A330EFBB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB10E183EDD19963DD"
        "D9E263E4770589EF6AA21E7F5F2FF381B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE"
        "9B6AA4BD7B5A0F1C71CFFF4C19C418E1F6EC017981BC087F2A7065B384B890D3191F2BFA"
    ),
    q=_hex("801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB"),
)
RFC5114_2048_256 = DhGroup(
    p=_hex(
        "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF45"
        "61B2AA3016C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C0"
        "22E0B1EF4275BF7B6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1"
        "CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E514056425"
        "1CCACB83E6B486F6B3CA3F7971506026C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375"
        "D7014103A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597"
    ),
    g=_hex(
        "3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4A"
        "AC0BB555BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2"
        "DDF463E5E9EC144B777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2"
        "767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9"
        "B7D2BBD2DF016199ECD06E1557CD0915B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D"
        "1DB246C32F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659"
    ),
    q=_hex("8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3"),
)

_CURVES: dict[int, ecdsa_curves.Curve] = {
    8: ecdsa_curves.NIST192p,
    9: ecdsa_curves.BRAINPOOLP192r1,
    10: ecdsa_curves.NIST224p,
    11: ecdsa_curves.BRAINPOOLP224r1,
    12: ecdsa_curves.NIST256p,
    13: ecdsa_curves.BRAINPOOLP256r1,
    14: ecdsa_curves.BRAINPOOLP320r1,
    15: ecdsa_curves.NIST384p,
    16: ecdsa_curves.BRAINPOOLP384r1,
    17: ecdsa_curves.BRAINPOOLP512r1,
    18: ecdsa_curves.NIST521p,
}
_DH_GROUPS: dict[int, DhGroup] = {0: RFC5114_1024_160, 1: RFC5114_2048_224, 2: RFC5114_2048_256}
STANDARD_PARAMETER_IDS = tuple(sorted(_CURVES.keys() | _DH_GROUPS.keys()))


def standard_group(parameter_id: int) -> EcGroup | DhGroup:
    """ICAO 9303-11 table of standardized domain parameters (9.5.1)."""
    if parameter_id in _CURVES:
        return EcGroup.standard(_CURVES[parameter_id])
    if parameter_id in _DH_GROUPS:
        return _DH_GROUPS[parameter_id]
    raise UnsupportedProtocolError(f"standardized domain parameters {parameter_id} are unknown")


def curve_by_name(name: str) -> ecdsa_curves.Curve:
    """The ecdsa curve for a cryptography curve name (secp256r1, brainpoolP256r1...)."""
    aliases = {
        "secp192r1": "NIST192p",
        "secp224r1": "NIST224p",
        "secp256r1": "NIST256p",
        "secp384r1": "NIST384p",
        "secp521r1": "NIST521p",
    }
    wanted = aliases.get(name, name).lower()
    for curve in ecdsa_curves.curves:
        if curve.name.lower() == wanted:
            return curve
    raise UnsupportedProtocolError(f"curve {name} is not supported")
