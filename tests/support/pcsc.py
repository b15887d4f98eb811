"""The real PC/SC stack for tests (the launcher itself lives in reader_agent.virtual)."""

from reader_agent.virtual.launcher import (
    exclusive_slot,
    pcscd_with_vpcd_available,
    virtual_card_process,
    vpcd_reader_name,
)

__all__ = [
    "exclusive_slot",
    "pcscd_with_vpcd_available",
    "virtual_card_process",
    "vpcd_reader_name",
]
