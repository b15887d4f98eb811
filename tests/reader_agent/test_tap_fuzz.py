"""A hostile or broken card at the door: whatever it answers (fuzzed status words, TLV
lengths, response chaining, truncations, a genuine transcript with one answer
mangled), the tap is denied with a reason, recorded, and the reader does not crash."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader_agent.errors import NoCardError
from reader_agent.iso7816.tlv import encode_tlv
from reader_protocol.events import Decision
from tests.reader_agent.world import World


class RecordingCard:
    """Passes commands to a genuine card and keeps its answers (the transcript)."""

    def __init__(self, inner: Callable[[bytes], bytes]) -> None:
        self._inner = inner
        self.answers: list[bytes] = []

    def transmit(self, apdu: bytes) -> bytes:
        answer = self._inner(apdu)
        self.answers.append(answer)
        return answer


class ScriptedCard:
    """Answers the n-th command with the n-th scripted answer; then is gone."""

    def __init__(self, answers: list[bytes]) -> None:
        self._answers = list(answers)

    def transmit(self, apdu: bytes) -> bytes:
        del apdu
        if not self._answers:
            raise NoCardError("card removed")
        return self._answers.pop(0)


_PIV_TAGS = [0x61, 0x4F, 0x79, 0x50, 0xAC, 0x53, 0x70, 0x71, 0xFE, 0x7C, 0x82, 0x81, 0x80]
_status_words = st.one_of(
    st.just(0x9000),
    st.integers(0x6100, 0x61FF),  # "more data": chaining that may never end
    st.integers(0x6C00, 0x6CFF),
    st.sampled_from([0x6A82, 0x6982, 0x6A80, 0x6A86, 0x6A88, 0x6D00, 0x6700, 0x6F00]),
    st.integers(0, 0xFFFF),
)


def _tlv(depth: int) -> st.SearchStrategy[bytes]:
    leaf = st.builds(encode_tlv, st.sampled_from(_PIV_TAGS), st.binary(max_size=80))
    if depth == 0:
        return leaf
    return leaf | st.builds(
        encode_tlv,
        st.sampled_from(_PIV_TAGS),
        st.lists(_tlv(depth - 1), max_size=3).map(b"".join),
    )


_random_answer = st.one_of(
    st.builds(lambda data, sw: data + sw.to_bytes(2, "big"), _tlv(2), _status_words),
    st.builds(
        lambda data, sw: data + sw.to_bytes(2, "big"), st.binary(max_size=300), _status_words
    ),
    st.binary(max_size=3),
)


@st.composite
def _mangled(draw: st.DrawFn, transcript: list[bytes]) -> list[bytes]:
    """The genuine transcript with one answer broken in one way."""
    answers = list(transcript)
    index = draw(st.integers(0, len(answers) - 1))
    answer = answers[index]
    how = draw(st.sampled_from(["sw", "truncate", "flip", "length", "chain", "replace"]))
    if how == "sw":
        answer = answer[:-2] + draw(_status_words).to_bytes(2, "big")
    elif how == "truncate":
        answer = answer[: draw(st.integers(0, max(0, len(answer) - 1)))]
    elif how == "flip" and len(answer) > 2:
        at = draw(st.integers(0, len(answer) - 3))
        answer = answer[:at] + bytes((answer[at] ^ draw(st.integers(1, 255)),)) + answer[at + 1 :]
    elif how == "length" and len(answer) > 3:
        answer = answer[:1] + bytes((draw(st.integers(0, 255)),)) + answer[2:]
    elif how == "chain":
        answer = answer[:-2] + bytes((0x61, draw(st.integers(0, 255))))
    else:
        answer = draw(_random_answer)
    answers[index] = answer
    return answers[: draw(st.integers(1, len(answers)))] if how == "truncate" else answers


def _assert_denied_and_recorded(world: World, before: int) -> None:
    pending = world.outbox.pending(1000)
    assert len(pending) == before + 1  # decided and recorded, even when refused
    assert pending[-1].draft.decision is Decision.DENIED
    assert world.door.releases == [world.door.releases[0]]  # only the genuine tap opened


def test_malformed_answers_are_denied_without_a_crash(tmp_path, door_pki):
    card = door_pki.personalise()
    world = World.build(tmp_path, door_pki, holders={card.holder_id: "An"})
    recording = RecordingCard(card.connection().transmit)
    assert world.tap(recording).decision.granted
    transcript = recording.answers

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(script=st.one_of(_mangled(transcript), st.lists(_random_answer, max_size=6)))
    def one(script: list[bytes]) -> None:
        before = len(world.outbox.pending(1000))
        world.later(3600)  # outside the debounce window: every example is a new tap
        result = world.tap(ScriptedCard(script))
        assert not result.decision.granted
        assert result.decision.reason
        _assert_denied_and_recorded(world, before)

    one()


def test_endless_response_chaining_is_denied(tmp_path, door_pki):
    world = World.build(tmp_path, door_pki, holders={})
    result = world.tap(ScriptedCard([b"\x00" * 256 + b"\x61\x00"] * 1000))
    assert (result.decision.granted, result.decision.reason) == (False, "card_unreadable")
