"""Command APDUs: short and extended encodings, and command chaining."""

from __future__ import annotations

from dataclasses import dataclass, replace

SHORT_MAX_DATA = 255
SHORT_MAX_LE = 256
EXTENDED_MAX_DATA = 65535
EXTENDED_MAX_LE = 65536
CLA_CHAINING_BIT = 0x10


@dataclass(frozen=True)
class CommandApdu:
    """One command. ``le`` is the expected response length (None: no response data
    expected; 256 short / 65536 extended means "as much as there is")."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None

    def __post_init__(self) -> None:
        for name in ("cla", "ins", "p1", "p2"):
            value = getattr(self, name)
            if not 0 <= value <= 0xFF:  # noqa: PLR2004
                raise ValueError(f"{name} must be one byte, got {value}")
        if len(self.data) > EXTENDED_MAX_DATA:
            raise ValueError(f"command data of {len(self.data)} bytes exceeds 65535")
        if self.le is not None and not 0 < self.le <= EXTENDED_MAX_LE:
            raise ValueError(f"Le must be 1..65536, got {self.le}")

    @property
    def needs_extended(self) -> bool:
        return len(self.data) > SHORT_MAX_DATA or (self.le or 0) > SHORT_MAX_LE

    def encode(self, *, extended: bool | None = None) -> bytes:
        """ISO 7816-4 cases 1-4, short unless the sizes (or ``extended=True``) need more."""
        use_extended = self.needs_extended if extended is None else extended
        header = bytes((self.cla, self.ins, self.p1, self.p2))
        if not use_extended:
            if self.needs_extended:
                raise ValueError("command does not fit a short APDU")
            body = b""
            if self.data:
                body += bytes((len(self.data),)) + self.data
            if self.le is not None:
                body += bytes((self.le % SHORT_MAX_LE,))
            return header + body
        body = b""
        if self.data:
            body += b"\x00" + len(self.data).to_bytes(2, "big") + self.data
        if self.le is not None:
            le_field = (self.le % EXTENDED_MAX_LE).to_bytes(2, "big")
            body += le_field if self.data else b"\x00" + le_field
        return header + body

    def chained(self, *, block_size: int = SHORT_MAX_DATA) -> list[CommandApdu]:
        """Split into a command chain (CLA bit 5 set on all but the last)."""
        if len(self.data) <= block_size:
            return [self]
        blocks = [self.data[i : i + block_size] for i in range(0, len(self.data), block_size)]
        chain = [
            replace(self, cla=self.cla | CLA_CHAINING_BIT, data=block, le=None)
            for block in blocks[:-1]
        ]
        chain.append(replace(self, data=blocks[-1]))
        return chain


def parse_command(raw: bytes) -> CommandApdu:
    """Decode a command APDU (the card side of ``encode``). Raises ValueError."""
    if len(raw) < 4:  # noqa: PLR2004
        raise ValueError("a command APDU has at least 4 bytes")
    cla, ins, p1, p2 = raw[:4]
    body = raw[4:]
    if not body:
        return CommandApdu(cla, ins, p1, p2)
    if len(body) == 1:
        return CommandApdu(cla, ins, p1, p2, le=body[0] or SHORT_MAX_LE)
    if body[0] != 0:
        lc = body[0]
        if len(body) == 1 + lc:
            return CommandApdu(cla, ins, p1, p2, data=bytes(body[1:]))
        if len(body) == 2 + lc:
            return CommandApdu(
                cla, ins, p1, p2, data=bytes(body[1:-1]), le=body[-1] or SHORT_MAX_LE
            )
        raise ValueError("short APDU length fields do not match its size")
    # Extended: first body byte is 00.
    if len(body) == 3:  # noqa: PLR2004 - case 2E
        return CommandApdu(cla, ins, p1, p2, le=int.from_bytes(body[1:3], "big") or EXTENDED_MAX_LE)
    lc = int.from_bytes(body[1:3], "big")
    if lc == 0:
        raise ValueError("extended Lc of zero")
    data = bytes(body[3 : 3 + lc])
    rest = body[3 + lc :]
    if len(data) != lc or len(rest) not in (0, 2):
        raise ValueError("extended APDU length fields do not match its size")
    le = (int.from_bytes(rest, "big") or EXTENDED_MAX_LE) if rest else None
    return CommandApdu(cla, ins, p1, p2, data=data, le=le)
