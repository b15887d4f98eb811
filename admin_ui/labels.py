"""Words for the service's codes (states, reasons, modes...), marked for translation.

Templates show ``_(label("card_state", card.state))``; an unknown code shows as itself,
so a state added to the service later is visible, if untranslated, rather than hidden
(tests/admin_ui/test_labels.py fails when an enum has a member without words here).
"""

from __future__ import annotations

from admin_ui.i18n import N_
from card_service.attendance.timesheet_codes import LEAVE_CODES

LABELS: dict[str, dict[str, str]] = {
    "card_state": {
        "requested": N_("Requested"),
        "personalising": N_("Being issued"),
        "active": N_("Active"),
        "suspended": N_("Suspended"),
        "revoked": N_("Revoked"),
        "expired": N_("Expired"),
    },
    "reason": {
        "requested": N_("Requested"),
        "issuance_started": N_("Issuance started"),
        "issued": N_("Issued"),
        "issuance_cancelled": N_("Issuance cancelled"),
        "lost": N_("Lost"),
        "stolen": N_("Stolen"),
        "damaged": N_("Damaged"),
        "holder_left": N_("Holder left"),
        "suspended": N_("Suspended"),
        "resumed": N_("Resumed"),
        "administrative": N_("Administrative decision"),
        "expired": N_("Expired"),
    },
    "action": {
        "suspend": N_("Suspend"),
        "resume": N_("Resume"),
        "revoke": N_("Revoke"),
        "replace": N_("Replace"),
    },
    "holder_kind": {"staff": N_("Staff"), "citizen": N_("Citizen")},
    "reader_mode": {
        "door": N_("Door"),
        "attendance": N_("Attendance point"),
        "counter": N_("Service counter"),
        "issuance": N_("Issuance station"),
    },
    "reader_state": {
        "pending": N_("Waiting to enrol"),
        "active": N_("Active"),
        "deregistered": N_("Deregistered"),
    },
    "role": {
        "admin": N_("Administrator"),
        "hr": N_("HR officer"),
        "counter_staff": N_("Counter staff"),
        "auditor": N_("Auditor"),
    },
    "day_status": {
        "present": N_("Present"),
        "incomplete": N_("Incomplete"),
        "absent": N_("Absent"),
        "leave": N_("On leave"),
        "off": N_("Day off"),
    },
    "day_kind": {
        "workday": N_("Workday"),
        "rest_day": N_("Rest day"),
        "holiday": N_("Holiday"),
        "compensatory_workday": N_("Compensatory workday"),
    },
    "correction_state": {
        "pending": N_("Waiting for approval"),
        "approved": N_("In force"),
        "rejected": N_("Rejected"),
    },
    "decision": {"granted": N_("Granted"), "denied": N_("Denied")},
    # What readers write in a tap's reason (reader_protocol.policy, reader_agent.decision).
    "tap_reason": {
        "ok": N_("Checks passed"),
        "granted_emergency_stale_list": N_("Let in during an emergency, list too old"),
        "holder_not_allowed_here": N_("Not allowed at this door"),
        "holder_not_yet_valid": N_("Access not valid yet"),
        "holder_validity_ended": N_("Access has ended"),
        "outside_allowed_hours": N_("Outside the allowed hours"),
        "closed_on_holiday": N_("Closed on a holiday"),
        "card_unreadable": N_("Card could not be read"),
        "card_unknown": N_("Card not recognised"),
        "certificate_invalid": N_("Card certificate invalid"),
        "issuer_unknown": N_("Card from an unknown issuer"),
        "issuer_distrusted": N_("Card from an issuer no longer trusted"),
        "card_expired": N_("Card expired"),
        "card_not_yet_valid": N_("Card not valid yet"),
        "card_revoked": N_("Card revoked"),
        "card_suspended": N_("Card suspended"),
        "revocation_list_stale": N_("Reader's revocation list too old"),
        "revocation_list_missing": N_("Reader has no revocation list"),
        "signature_invalid": N_("Card failed the authentication check"),
        "challenge_expired": N_("Card answered too slowly"),
        "reader_not_configured": N_("Reader not configured"),
        "reader_error": N_("Reader error"),
    },
    "override_kind": {"holiday": N_("Day off"), "workday": N_("Working day")},
    "leave_type": {
        "annual": N_("Annual leave"),
        "sick": N_("Sick leave"),
        "maternity": N_("Maternity leave"),
        "business_trip": N_("Business trip"),
        "unpaid": N_("Unpaid leave"),
        "other": N_("Paid personal leave"),
    },
    "tap_kind": {
        "door": N_("Door"),
        "attendance_in": N_("Check-in"),
        "attendance_out": N_("Check-out"),
        "attendance": N_("Attendance"),
        "counter_sign_in": N_("Counter sign-in"),
        "counter_sign_out": N_("Counter sign-out"),
        "issuance": N_("Issuance"),
    },
    # Service-centre statistics: what the visits are grouped by.
    "stat_dimension": {
        "centre": N_("Centre"),
        "counter": N_("Counter"),
        "service": N_("Service"),
        "day": N_("Day"),
        "hour": N_("Hour"),
        "verification": N_("Document check"),
        "legal_basis": N_("Legal basis"),
    },
    # How the audit chain check found it broken (crypto.errors.AuditChainBrokenError.kind).
    "chain_break": {
        "edited": N_("an entry was changed"),
        "deleted": N_("an entry is missing"),
        "inserted": N_("an entry was inserted"),
        "reordered": N_("entries are out of order"),
    },
    "calendar_source": {"national": N_("National"), "local": N_("Local")},
    "unit_kind": {
        "province": N_("Province"),
        "agency": N_("Agency"),
        "department": N_("Department"),
        "service_centre": N_("Service centre"),
        "counter": N_("Counter"),
    },
    "import_action": {
        "create": N_("New"),
        "update": N_("Update"),
        "unchanged": N_("Unchanged"),
        "error": N_("Error"),
    },
    # How a counter visit's citizen was checked (service_usage.statistics.Verification).
    "verification": {
        "chip_verified": N_("Chip verified"),
        "chip_refused": N_("Chip refused, paper checked by hand"),
        "not_read": N_("No chip read"),
    },
    # Why the citizen's data could be processed (reader_protocol.counter.LegalBasis);
    # "unrecorded" is what the statistics call a visit that recorded none.
    "legal_basis": {
        "consent": N_("Consent of the citizen"),
        "legal_obligation": N_("Legal obligation"),
        "public_task": N_("Public task"),
        "unrecorded": N_("Not recorded"),
    },
    "weekday": {
        "0": N_("Monday"),
        "1": N_("Tuesday"),
        "2": N_("Wednesday"),
        "3": N_("Thursday"),
        "4": N_("Friday"),
        "5": N_("Saturday"),
        "6": N_("Sunday"),
    },
}


