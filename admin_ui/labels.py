"""Words for the service's codes (states, reasons, modes...), marked for translation.

Templates show ``_(label("card_state", card.state))``; an unknown code shows as itself,
so a state added to the service later is visible, if untranslated, rather than hidden.
"""

from __future__ import annotations

from admin_ui.i18n import N_

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
    "override_kind": {"holiday": N_("Day off"), "workday": N_("Working day")},
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


def label(kind: str, value: object) -> str:
    """The msgid for ``value`` of ``kind`` (enum members read as their value)."""
    code = str(getattr(value, "value", value))
    return LABELS.get(kind, {}).get(code, code)
