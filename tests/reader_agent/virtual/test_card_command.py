"""``reader-agent virtual-card`` builds the card its options name."""

from __future__ import annotations

import argparse
from pathlib import Path

from reader_agent.virtual import card_command
from reader_agent.virtual.ping_card import PingCard
from reader_agent.virtual.piv_card import PivCard
from reader_agent.virtual.piv_state import MemoryStateStore


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    card_command.configure(parser)
    return parser.parse_args(argv)


def test_piv_is_the_default_kind_and_lives_in_memory_without_a_state() -> None:
    card = card_command.make_card(_parse())
    assert isinstance(card, PivCard)
    assert isinstance(card.store, MemoryStateStore)


def test_a_state_option_creates_and_reuses_the_file(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    first = card_command.make_card(_parse("--state", str(path)))
    again = card_command.make_card(_parse("--kind", "piv", "--state", str(path)))
    assert isinstance(first, PivCard)
    assert isinstance(again, PivCard)
    assert path.exists()
    assert first.state.card_uuid == again.state.card_uuid


def test_ping_is_still_available() -> None:
    assert isinstance(card_command.make_card(_parse("--kind", "ping")), PingCard)


def test_the_copied_certificate_misbehaviour_is_an_option() -> None:
    card = card_command.make_card(_parse("--sign-with-other-key"))
    assert isinstance(card, PivCard)
    assert card.options.sign_with_other_key
