"""Extra fixture users scoped to one unit, for tests of what a unit's own administrator
or auditor may reach (tests/card_service/conftest.py has the root-wide ones)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from card_service.users.models import Role, RoleAssignment, User
from tests.card_service.conftest import Org


def add_user(
    session: Session,
    org: Org,
    name: str,
    password_hash: str,
    grants: list[tuple[Role, str]],
    home: str,
) -> User:
    """A user named ``name`` managed by unit ``home``, holding ``grants`` (role, unit key);
    committed to the test's savepoint and signed in with ``as_user(name)``."""
    user = User(
        username=name,
        display_name=name.title(),
        password_hash=password_hash,
        unit_id=org.units[home].id,
        roles=[RoleAssignment(role=role, unit_id=org.units[key].id) for role, key in grants],
    )
    session.add(user)
    session.flush()
    session.commit()
    org.users[name] = user
    return user
