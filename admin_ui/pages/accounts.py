"""Accounts: administrators list, create, disable (after a confirmation page) and enable
accounts of their units, reset passwords, grant and remove roles; auditors read.
Everything goes through ``card_service.users.admin``, the functions behind
/api/v1/users, with the same rules (scope, own account, roles only over the granter's
units) and the same audit entries.

The API's If-Match is the form's hidden ``version``: a form opened before someone else
changed the account is refused, and nothing is saved.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from babel.support import Translations
from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from admin_ui import units
from admin_ui.console import ConsoleState
from admin_ui.errors import FormRejected
from admin_ui.forms import FORM_LEVEL, domain_error, field_errors, text
from admin_ui.i18n import N_, Msg, gettext_for
from admin_ui.labels import label
from admin_ui.permissions import ACCOUNTS_MANAGE, ACCOUNTS_READ
from admin_ui.security.context import PostedForm, Viewer, acting, allowed
from card_service.auth.schemas import Role
from card_service.auth.signin import locked_until
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.errors import CardServiceError
from card_service.pagination import PageParams
from card_service.users import admin
from card_service.users.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from card_service.users.schemas import GrantIn, PasswordReset, UserCreate, UserQuery

router = APIRouter(prefix="/accounts")
Reader = Annotated[Viewer, Depends(allowed(ACCOUNTS_READ))]
Manager = Annotated[Viewer, Depends(acting(ACCOUNTS_MANAGE))]
ManagerPage = Annotated[Viewer, Depends(allowed(ACCOUNTS_MANAGE))]
PAGE_SIZE = 25
_MAX_QUERY = 100
CREATE_FIELDS = ("username", "display_name", "unit_id", "role")


def password_rule(translations: Translations) -> str:
    """The password policy in words (card_service.users.service.check_password)."""
    return Msg(
        N_("Between %(min)s and %(max)s characters."),
        {"min": MIN_PASSWORD_LENGTH, "max": MAX_PASSWORD_LENGTH},
    ).render(translations)


def refusal(
    exc: CardServiceError, translations: Translations, *, weak_field: str = "password"
) -> dict[str, str]:
    """A domain error as messages, the password policy's next to ``weak_field``."""
    if exc.code == "weak_password":
        return {weak_field: password_rule(translations)}
    return domain_error(exc, translations)


def check_new_password(
    form: FormData, translations: Translations, field: str, confirm: str
) -> tuple[str, dict[str, str]]:
    """The new password typed twice, and the messages for what is wrong with it."""
    raw = form.get(field)
    password = raw if isinstance(raw, str) else ""
    errors: dict[str, str] = {}
    if not password:
        errors[field] = translations.gettext(N_("This field is required."))
    elif not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        errors[field] = password_rule(translations)
    if password and form.get(confirm) != password:
        errors[confirm] = translations.gettext(N_("The two passwords are not the same."))
    return password, errors


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _role_options(translations: Translations) -> list[tuple[str, str]]:
    return [(role.value, translations.gettext(label("role", role.value))) for role in Role]


@router.get("")
def list_accounts(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: Reader,
    now: Now,
    q: str = "",
    role: str = "",
    unit_id: str = "",
    active: str = "",
    offset: int = 0,
) -> Response:
    chosen_role = role if role in {r.value for r in Role} else ""
    filters = UserQuery(
        q=q.strip()[:_MAX_QUERY] or None,
        role=Role(chosen_role) if chosen_role else None,
        unit_id=_uuid(unit_id),
        active={"yes": True, "no": False}.get(active),
    )
    found, total = admin.list_users(
        session, viewer.principal, filters, PageParams(limit=PAGE_SIZE, offset=max(offset, 0))
    )
    return console.renderer.page(
        request,
        "accounts/list.html",
        {
            "section": "accounts",
            "accounts": found,
            "locked": {user.id: locked_until(session, user.username, now=now) for user in found},
            "total": total,
            "offset": max(offset, 0),
            "limit": PAGE_SIZE,
            "q": q,
            "role": chosen_role,
            "unit_id": unit_id,
            "active": active if active in {"yes", "no"} else "",
            "roles": _role_options(gettext_for(request)),
            "units": units.choices(session, viewer.principal, ACCOUNTS_READ),
            "unit_names": units.names(session, viewer.principal),
        },
    )


