"""Jinja2 pages in the person's language, with the console's shared context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from babel.support import Translations
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from admin_ui import formatting
from admin_ui.i18n import LANGUAGE_NAMES, LOCALES, N_, Msg, locale_of, translations
from admin_ui.labels import label, sheet_symbol
from admin_ui.permissions import Permissions

STATIC_VERSION = "8"  # bump when a static file changes, to defeat browser caches


# Confirmations shown after a POST-redirect-GET (``?notice=...``), never free text.
NOTICES = {
    "saved": N_("Saved."),
    "requested": N_("Card requested."),
    "suspended": N_("The card is suspended."),
    "resumed": N_("The card is active again."),
    "revoked": N_("The card is revoked."),
    "replaced": N_("The card is revoked and a replacement is requested."),
    "corrected": N_("The correction is recorded."),
    "deleted": N_("Deleted."),
    "cancelled": N_("The issuance is cancelled."),
    "account_created": N_("The account is created. Hand the initial password over in person."),
    "password_reset": N_("The password is set; every sign-in of the account has ended."),
    "account_disabled": N_("The account is disabled; its sign-ins have ended."),
    "account_enabled": N_("The account is enabled again."),
    "role_granted": N_("The role is granted."),
    "role_revoked": N_("The role is removed."),
    "password_changed": N_("Your password is changed. Every other sign-in of yours has ended."),
}


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str  # a msgid
    section: str


def navigation(can: Permissions | None) -> list[NavItem]:
    """The menu: only pages the person's roles may open."""
    if can is None:
        return []
    items = [NavItem("/admin/", N_("Dashboard"), "dashboard")]
    wanted = [
        (can.holders_read, "/admin/holders", N_("Holders"), "holders"),
        (can.cards_read, "/admin/cards", N_("Cards"), "cards"),
        (can.readers_read, "/admin/readers", N_("Readers"), "readers"),
        (can.access_read, "/admin/access", N_("Access"), "access"),
        (can.attendance_read, "/admin/calendar", N_("Holidays"), "calendar"),
        (can.events_read, "/admin/events", N_("Live taps"), "events"),
        (can.attendance_read, "/admin/attendance", N_("Attendance"), "attendance"),
        (can.stats_read, "/admin/service-centres", N_("Service centres"), "centres"),
        (can.audit_read, "/admin/audit", N_("Audit log"), "audit"),
        (can.accounts_read, "/admin/accounts", N_("Accounts"), "accounts"),
    ]
    items += [NavItem(href, label, section) for ok, href, label, section in wanted if ok]
    return items


def environment(locale: str) -> Environment:
    env = Environment(
        loader=PackageLoader("admin_ui", "templates"),
        autoescape=select_autoescape(["html", "svg"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    catalogue: Translations = translations(locale)
    env.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
    env.filters["datetime"] = lambda value: formatting.datetime_text(value, locale)
    env.filters["date"] = lambda value: formatting.date_text(value, locale)
    env.filters["time"] = formatting.time_text
    env.filters["weekday_short"] = lambda value: formatting.weekday_short(value, locale)
    env.filters["sheet_symbol"] = sheet_symbol
    env.filters["number"] = lambda value: formatting.number_text(value, locale)
    env.filters["minutes"] = formatting.minutes_text
    env.filters["duration"] = lambda value: formatting.duration_text(value, locale)
    env.filters["unit_options"] = lambda choices: [(str(u.id), u.label) for u in choices]
    env.filters["state_option"] = lambda code: (code, catalogue.gettext(label("card_state", code)))
    env.filters["reason_option"] = lambda code: (code, catalogue.gettext(label("reason", code)))
    env.filters["mode_option"] = lambda code: (code, catalogue.gettext(label("reader_mode", code)))
    env.filters["named_options"] = lambda items: [(str(i.id), i.name) for i in items]
    env.filters["msg"] = lambda value: value.render(catalogue) if isinstance(value, Msg) else value
    env.globals["static"] = lambda name: f"/admin/static/{name}?v={STATIC_VERSION}"
    env.globals["locale"] = locale
    env.globals["label"] = label
    env.globals["languages"] = [(code, LANGUAGE_NAMES[code]) for code in LOCALES]
    return env


class Renderer:
    """One Jinja environment per language, built once when the console is installed."""

    def __init__(self) -> None:
        self._environments = {locale: environment(locale) for locale in LOCALES}

    def render_text(self, request: Request, template: str, context: Mapping[str, Any]) -> str:
        locale = locale_of(request)
        viewer = getattr(request.state, "viewer", None)
        can = viewer.can if viewer is not None else None
        base: dict[str, Any] = {
            "request": request,
            "viewer": viewer,
            "can": can,
            "nav": navigation(can),
            "csrf_token": viewer.csrf_token
            if viewer is not None
            else getattr(request.state, "csrf_token", ""),
            "path": request.url.path,
            "section": "",
            "notice": NOTICES.get(request.query_params.get("notice", "")),
        }
        base.update(context)
        return self._environments[locale].get_template(template).render(base)

    def page(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        body = self.render_text(request, template, context or {})
        return HTMLResponse(body, status_code=status, headers=dict(headers or {}))
