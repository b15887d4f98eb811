"""APDUs as they may appear in logs: the data of PIN-bearing commands masked.

VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER carry PINs and PUKs in their
data field; a log line shows their header and length only.
"""

from __future__ import annotations

# APDU traffic is logged below DEBUG, at this level (named TRACE by the CLI): it is
# voluminous and, PINs masked or not, says what is on a card.
APDU_LOG_LEVEL = 5

_INS_VERIFY = 0x20
_INS_CHANGE_REFERENCE_DATA = 0x24
_INS_RESET_RETRY_COUNTER = 0x2C
SECRET_BEARING_INSTRUCTIONS = frozenset(
    {_INS_VERIFY, _INS_CHANGE_REFERENCE_DATA, _INS_RESET_RETRY_COUNTER}
)
_HEADER = 4


def loggable_command(apdu: bytes) -> str:
    """Hex of a command APDU, with the body of secret-bearing instructions replaced."""
    if len(apdu) > _HEADER and apdu[1] in SECRET_BEARING_INSTRUCTIONS:
        return f"{apdu[:_HEADER].hex()} <{len(apdu) - _HEADER} bytes redacted>"
    return apdu.hex()