def _new_page(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: Viewer,
    *,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    translations = gettext_for(request)
    return console.renderer.page(
        request,
        "accounts/new.html",
        {
            "section": "accounts",
            "values": values,
            "errors": errors,
            "roles": _role_options(translations),
            "units": units.choices(session, viewer.principal, ACCOUNTS_MANAGE),
            "password_hint": password_rule(translations),
        },
    )


@router.get("/new")
def new_account_form(
    request: Request, console: ConsoleState, session: DbSession, viewer: ManagerPage
) -> Response:
    values = dict.fromkeys(CREATE_FIELDS, "")
    return _new_page(request, console, session, viewer, values=values, errors={})


@router.post("/new")
def create_account(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Manager,
    form: PostedForm,
) -> Response:
    translations = gettext_for(request)
    values = {name: text(form, name) for name in CREATE_FIELDS}
    password, errors = check_new_password(form, translations, "password", "password_confirm")

    def rejected(found: dict[str, str]) -> FormRejected:
        page = _new_page(request, console, session, viewer, values=values, errors=found)
        return FormRejected(page)

    if values["role"] not in {r.value for r in Role}:
        errors["role"] = translations.gettext(N_("Choose a value from the list."))
    data = {
        "username": values["username"],
        "display_name": values["display_name"],
        "password": password or "-",  # its own checks are above
        "unit_id": values["unit_id"],
    }
    try:
        body = UserCreate.model_validate(data)
    except ValidationError as exc:
        raise rejected({**field_errors(exc, translations), **errors}) from exc
    if errors:
        raise rejected(errors)
    # The first role is over the account's own unit; more are added on its page.
    body.roles = [GrantIn(role=Role(values["role"]), unit_id=body.unit_id)]
    try:
        user = admin.create_user(session, viewer.principal, body, now=now)
    except CardServiceError as exc:
        raise rejected(refusal(exc, translations)) from exc
    return RedirectResponse(f"/admin/accounts/{user.id}?notice=account_created", status_code=303)


def _detail_page(
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: Viewer,
    user: Any,
    now: datetime,
    *,
    errors: dict[str, str] | None = None,
    failed_form: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    translations = gettext_for(request)
    return console.renderer.page(
        request,
        "accounts/detail.html",
        {
            "section": "accounts",
            "account": user,
            "grants": sorted(user.roles, key=lambda grant: (grant.role.value, str(grant.unit_id))),
            "locked_until": locked_until(session, user.username, now=now),
            "own": user.id == viewer.principal.user_id,
            "errors": errors or {},
            "failed_form": failed_form,
            "values": values or {},
            "roles": _role_options(translations),
            "units": units.choices(session, viewer.principal, ACCOUNTS_MANAGE),
            "unit_names": units.names(session, viewer.principal),
            "password_hint": password_rule(translations),
        },
    )


@router.get("/{user_id}")
def account_page(
    user_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    viewer: Reader,
    now: Now,
) -> Response:
    user = admin.get_user(session, viewer.principal, user_id)
    return _detail_page(request, console, session, viewer, user, now)


class _Change:
    """One change posted from an account's page: the account locked for update, the
    form's version checked, and refusals shown on that page under the form concerned."""

    def __init__(
        self,
        request: Request,
        console: ConsoleState,
        session: DbSession,
        viewer: Viewer,
        user_id: uuid.UUID,
        form: FormData,
        now: datetime,
        name: str,
    ) -> None:
        self.request, self.console, self.session, self.viewer = request, console, session, viewer
        self.form, self.now, self.name = form, now, name
        self.translations = gettext_for(request)
        self.user = admin.get_user(
            session, viewer.principal, user_id, roles=ACCOUNTS_MANAGE, for_update=True
        )
        if text(form, "version") != str(self.user.version):
            raise self.rejected(
                {
                    FORM_LEVEL: self.translations.gettext(
                        N_("Someone changed this at the same time; try again.")
                    )
                }
            )

    def rejected(
        self, errors: dict[str, str], values: dict[str, str] | None = None
    ) -> FormRejected:
        return FormRejected(
            _detail_page(
                self.request,
                self.console,
                self.session,
                self.viewer,
                self.user,
                self.now,
                errors=errors,
                failed_form=self.name,
                values=values,
            )
        )

    def done(self, notice: str) -> Response:
        return RedirectResponse(f"/admin/accounts/{self.user.id}?notice={notice}", status_code=303)


@router.post("/{user_id}/disable")
def disable_account(
    user_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Manager,
    form: PostedForm,
) -> Response:
    change = _Change(request, console, session, viewer, user_id, form, now, "state")
    if form.get("confirm") != "yes":
        # First submission: say what disabling does and ask once more. The form carries
        # the version, so a confirmation of an account changed meanwhile is refused.
        return console.renderer.page(
            request,
            "accounts/confirm_disable.html",
            {"section": "accounts", "account": change.user},
        )
    try:
        admin.disable_user(session, viewer.principal, change.user, now=now)
    except CardServiceError as exc:
        raise change.rejected(refusal(exc, change.translations)) from exc
    return change.done("account_disabled")


@router.post("/{user_id}/enable")
def enable_account(
    user_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Manager,
    form: PostedForm,
) -> Response:
    change = _Change(request, console, session, viewer, user_id, form, now, "state")
    try:
        admin.enable_user(session, viewer.principal, change.user, now=now)
    except CardServiceError as exc:
        raise change.rejected(refusal(exc, change.translations)) from exc
    return change.done("account_enabled")


@router.post("/{user_id}/password")
def reset_account_password(
    user_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Manager,
    form: PostedForm,
) -> Response:
    change = _Change(request, console, session, viewer, user_id, form, now, "password")
    password, errors = check_new_password(form, change.translations, "password", "password_confirm")
    if errors:
        raise change.rejected(errors)
    try:
        admin.reset_password(
            session, viewer.principal, change.user, PasswordReset(password=password), now=now
        )
    except CardServiceError as exc:
        raise change.rejected(refusal(exc, change.translations)) from exc
    return change.done("password_reset")


@router.post("/{user_id}/roles")
def grant_role(
    user_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Manager,
    form: PostedForm,
) -> Response:
    change = _Change(request, console, session, viewer, user_id, form, now, "grant")
    values = {"role": text(form, "role"), "unit_id": text(form, "unit_id")}
    try:
        body = GrantIn.model_validate(values)
    except ValidationError as exc:
        raise change.rejected(field_errors(exc, change.translations), values) from exc
    try:
        admin.grant_role(session, viewer.principal, change.user, body, now=now)
    except CardServiceError as exc:
        raise change.rejected(refusal(exc, change.translations), values) from exc
    return change.done("role_granted")


@router.post("/{user_id}/roles/{grant_id}/remove")
def revoke_role(
    user_id: uuid.UUID,
    grant_id: uuid.UUID,
    request: Request,
    console: ConsoleState,
    session: DbSession,
    now: Now,
    viewer: Manager,
    form: PostedForm,
) -> Response:
    change = _Change(request, console, session, viewer, user_id, form, now, "roles")
    try:
        admin.revoke_role(session, viewer.principal, change.user, grant_id, now=now)
    except CardServiceError as exc:
        raise change.rejected(refusal(exc, change.translations)) from exc
    return change.done("role_revoked")
