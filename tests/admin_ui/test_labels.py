"""Every code of the service that a page shows has words in both languages: rendering
its label never prints the raw value (``annual``, ``counter_staff``...), and the
Vietnamese words are not the English ones left untranslated."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import pytest

from admin_ui.labels import LABELS, timesheet_legend
from admin_ui.rendering import environment
from card_service.attendance.kinds import (
    CorrectionState,
    DayKind,
    DayStatus,
    LeaveType,
    OverrideKind,
)
from card_service.attendance.timesheet_codes import LEAVE_NAMES, LEGEND
from card_service.cards.models import CardState, TransitionReason
from card_service.cards.schemas import ReplaceReason, RevokeReason
from card_service.holders.bulk_import import RowAction
from card_service.holders.models import HolderKind
from card_service.orgunits.models import UnitKind
from card_service.readers.models import ReaderState
from card_service.service_usage.statistics import Dimension, Verification, Visit, summarise
from card_service.users.models import Role
from reader_agent import decision as reader_decision
from reader_protocol import policy
from reader_protocol.counter import LegalBasis
from reader_protocol.enrolment import ReaderMode
from reader_protocol.events import Decision, TapKind

ENUMS: dict[str, list[type[enum.Enum]]] = {
    "card_state": [CardState],
    "reason": [TransitionReason, RevokeReason, ReplaceReason],
    "reader_mode": [ReaderMode],
    "reader_state": [ReaderState],
    "role": [Role],
    "override_kind": [OverrideKind],
    "leave_type": [LeaveType],
    "day_status": [DayStatus],
    "day_kind": [DayKind],
    "correction_state": [CorrectionState],
    "decision": [Decision],
    "tap_kind": [TapKind],
    "unit_kind": [UnitKind],
    "holder_kind": [HolderKind],
    "stat_dimension": [Dimension],
    "verification": [Verification],
    "legal_basis": [LegalBasis],
    "import_action": [RowAction],
}
# Codes that are not enums: what readers write as a tap's reason, how the audit chain
# check says it broke, where a calendar day comes from, the statistics' group of visits
# that recorded no legal basis.
TAP_REASONS = sorted(
    {
        value
        for module in (policy, reader_decision)
        for name, value in vars(module).items()
        if name.isupper()
        and isinstance(value, str)
        and (name == "GRANTED" or "_" in value)
        and name not in {"LOCAL_ZONE"}
    }
)
UNRECORDED_BASIS = summarise(
    [Visit("C", "Q1", "S", datetime(2026, 11, 17, 2, 0, tzinfo=UTC), 60.0, legal_basis=None)],
    [Dimension.LEGAL_BASIS],
)[0].key[Dimension.LEGAL_BASIS.value]
CODES: dict[str, list[str]] = {
    "tap_reason": TAP_REASONS,
    "chain_break": ["edited", "deleted", "inserted", "reordered"],
    "calendar_source": ["national", "local"],
    "legal_basis": [UNRECORDED_BASIS],
}
CASES = [
    (kind, str(member.value))
    for kind, classes in ENUMS.items()
    for cls in classes
    for member in cls
] + [(kind, code) for kind, codes in CODES.items() for code in codes]


def _render(locale: str, kind: str, value: str) -> str:
    template = environment(locale).from_string("{{ _(label(kind, value)) }}")
    return template.render(kind=kind, value=value)


@pytest.mark.parametrize(("kind", "value"), CASES, ids=[f"{k}:{v}" for k, v in CASES])
def test_a_code_renders_as_words_in_both_languages(kind, value):
    english, vietnamese = _render("en", kind, value), _render("vi", kind, value)
    assert value in LABELS[kind], f"{kind} has no words for {value!r}"
    assert english != value
    assert vietnamese != value
    assert vietnamese != english, f"{kind}:{value} is not translated into Vietnamese"


def test_the_reason_codes_are_the_readers_own():
    assert "ok" in TAP_REASONS
    assert {"card_revoked", "outside_allowed_hours", "revocation_list_stale"} <= set(TAP_REASONS)


def test_the_timesheet_legend_names_every_symbol_in_both_languages():
    legend = dict(timesheet_legend())
    assert set(legend) == set(LEGEND)  # the console explains every symbol the service uses
    for locale, annual in (("vi", "Nghỉ phép năm"), ("en", "Annual leave")):
        env = environment(locale)
        words = {
            code: env.from_string("{{ _(m) }}").render(m=msgid) for code, msgid in legend.items()
        }
        assert words["P"] == annual
        assert not any(value in text for text in words.values() for value in LeaveType)


def test_the_services_own_legend_names_leave_in_vietnamese():
    assert set(LEAVE_NAMES) == set(LeaveType)
    assert LEGEND["P"] == "Nghỉ phép năm"
    assert LEGEND["TS"] == "Thai sản"
    assert not any(leave.value in text for text in LEGEND.values() for leave in LeaveType)
