"""Turning submitted forms into the service's schemas, and failures into messages
shown next to the field they concern (or at the top of the form)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel.support import Translations
from pydantic import ValidationError
from starlette.datastructures import FormData

from admin_ui.i18n import N_, Msg
from card_service.errors import CardServiceError

FORM_LEVEL = "__form__"

# Pydantic's error types, in words an officer understands.
_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "string_too_short": N_("Too short."),
    "string_too_long": N_("Too long."),
    "string_pattern_mismatch": N_("Not in the expected format."),
    "value_error": N_("This value is not valid."),
    "uuid_parsing": N_("Choose a value from the list."),
    "uuid_type": N_("Choose a value from the list."),
    "enum": N_("Choose a value from the list."),
    "literal_error": N_("Choose a value from the list."),
    "date_parsing": N_("Enter a date as day/month/year."),
    "date_from_datetime_parsing": N_("Enter a date as day/month/year."),
    "datetime_parsing": N_("Enter a valid date and time."),
    "time_parsing": N_("Enter a time as hh:mm."),
    "int_parsing": N_("Enter a whole number."),
    "greater_than_equal": N_("The number is too small."),
    "less_than_equal": N_("The number is too large."),
    "greater_than": N_("The number is too small."),
    "list_too_short": N_("Add at least one."),
    "extra_forbidden": N_("This field is not accepted."),
}
_EMAIL_HINT = "email"

# Domain errors by stable code: the message, and the field it belongs to (if any).
_DOMAIN_MESSAGES: dict[str, tuple[str, str]] = {
    "staff_number_taken": ("staff_number", N_("This staff number is already used.")),
    "unit_not_found": ("unit_id", N_("Unknown unit, or not one you manage.")),
    "holder_not_found": (FORM_LEVEL, N_("No such holder in your units.")),
    "holder_inactive": (FORM_LEVEL, N_("The holder is deactivated.")),
    "card_not_found": (FORM_LEVEL, N_("No such card in your units.")),
    "illegal_card_transition": (
        FORM_LEVEL,
        N_("This change is not allowed in the card's current state."),
    ),
    "active_card_exists": (
        FORM_LEVEL,
        N_("The holder already has an active card; suspend or revoke it first."),
    ),
    "concurrent_update": (FORM_LEVEL, N_("Someone changed this at the same time; try again.")),
    "import_file_unreadable": ("file", N_("The file cannot be read: %(detail)s")),
    "invalid_correction": (FORM_LEVEL, N_("The correction is not valid: %(detail)s")),
    "correction_already_decided": (FORM_LEVEL, N_("This correction was already decided.")),
    "correction_self_approval": (
        FORM_LEVEL,
        N_("The person who asked for a correction cannot decide it."),
    ),
    "access_name_taken": ("name", N_("This name is already used.")),
    "access_object_not_found": (FORM_LEVEL, N_("It no longer exists, or is not in your units.")),
    "schedule_in_use": (FORM_LEVEL, N_("Rules still use this schedule; remove them first.")),
    "reader_not_found": (FORM_LEVEL, N_("No such reader in your units.")),
    "reader_not_enrollable": (FORM_LEVEL, N_("This reader is not waiting to enrol.")),
    "invalid_range": (FORM_LEVEL, N_("The range must run forwards and span at most a year.")),
    "calendar_override_not_found": (FORM_LEVEL, N_("That calendar entry no longer exists.")),
    "username_taken": ("username", N_("This username is already used.")),
    "user_not_found": (FORM_LEVEL, N_("No such account in your units.")),
    "role_grant_not_found": (FORM_LEVEL, N_("That role was already removed.")),
    "user_beyond_scope": (
        FORM_LEVEL,
        N_("This account holds roles outside your units; an administrator above you must do this."),
    ),
    "own_account": (FORM_LEVEL, N_("Another administrator must do this for your own account.")),
    "wrong_current_password": ("current_password", N_("The current password is wrong.")),
    "password_unchanged": (
        "new_password",
        N_("The new password must be different from the current one."),
    ),
}


def text(form: FormData, name: str) -> str:
    """A text field, stripped; files and absent fields read as empty."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional(form: FormData, name: str) -> str | None:
    return text(form, name) or None


def field_errors(
    exc: ValidationError, translations: Translations, *, fields: Mapping[str, str] | None = None
) -> dict[str, str]:
    """One translated message per form field (the first problem of each).

    ``fields`` renames schema fields to form fields where the two differ."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        location = [str(part) for part in error["loc"]]
        name = location[0] if location else FORM_LEVEL
        name = (fields or {}).get(name, name)
        if name in errors:
            continue
        errors[name] = translations.gettext(_message_id(error))
    return errors


def _message_id(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind == "value_error" and _EMAIL_HINT in str(error.get("msg", "")):
        return N_("Not a valid e-mail address.")
    return _PYDANTIC_MESSAGES.get(kind, N_("This value is not valid."))


def domain_error(exc: CardServiceError, translations: Translations) -> dict[str, str]:
    """A domain error as a message for one field, or for the whole form."""
    field, msgid = _DOMAIN_MESSAGES.get(exc.code, (FORM_LEVEL, ""))
    if not msgid:
        message = Msg(N_("The service refused this: %(detail)s"), {"detail": exc.detail})
    else:
        message = Msg(msgid, {"detail": exc.detail} if "%(detail)s" in msgid else {})
    return {field: message.render(translations)}
