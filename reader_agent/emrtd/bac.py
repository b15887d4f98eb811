"""Basic Access Control (ICAO 9303-11 section 4.3): the passport fallback when PACE is absent.

GET CHALLENGE, then EXTERNAL AUTHENTICATE with E_IFD || M_IFD; the chip answers with
E_IC || M_IC, and both derive 3DES session keys from K_IFD xor K_IC. Randomness is a
parameter so the worked example of Appendix D replays byte for byte.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable

from reader_agent.connection import Connection
from reader_agent.emrtd.errors import AccessControlError
from reader_agent.emrtd.keys.access import MrzKey
from reader_agent.emrtd.keys.cipher import DES_BLOCK, CipherSuite, pad
from reader_agent.emrtd.keys.kdf import COUNTER_ENC, COUNTER_MAC, KeyKind, kdf
from reader_agent.emrtd.secure_messaging import SecureMessaging
from reader_agent.iso7816.apdu import CommandApdu
from reader_agent.iso7816.status import SW
from reader_agent.iso7816.transport import exchange

INS_GET_CHALLENGE = 0x84
INS_EXTERNAL_AUTHENTICATE = 0x82
RANDOM_LENGTH = 8
KEY_LENGTH = 16
AUTH_DATA_LENGTH = 40  # 32 bytes cryptogram + 8 bytes MAC

DES3 = CipherSuite(KeyKind.DES3)

RandomSource = Callable[[int], bytes]


def document_basic_access_keys(key: MrzKey) -> tuple[bytes, bytes]:
    seed = key.bac_seed()
    return kdf(seed, COUNTER_ENC, KeyKind.DES3), kdf(seed, COUNTER_MAC, KeyKind.DES3)


def session_from_seed(seed: bytes, rnd_ic: bytes, rnd_ifd: bytes) -> SecureMessaging:
    """3DES session keys from K_IFD xor K_IC; SSC = last 4 bytes of RND.IC || of RND.IFD."""
    ssc = int.from_bytes(rnd_ic[-4:] + rnd_ifd[-4:], "big")
    return SecureMessaging(
        DES3, kdf(seed, COUNTER_ENC, KeyKind.DES3), kdf(seed, COUNTER_MAC, KeyKind.DES3), ssc
    )


def perform_bac(
    connection: Connection, key: MrzKey, *, random: RandomSource = os.urandom
) -> SecureMessaging:
    """Run BAC; return the secure-messaging session or raise AccessControlError."""
    k_enc, k_mac = document_basic_access_keys(key)
    challenge = exchange(connection, CommandApdu(0x00, INS_GET_CHALLENGE, 0, 0, le=RANDOM_LENGTH))
    if challenge.sw != SW.SUCCESS or len(challenge.data) != RANDOM_LENGTH:
        raise AccessControlError(f"BAC GET CHALLENGE refused ({challenge.sw:04X})")
    rnd_ic = challenge.data
    rnd_ifd = random(RANDOM_LENGTH)
    k_ifd = random(KEY_LENGTH)
    e_ifd = DES3.encrypt(k_enc, rnd_ifd + rnd_ic + k_ifd)
    m_ifd = DES3.mac(k_mac, pad(e_ifd, DES_BLOCK))
    answer = exchange(
        connection,
        CommandApdu(0x00, INS_EXTERNAL_AUTHENTICATE, 0, 0, e_ifd + m_ifd, le=AUTH_DATA_LENGTH),
    )
    if answer.sw != SW.SUCCESS:
        raise AccessControlError(
            f"the chip refused BAC ({answer.sw:04X}): check the MRZ (document number, "
            "date of birth, date of expiry)"
        )
    if len(answer.data) != AUTH_DATA_LENGTH:
        raise AccessControlError("BAC answer has the wrong length")
    e_ic, m_ic = answer.data[:32], answer.data[32:]
    if not hmac.compare_digest(DES3.mac(k_mac, pad(e_ic, DES_BLOCK)), m_ic):
        raise AccessControlError("BAC answer MAC does not verify")
    r = DES3.decrypt(k_enc, e_ic)
    if not hmac.compare_digest(r[:8], rnd_ic) or not hmac.compare_digest(r[8:16], rnd_ifd):
        raise AccessControlError("BAC answer does not echo our challenge")
    k_ic = r[16:32]
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
    return session_from_seed(seed, rnd_ic, rnd_ifd)
