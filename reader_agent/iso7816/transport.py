"""Sending commands over a ``Connection``: chaining, GET RESPONSE and wrong-Le retries."""

from __future__ import annotations

from reader_agent.connection import Connection
from reader_agent.errors import MalformedResponseError
from reader_agent.iso7816.apdu import SHORT_MAX_DATA, SHORT_MAX_LE, CommandApdu
from reader_agent.iso7816.status import SW, SW1_MORE_DATA, SW1_WRONG_LE, ResponseApdu

INS_GET_RESPONSE = 0xC0
# A card that keeps saying "more data" forever must not hang the reader.
MAX_RESPONSE_BYTES = 64 * 1024
MAX_GET_RESPONSE_ROUNDS = 512


def exchange(
    connection: Connection, command: CommandApdu, *, extended: bool = False
) -> ResponseApdu:
    """Send ``command`` and return the complete response.

    Long command data is sent as a command chain (or one extended APDU when
    ``extended``); 61XX answers are followed with GET RESPONSE until the card is done;
    a 6CXX answer is retried once with the Le the card asked for.
    """
    if extended:
        response = _send(connection, command, extended=True)
    else:
        parts = command.chained(block_size=SHORT_MAX_DATA)
        for part in parts[:-1]:
            intermediate = _send(connection, part)
            if intermediate.sw != SW.SUCCESS:
                return intermediate
        response = _send(connection, parts[-1])
    if response.sw >> 8 == SW1_WRONG_LE:
        retry_le = response.sw & 0xFF or SHORT_MAX_LE
        last = command.chained()[-1] if not extended else command
        response = _send(
            connection,
            CommandApdu(last.cla, last.ins, last.p1, last.p2, last.data, retry_le),
            extended=extended,
        )
    return _collect(connection, command.cla, response)


def _collect(connection: Connection, cla: int, first: ResponseApdu) -> ResponseApdu:
    data = bytearray(first.data)
    response = first
    rounds = 0
    while response.sw >> 8 == SW1_MORE_DATA:
        rounds += 1
        if rounds > MAX_GET_RESPONSE_ROUNDS or len(data) > MAX_RESPONSE_BYTES:
            raise MalformedResponseError("card keeps offering more response data")
        le = response.sw & 0xFF or SHORT_MAX_LE
        response = _send(connection, CommandApdu(cla & 0x0F, INS_GET_RESPONSE, 0, 0, le=le))
        data.extend(response.data)
    return ResponseApdu(data=bytes(data), sw=response.sw)


def _send(connection: Connection, command: CommandApdu, *, extended: bool = False) -> ResponseApdu:
    return ResponseApdu.parse(connection.transmit(command.encode(extended=extended or None)))
