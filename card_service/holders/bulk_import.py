"""Bulk import of holders: every row checked, then all applied or none.

Idempotent on staff number: a row whose staff number exists updates that holder
(when something differs) instead of creating a second one.
"""

from __future__ import annotations

import enum
import uuid
from collections import Counter
from datetime import datetime

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.auth.principal import Principal
from card_service.holders import service
from card_service.holders.import_files import RawRow
from card_service.holders.models import Holder, HolderKind
from card_service.holders.names import normalise_name
from card_service.holders.schemas import HolderCreate, HolderUpdate
from card_service.orgunits.models import OrgUnit


class RowAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


class RowReport(BaseModel):
    row: int
    staff_number: str | None
    full_name: str | None
    action: RowAction
    errors: list[str]


class ImportReport(BaseModel):
    dry_run: bool
    applied: bool
    counts: dict[RowAction, int]
    rows: list[RowReport]

    @property
    def has_errors(self) -> bool:
        return self.counts.get(RowAction.ERROR, 0) > 0


class _Planned(BaseModel):
    report: RowReport
    create: HolderCreate | None = None
    update: HolderUpdate | None = None
    holder_id: uuid.UUID | None = None


def plan_import(session: Session, principal: Principal, rows: list[RawRow]) -> list[_Planned]:
    units = _units_in_scope(session, principal)
    duplicates = {
        n for n, c in Counter(r.values.get("staff_number") for r in rows).items() if c > 1
    }
    existing = _existing_by_staff_number(session, [r.values.get("staff_number", "") for r in rows])
    return [_plan_row(row, principal, units, existing, duplicates) for row in rows]


def apply_import(
    session: Session, principal: Principal, rows: list[RawRow], *, dry_run: bool, now: datetime
) -> ImportReport:
    """Check every row; unless ``dry_run`` or any row has an error, apply them all."""
    planned = plan_import(session, principal, rows)
    counts = Counter(item.report.action for item in planned)
    report = ImportReport(
        dry_run=dry_run,
        applied=False,
        counts={action: counts.get(action, 0) for action in RowAction},
        rows=[item.report for item in planned],
    )
    if dry_run or report.has_errors:
        return report
    for item in planned:
        if item.create is not None:
            service.create_holder(session, principal, item.create, now=now)
        elif item.update is not None and item.holder_id is not None:
            holder = service.get_holder(
                session, principal, item.holder_id, roles=service.WRITE_ROLES, for_update=True
            )
            service.update_holder(session, principal, holder, item.update, now=now)
    report.applied = True
    return report


def _plan_row(
    row: RawRow,
    principal: Principal,
    units: dict[str, OrgUnit],
    existing: dict[str, Holder],
    duplicates: set[str | None],
) -> _Planned:
    values = row.values
    errors: list[str] = []

    def planned(action: RowAction, **plan: object) -> _Planned:
        # The report is built last, once every error of the row is known.
        report = RowReport(
            row=row.number,
            staff_number=values.get("staff_number"),
            full_name=values.get("full_name"),
            action=RowAction.ERROR if errors else action,
            errors=errors,
        )
        return _Planned.model_validate(
            {"report": report, **plan} if not errors else {"report": report}
        )

    unit = units.get(values.get("unit_code", "").upper())
    if "unit_code" in values and unit is None:
        errors.append(f"unknown unit code {values['unit_code']!r} (or not one you manage)")
    if values.get("staff_number") in duplicates:
        errors.append("this staff number appears more than once in the file")
    fields = {
        "kind": HolderKind.STAFF,
        "staff_number": values.get("staff_number"),
        "full_name": values.get("full_name"),
        "unit_id": unit.id if unit else None,
        "position": values.get("position"),
        "email": values.get("email"),
        "phone": values.get("phone"),
    }
    try:
        create = HolderCreate.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        errors.extend(_messages(exc))
        return planned(RowAction.ERROR)
    if errors:
        return planned(RowAction.ERROR)
    current = existing.get(create.staff_number or "")
    if current is None:
        return planned(RowAction.CREATE, create=create)
    if not principal.can_reach(_path_of(current, units), service.WRITE_ROLES):
        errors.append("this staff number belongs to a holder outside the units you manage")
        return planned(RowAction.ERROR)
    update = _differences(current, create)
    action = RowAction.UPDATE if update.model_fields_set else RowAction.UNCHANGED
    return planned(action, update=update, holder_id=current.id)


def _differences(current: Holder, wanted: HolderCreate) -> HolderUpdate:
    changes: dict[str, object] = {}
    if normalise_name(wanted.full_name) != current.full_name:
        changes["full_name"] = wanted.full_name
    for field in ("unit_id", "position", "email", "phone"):
        value = getattr(wanted, field)
        if value is not None and value != getattr(current, field):
            changes[field] = value
    return HolderUpdate.model_validate(changes)


def _messages(exc: ValidationError) -> list[str]:
    messages = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "row"
        messages.append(f"{field}: {error['msg']}")
    return messages


def _units_in_scope(session: Session, principal: Principal) -> dict[str, OrgUnit]:
    units = session.scalars(select(OrgUnit).where(principal.unit_filter(service.WRITE_ROLES)))
    return {unit.code.upper(): unit for unit in units}


def _existing_by_staff_number(session: Session, numbers: list[str]) -> dict[str, Holder]:
    wanted = [n for n in set(numbers) if n]
    found: dict[str, Holder] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for holder in session.scalars(select(Holder).where(Holder.staff_number.in_(chunk))):
            if holder.staff_number:
                found[holder.staff_number] = holder
    return found


def _path_of(holder: Holder, units: dict[str, OrgUnit]) -> str:
    for unit in units.values():
        if unit.id == holder.unit_id:
            return unit.path
    return ""  # not in the caller's units at all
