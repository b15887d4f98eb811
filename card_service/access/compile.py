"""Compiling the access policy into one reader's signed offline configuration.

The rules whose door group holds the reader, each with its active holders and their
membership validity, the schedule's windows, the holidays of the reader's site for
the coming year, and the door's timing and freshness limits.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.access import versioning
from card_service.access.context import AccessContext
from card_service.access.models import (
    AccessGroup,
    AccessGroupMember,
    AccessRule,
    DoorGroupMember,
    Schedule,
)
from card_service.attendance.calendar import WorkCalendar
from card_service.attendance.kinds import OverrideKind
from card_service.attendance.sources import HolderRef, overrides_for
from card_service.holders.models import Holder
from card_service.orgunits.models import OrgUnit
from card_service.readers.models import Reader
from crypto.documents import sign_document
from reader_protocol import config as wire

LOCAL_ZONE = "Asia/Ho_Chi_Minh"


def compile_config(
    session: Session,
    context: AccessContext,
    reader: Reader,
    *,
    now: datetime,
    holidays_from: date | None = None,
) -> wire.ReaderConfig:
    """The configuration as of ``now``; holidays from ``holidays_from`` (default today)."""
    version = versioning.current_version(session)
    rule_rows = session.execute(
        select(AccessRule, Schedule)
        .join(Schedule, Schedule.id == AccessRule.schedule_id)
        .join(DoorGroupMember, DoorGroupMember.door_group_id == AccessRule.door_group_id)
        .where(DoorGroupMember.reader_id == reader.id)
        .order_by(AccessRule.name, AccessRule.id)
    ).all()
    members = _members(session, [rule.access_group_id for rule, _ in rule_rows])
    rules = [
        wire.AccessRule(
            name=rule.name,
            members=members.get(rule.access_group_id, []),
            windows=[wire.TimeWindow.model_validate(w) for w in schedule.windows],
            closed_on_holidays=schedule.closed_on_holidays,
        )
        for rule, schedule in rule_rows
    ]
    today = now.astimezone(ZoneInfo(LOCAL_ZONE)).date()
    emergency = _emergency(session, context, today)
    holder_ids = {m.holder_id for rule in rules for m in rule.members}
    holder_ids.update(emergency.holder_ids if emergency else ())
    names = (
        dict(
            session.execute(
                select(Holder.id, Holder.full_name).where(Holder.id.in_(holder_ids))
            ).all()
        )
        if holder_ids
        else {}
    )
    return wire.ReaderConfig(
        version=version,
        reader_id=reader.id,
        mode=reader.mode,
        site_unit_id=reader.site_unit_id,
        location=reader.location,
        issued_at=now,
        timezone=LOCAL_ZONE,
        max_crl_age_seconds=context.max_crl_age_seconds,
        debounce_seconds=context.debounce_seconds,
        door_release_ms=context.door_release_ms,
        rules=rules,
        holders=[
            wire.HolderInfo(holder_id=holder_id, display_name=names[holder_id])
            for holder_id in sorted(names)
        ],
        holidays=_holidays(session, reader, holidays_from or today, context.holiday_horizon_days),
        emergency=emergency,
    )


def _emergency(
    session: Session, context: AccessContext, today: date
) -> wire.EmergencyAccess | None:
    """The emergency section: active members of the configured group, valid today."""
    if context.emergency_group is None:
        return None
    group = session.scalar(select(AccessGroup).where(AccessGroup.name == context.emergency_group))
    if group is None:
        return None
    members = _members(session, [group.id]).get(group.id, [])
    holder_ids = [
        m.holder_id
        for m in members
        if (m.valid_from is None or m.valid_from <= today)
        and (m.valid_until is None or today <= m.valid_until)
    ]
    return wire.EmergencyAccess(
        holder_ids=holder_ids, extra_age_seconds=context.emergency_extra_seconds
    )


def _members(
    session: Session, group_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[wire.RuleMember]]:
    found: dict[uuid.UUID, list[wire.RuleMember]] = defaultdict(list)
    if not group_ids:
        return found
    rows = session.execute(
        select(AccessGroupMember)
        .join(Holder, Holder.id == AccessGroupMember.holder_id)
        .where(AccessGroupMember.group_id.in_(set(group_ids)), Holder.active.is_(True))
        .order_by(AccessGroupMember.holder_id)
    ).scalars()
    for member in rows:
        found[member.group_id].append(
            wire.RuleMember(
                holder_id=member.holder_id,
                valid_from=member.valid_from,
                valid_until=member.valid_until,
            )
        )
    return found


def _holidays(session: Session, reader: Reader, first: date, horizon: int) -> list[date]:
    site = session.get(OrgUnit, reader.site_unit_id)
    if site is None:  # pragma: no cover - a foreign key keeps it
        return []
    last = first + timedelta(days=horizon)
    # The attendance calendar of the site: national holidays plus local overrides.
    overrides = overrides_for(session, [HolderRef(reader.id, site.path)], first, last)
    calendar = WorkCalendar(overrides=overrides[site.path])
    days = (first + timedelta(days=n) for n in range(horizon + 1))
    return [day for day in days if (e := calendar.entry(day)) and e.kind is OverrideKind.HOLIDAY]


def signed_config(
    session: Session, context: AccessContext, reader: Reader, *, now: datetime
) -> bytes:
    """The reader's configuration as a signed document (cached per policy version)."""
    key = (reader.id, versioning.current_version(session))
    document = context.cached(key)
    if document is None:
        content = compile_config(session, context, reader, now=now).model_dump(mode="json")
        document = sign_document(
            context.signer, kind=wire.CONFIG_KIND, version=wire.CONFIG_VERSION, content=content
        )
        context.remember(key, document)
    return document
