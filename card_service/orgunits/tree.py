"""The shape of the organisation tree: which kind of unit may sit under which.

    province ─┬─ agency ─┬─ department
              │          └─ service centre ── counter
              └─ service centre ── counter

A province is always a root, and only a province is. Roots are made by the operator
(``card-service create-admin --create-root-unit``), never through the API, because no
administrator's scope contains a unit that does not exist yet. The demo seed and test
fixtures build trees with ``service.create_unit``, which does not check the shape.
"""

from __future__ import annotations

from card_service.orgunits.errors import UnitPlacementError
from card_service.orgunits.models import UnitKind

ROOT_KINDS: frozenset[UnitKind] = frozenset({UnitKind.PROVINCE})

ALLOWED_PARENTS: dict[UnitKind, frozenset[UnitKind]] = {
    UnitKind.PROVINCE: frozenset(),
    UnitKind.AGENCY: frozenset({UnitKind.PROVINCE}),
    UnitKind.DEPARTMENT: frozenset({UnitKind.AGENCY}),
    UnitKind.SERVICE_CENTRE: frozenset({UnitKind.PROVINCE, UnitKind.AGENCY}),
    UnitKind.COUNTER: frozenset({UnitKind.SERVICE_CENTRE}),
}


def check_placement(kind: UnitKind, parent_kind: UnitKind | None) -> None:
    """Raise UnitPlacementError unless a ``kind`` unit may sit under ``parent_kind``
    (None: as a root)."""
    if parent_kind is None:
        if kind not in ROOT_KINDS:
            raise UnitPlacementError(f"a {kind.value} cannot be a root unit; only a province can")
        return
    allowed = ALLOWED_PARENTS[kind]
    if not allowed:
        raise UnitPlacementError(f"a {kind.value} is always a root unit")
    if parent_kind not in allowed:
        places = " or ".join(sorted(k.value for k in allowed))
        raise UnitPlacementError(
            f"a {kind.value} cannot be placed under a {parent_kind.value}; its parent must be "
            f"a {places}"
        )
