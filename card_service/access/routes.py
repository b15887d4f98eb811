"""``/api/v1/access``: schedules, access groups, door groups and the rules joining them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Response

from card_service.access import service, versioning
from card_service.access.compile import LOCAL_ZONE, compile_config
from card_service.access.context import AccessContext
from card_service.access.models import AccessGroup, DoorGroup
from card_service.access.schemas import (
    AccessCheck,
    AccessScheduleIn,
    AccessScheduleOut,
    DoorIn,
    GroupIn,
    GroupOut,
    GroupQuery,
    MemberIn,
    MemberOut,
    MemberQuery,
    RuleIn,
    RuleOut,
    RuleQuery,
    ScheduleQuery,
)
from card_service.auth.dependencies import requires
from card_service.auth.principal import Principal
from card_service.clock import Now
from card_service.db.session import DbSession
from card_service.holders.service import get_holder
from card_service.pagination import Page, Paging
from card_service.problems import Problem
from card_service.readers.routes import Access
from card_service.readers.service import get_reader
from reader_protocol.policy import CompiledPolicy

router = APIRouter(prefix="/access", tags=["access policy"])
Manager = Annotated[Principal, Depends(requires(*service.MANAGE_ROLES))]
Viewer = Annotated[Principal, Depends(requires(*service.READ_ROLES))]
ERRORS: dict[int | str, dict[str, object]] = {
    403: {"model": Problem},
    404: {"model": Problem},
    409: {"model": Problem},
}
NameSearch = Annotated[
    str | None, Query(max_length=100, description="Part of the name, any case/diacritics")
]


@router.get("/schedules", response_model=Page[AccessScheduleOut])
def list_schedules(
    principal: Viewer,
    session: DbSession,
    paging: Paging,
    q: NameSearch = None,
    unit_id: Annotated[uuid.UUID | None, Query(description="The owning unit")] = None,
) -> Page[AccessScheduleOut]:
    """Schedules of your units and those shared with them from above, by name."""
    filters = ScheduleQuery(q=q, unit_id=unit_id)
    items, total = service.list_schedules(session, principal, filters, paging)
    return Page[AccessScheduleOut](
        items=[AccessScheduleOut.model_validate(s) for s in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("/schedules", response_model=AccessScheduleOut, status_code=201, responses=ERRORS)
def create_schedule(
    body: AccessScheduleIn, principal: Manager, session: DbSession, now: Now
) -> AccessScheduleOut:
    return AccessScheduleOut.model_validate(
        service.create_schedule(session, principal, body, now=now)
    )


@router.put("/schedules/{schedule_id}", response_model=AccessScheduleOut, responses=ERRORS)
def replace_schedule(
    schedule_id: uuid.UUID, body: AccessScheduleIn, principal: Manager, session: DbSession, now: Now
) -> AccessScheduleOut:
    schedule = service.replace_schedule(session, principal, schedule_id, body, now=now)
    return AccessScheduleOut.model_validate(schedule)


@router.delete("/schedules/{schedule_id}", status_code=204, responses=ERRORS)
def delete_schedule(
    schedule_id: uuid.UUID, principal: Manager, session: DbSession, now: Now
) -> Response:
    service.delete_schedule(session, principal, schedule_id, now=now)
    return Response(status_code=204)


def _group_routes(path: str, model: type[service.Group]) -> None:
    @router.get(f"/{path}", response_model=Page[GroupOut], name=f"list_{path}")
    def list_groups(
        principal: Viewer,
        session: DbSession,
        paging: Paging,
        q: NameSearch = None,
        unit_id: uuid.UUID | None = None,
    ) -> Page[GroupOut]:
        filters = GroupQuery(q=q, unit_id=unit_id)
        items, total = service.list_groups(session, principal, model, filters, paging)
        return Page[GroupOut](
            items=[GroupOut.model_validate(g) for g in items],
            total=total,
            limit=paging.limit,
            offset=paging.offset,
        )

    @router.post(
        f"/{path}",
        response_model=GroupOut,
        status_code=201,
        responses=ERRORS,
        name=f"create_{path}",
    )
    def create_group(body: GroupIn, principal: Manager, session: DbSession, now: Now) -> GroupOut:
        group = service.create_group(session, principal, model, body, now=now)
        return GroupOut.model_validate(group)

    @router.delete(
        f"/{path}/{{group_id}}", status_code=204, responses=ERRORS, name=f"delete_{path}"
    )
    def delete_group(
        group_id: uuid.UUID, principal: Manager, session: DbSession, now: Now
    ) -> Response:
        service.delete_group(session, principal, model, group_id, now=now)
        return Response(status_code=204)


_group_routes("groups", AccessGroup)
_group_routes("door-groups", DoorGroup)


@router.get("/groups/{group_id}/members", response_model=Page[MemberOut], responses=ERRORS)
def list_members(
    group_id: uuid.UUID,
    principal: Viewer,
    session: DbSession,
    paging: Paging,
    q: Annotated[
        str | None, Query(max_length=100, description="Holder's name, any case/diacritics")
    ] = None,
    valid_on: Annotated[date | None, Query(description="Only memberships valid that day")] = None,
) -> Page[MemberOut]:
    """Members who are holders of your units, by name."""
    filters = MemberQuery(q=q, valid_on=valid_on)
    items, total = service.list_members(session, principal, group_id, filters, paging)
    return Page[MemberOut](
        items=[MemberOut.model_validate(m) for m in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.put("/groups/{group_id}/members", response_model=MemberOut, responses=ERRORS)
def set_member(
    group_id: uuid.UUID, body: MemberIn, principal: Manager, session: DbSession, now: Now
) -> MemberOut:
    """Add a holder, or change the validity of their membership."""
    member = service.set_member(session, principal, group_id, body, now=now)
    return MemberOut.model_validate(member)


@router.delete("/groups/{group_id}/members/{holder_id}", status_code=204, responses=ERRORS)
def remove_member(
    group_id: uuid.UUID, holder_id: uuid.UUID, principal: Manager, session: DbSession, now: Now
) -> Response:
    service.remove_member(session, principal, group_id, holder_id, now=now)
    return Response(status_code=204)


@router.put("/door-groups/{door_group_id}/doors", status_code=204, responses=ERRORS)
def add_door(
    door_group_id: uuid.UUID, body: DoorIn, principal: Manager, session: DbSession, now: Now
) -> Response:
    service.add_door(session, principal, door_group_id, body.reader_id, now=now)
    return Response(status_code=204)


@router.delete("/door-groups/{door_group_id}/doors/{reader_id}", status_code=204, responses=ERRORS)
def remove_door(
    door_group_id: uuid.UUID,
    reader_id: uuid.UUID,
    principal: Manager,
    session: DbSession,
    now: Now,
) -> Response:
    service.remove_door(session, principal, door_group_id, reader_id, now=now)
    return Response(status_code=204)


@router.get("/rules", response_model=Page[RuleOut])
def list_rules(
    principal: Viewer,
    session: DbSession,
    paging: Paging,
    q: NameSearch = None,
    access_group_id: uuid.UUID | None = None,
    door_group_id: uuid.UUID | None = None,
    schedule_id: uuid.UUID | None = None,
) -> Page[RuleOut]:
    """Rules of your units (whose door group is yours), by name."""
    filters = RuleQuery(
        q=q,
        access_group_id=access_group_id,
        door_group_id=door_group_id,
        schedule_id=schedule_id,
    )
    items, total = service.list_rules(session, principal, filters, paging)
    return Page[RuleOut](
        items=[RuleOut.model_validate(r) for r in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("/rules", response_model=RuleOut, status_code=201, responses=ERRORS)
def create_rule(body: RuleIn, principal: Manager, session: DbSession, now: Now) -> RuleOut:
    return RuleOut.model_validate(service.create_rule(session, principal, body, now=now))


@router.delete("/rules/{rule_id}", status_code=204, responses=ERRORS)
def delete_rule(rule_id: uuid.UUID, principal: Manager, session: DbSession, now: Now) -> Response:
    service.delete_rule(session, principal, rule_id, now=now)
    return Response(status_code=204)


@router.get("/check", response_model=AccessCheck, responses=ERRORS)
def check_access(
    holder_id: uuid.UUID,
    reader_id: uuid.UUID,
    principal: Viewer,
    session: DbSession,
    now: Now,
    access: Access,
    at: datetime | None = None,
) -> AccessCheck:
    """Would this holder pass this reader at ``at`` (default now)? The same evaluation
    the reader makes offline, on the configuration it would download. Both the holder
    and the reader must be in the caller's units."""
    reader = get_reader(session, principal, reader_id, roles=service.READ_ROLES)
    get_holder(session, principal, holder_id, roles=service.READ_ROLES)
    moment = at or now
    local_day = moment.astimezone(ZoneInfo(LOCAL_ZONE)).date()
    config = compile_config(session, access, reader, now=now, holidays_from=local_day)
    decision = CompiledPolicy(config).evaluate(holder_id, moment)
    return AccessCheck(
        granted=decision.granted,
        reason=decision.reason,
        rule=decision.rule,
        holder_name=decision.holder_name,
        policy_version=versioning.current_version(session),
    )


__all__ = ["AccessContext", "router"]
