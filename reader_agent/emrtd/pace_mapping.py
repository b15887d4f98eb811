"""PACE Integrated Mapping (ICAO 9303-11 4.4.3.3.2 and Appendix B).

Both sides turn the nonces s (chip, encrypted) and t (terminal, in clear) into a
pseudo-random number R(s, t) with the block cipher, then map it onto the group: for
MODP groups x^((p-1)/q), for curves the point encoding of Appendix B (affine form,
curves with p = 3 mod 4). Only AES-128, whose constants the standard gives for
l = 128, is implemented; other ciphers raise UnsupportedProtocolError.
"""

from __future__ import annotations

from reader_agent.emrtd.errors import UnsupportedProtocolError
from reader_agent.emrtd.groups import DhGroup, EcGroup
from reader_agent.emrtd.keys.cipher import aes_cbc

# The standard's constants c0 and c1 for l = 128 (AES).
_C0 = bytes.fromhex("a668892a7c41e3ca739f40b057d85904")
_C1 = bytes.fromhex("a4e136ac725f738b01c1f60217c188ad")
_AES128_KEY = 16
_P_MOD_4 = 3


def pseudo_random(s: bytes, t: bytes, p_bits: int) -> int:
    """R(s, t) from the AES-based pseudo-random function, as an integer."""
    if len(s) != _AES128_KEY or len(t) != _AES128_KEY:
        raise UnsupportedProtocolError("integrated mapping is implemented for AES-128 only")
    rounds = -(-(p_bits + 64) // (8 * len(s)))
    key = aes_cbc(t, s, encrypt=True)
    out = b""
    for _ in range(rounds):
        key_i = key[:_AES128_KEY]
        key = aes_cbc(key_i, _C0, encrypt=True)
        out += aes_cbc(key_i, _C1, encrypt=True)
    return int.from_bytes(out, "big")


def map_dh(group: DhGroup, s: bytes, t: bytes) -> DhGroup:
    r = pseudo_random(s, t, group.p.bit_length()) % group.p
    generator = pow(r, (group.p - 1) // group.q, group.p)
    if generator == 1:  # pragma: no cover - probability about 2^-160
        raise UnsupportedProtocolError("integrated mapping produced the identity")
    return DhGroup(group.p, generator, group.q)


def map_ec(group: EcGroup, s: bytes, t: bytes) -> EcGroup:
    field = group.curve.curve
    p, a, b = int(field.p()), int(field.a()), int(field.b())
    if p % 4 != _P_MOD_4:
        raise UnsupportedProtocolError("integrated mapping needs a curve with p = 3 mod 4")
    r = pseudo_random(s, t, p.bit_length()) % p
    x, y = _encode_point(r, p, a, b)
    return group.with_generator_point(x, y)


def _encode_point(t: int, p: int, a: int, b: int) -> tuple[int, int]:
    """Appendix B.2: the affine point encoding f_G for p = 3 mod 4 (cofactor 1)."""
    alpha = -(t * t) % p
    alpha_sum = (alpha + alpha * alpha) % p
    x2 = (-b * (1 + alpha_sum) * pow(a * alpha_sum % p, p - 2, p)) % p
    x3 = alpha * x2 % p
    h2 = (pow(x2, 3, p) + a * x2 + b) % p
    u = pow(t, 3, p) * h2 % p
    big_a = pow(h2, p - 1 - (p + 1) // 4, p)
    if big_a * big_a * h2 % p == 1:
        return x2, big_a * h2 % p
    return x3, big_a * u % p
