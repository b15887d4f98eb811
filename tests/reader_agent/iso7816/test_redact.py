from __future__ import annotations

from reader_agent.iso7816.redact import loggable_command


def test_pin_bearing_commands_lose_their_data() -> None:
    verify = bytes.fromhex("0020008008313233343536FFFF")
    line = loggable_command(verify)
    assert "3132333435" not in line
    assert line.startswith("00200080")
    change = bytes.fromhex("002400801031323334353637383132333435363738")
    assert "31323334" not in loggable_command(change)
    reset = bytes.fromhex("002C00801031323334353637383132333435363738")
    assert "31323334" not in loggable_command(reset)


def test_other_commands_are_logged_whole() -> None:
    get_data = bytes.fromhex("00CB3FFF055C035FC10100")
    assert loggable_command(get_data) == get_data.hex()
    assert loggable_command(bytes.fromhex("00200080")) == "00200080"  # empty VERIFY