# The timesheet's day symbols (card_service.attendance.timesheet_codes), in words. The
# service leaves a day without a symbol empty (a weekly rest day, or one not reached
# yet); the sheet and its legend both show that as REST_SYMBOL, so the two agree.
REST_SYMBOL = "·"
_SHEET_SYMBOLS = {
    "X": N_("Present (full day)"),
    "KR": N_("Check-in or check-out missing"),
    "V": N_("Absent without leave"),
    "L": N_("Public holiday or Tết"),
    "T": N_("Worked on a day off"),
    "": N_("Weekly rest day, or not reached yet"),
}


def timesheet_legend() -> list[tuple[str, str]]:
    """(symbol, msgid) for every symbol a timesheet cell can hold, leave kinds included."""
    leave = [(code, label("leave_type", leave_type)) for leave_type, code in LEAVE_CODES.items()]
    return [*_SHEET_SYMBOLS.items(), *leave]


def sheet_symbol(code: str) -> str:
    """What a timesheet cell (and the legend) shows for the service's day ``code``."""
    return code or REST_SYMBOL


def label(kind: str, value: object) -> str:
    """The msgid for ``value`` of ``kind`` (enum members read as their value)."""
    code = str(getattr(value, "value", value))
    return LABELS.get(kind, {}).get(code, code)
