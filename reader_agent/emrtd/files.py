"""Selecting and reading the chip's elementary files (ICAO 9303-10 and -11).

EF.CardAccess is read by short EF identifier without selecting the master file:
Vietnamese CCCD chips refuse SELECT MF. LDS files are selected by file identifier
inside the eMRTD application and read in chunks; offsets past 32767 use the odd
READ BINARY (B1) with the offset in DO 54.
"""

from __future__ import annotations

import enum

from reader_agent.connection import Connection
from reader_agent.emrtd.errors import LdsFormatError
from reader_agent.errors import CardStatusError, MalformedResponseError
from reader_agent.iso7816.apdu import CommandApdu
from reader_agent.iso7816.status import SW, ResponseApdu
from reader_agent.iso7816.tlv import encode_tlv, parse_one
from reader_agent.iso7816.transport import exchange

EMRTD_AID = bytes.fromhex("A0000002471001")
INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
INS_READ_BINARY_ODD = 0xB1
MAX_EVEN_OFFSET = 0x7FFF
SHORT_EF_FLAG = 0x80
SW_END_OF_FILE = 0x6282
# 223 data bytes keep a protected short response (padding, DO87/99/8E) under 256 bytes.
SHORT_CHUNK = 0xDF
EXTENDED_CHUNK = 0x1000
HEADER_PROBE = 4
MAX_FILE_SIZE = 0x10000 * 4  # no LDS file comes near this; a larger claim is a lie


class Ef(enum.IntEnum):
    """File identifiers; the low byte of LDS files is also their short EF identifier."""

    CARD_ACCESS = 0x011C
    CARD_SECURITY = 0x011D
    COM = 0x011E
    SOD = 0x011D
    DG1 = 0x0101
    DG2 = 0x0102
    DG11 = 0x010B
    DG12 = 0x010C
    DG13 = 0x010D
    DG14 = 0x010E
    DG15 = 0x010F


def data_group_fid(number: int) -> int:
    if not 1 <= number <= 16:  # noqa: PLR2004
        raise ValueError("data groups are numbered 1-16")
    return 0x0100 + number


def select_application(connection: Connection) -> None:
    answer = exchange(connection, CommandApdu(0x00, INS_SELECT, 0x04, 0x0C, EMRTD_AID))
    answer.require_success()


def select_file(connection: Connection, fid: int) -> None:
    command = CommandApdu(0x00, INS_SELECT, 0x02, 0x0C, fid.to_bytes(2, "big"))
    exchange(connection, command).require_success()


def read_card_access(connection: Connection) -> bytes | None:
    """EF.CardAccess by short EF identifier, or None when the chip has none (no PACE)."""
    sfi = Ef.CARD_ACCESS & 0x1F
    try:
        return _read_selected(connection, first_p1=SHORT_EF_FLAG | sfi, chunk=SHORT_CHUNK)
    except CardStatusError as exc:
        if exc.sw in (
            SW.FILE_NOT_FOUND,
            SW.SECURITY_STATUS_NOT_SATISFIED,
            SW.WRONG_P1P2,
            SW.INCORRECT_P1P2,
            SW.FUNCTION_NOT_SUPPORTED,
            SW.INS_NOT_SUPPORTED,
        ):
            return None
        raise


def read_file(connection: Connection, fid: int, *, extended_length: bool = False) -> bytes:
    """Select an EF by identifier and read all of it (its length from its own TLV header)."""
    select_file(connection, fid)
    chunk = EXTENDED_CHUNK if extended_length else SHORT_CHUNK
    return _read_selected(connection, first_p1=None, chunk=chunk)


def _read_selected(connection: Connection, *, first_p1: int | None, chunk: int) -> bytes:
    # The first read may address the file by short EF identifier (P1 = 80 | SFI).
    head = _read(connection, 0, HEADER_PROBE, sfi_p1=first_p1)
    total = _tlv_total_length(head)
    data = bytearray(head[:total])
    while len(data) < total:
        part = _read(connection, len(data), min(chunk, total - len(data)), sfi_p1=None)
        if not part:
            raise LdsFormatError("the chip returned no data before the end of the file")
        data.extend(part)
    return bytes(data[:total])


def _read(connection: Connection, offset: int, length: int, *, sfi_p1: int | None) -> bytes:
    if sfi_p1 is not None:
        answer = exchange(connection, CommandApdu(0x00, INS_READ_BINARY, sfi_p1, 0, le=length))
    elif offset <= MAX_EVEN_OFFSET:
        p1, p2 = offset >> 8, offset & 0xFF
        answer = exchange(connection, CommandApdu(0x00, INS_READ_BINARY, p1, p2, le=length))
    else:
        offset_do = encode_tlv(0x54, offset.to_bytes(3 if offset > 0xFFFF else 2, "big"))  # noqa: PLR2004
        # The answer wraps the data in DO 53, so ask for a few bytes more.
        answer = exchange(
            connection,
            CommandApdu(0x00, INS_READ_BINARY_ODD, 0, 0, offset_do, le=min(length + 4, 0x10000)),
            extended=length + 4 > 256,  # noqa: PLR2004
        )
        return _unwrap_odd(answer)
    if answer.sw not in (SW.SUCCESS, SW_END_OF_FILE):
        raise CardStatusError(answer.sw, f"READ BINARY at {offset} refused ({answer.sw:04X})")
    return answer.data


def _unwrap_odd(answer: ResponseApdu) -> bytes:
    if answer.sw not in (SW.SUCCESS, SW_END_OF_FILE):
        raise CardStatusError(answer.sw, f"READ BINARY (B1) refused ({answer.sw:04X})")
    try:
        return parse_one(answer.data, expected_tag=0x53).value
    except MalformedResponseError as exc:
        raise LdsFormatError(f"odd READ BINARY answer does not parse: {exc}") from exc


def _tlv_total_length(head: bytes) -> int:
    """Tag + length + value size announced by a file's first bytes."""
    if len(head) < 2:  # noqa: PLR2004
        raise LdsFormatError("file too short for a TLV header")
    offset = 1
    if head[0] & 0x1F == 0x1F:  # noqa: PLR2004 - two-byte tag (5F.., 7F..)
        offset = 2
    if offset >= len(head):
        raise LdsFormatError("file header truncated")
    first = head[offset]
    if first < 0x80:  # noqa: PLR2004
        return offset + 1 + first
    count = first & 0x7F
    if count == 0 or count > 3 or offset + 1 + count > len(head):  # noqa: PLR2004
        raise LdsFormatError("file length field is not supported")
    length = int.from_bytes(head[offset + 1 : offset + 1 + count], "big")
    total = offset + 1 + count + length
    if total > MAX_FILE_SIZE:
        raise LdsFormatError(f"file claims {total} bytes")
    return total
