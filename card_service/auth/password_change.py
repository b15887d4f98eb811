"""A signed-in person changing their own password.

The current password is checked under the sign-in lock-out (a wrong one counts against
the name), the new one meets the policy of account creation and reset and differs from
the current one, and every other
sign-in of the account ends: API sign-ins (refresh-token families) and console sessions,
but the one making the change when it says which it is. Audited as
``user.password_changed``, never with a password.
"""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.audit.service import record
from card_service.auth import browser_sessions, refresh
from card_service.auth.errors import (
    InvalidTokenError,
    PasswordUnchangedError,
    SignInFailedError,
    WrongCurrentPasswordError,
)
from card_service.auth.principal import Principal
from card_service.auth.signin import LockoutPolicy, reauthenticate
from card_service.errors import CardServiceError
from card_service.users.errors import WeakPasswordError
from card_service.users.models import User
from card_service.users.passwords import hash_password
from card_service.users.service import check_password


def change_own_password(
    session: Session,
    principal: Principal,
    *,
    current_password: str,
    new_password: str,
    now: datetime,
    policy: LockoutPolicy,
    keep_refresh_token: str | None = None,
    keep_browser_session: str | None = None,
) -> CardServiceError | None:
    """Change the principal's password. Returns the error to report, or None when the
    password was changed.

    Errors are returned, not raised, like sign-in's: a wrong current password is a
    counted failure, and the request must commit that count. The new password's policy
    is checked first, and that it differs from the current one typed, so neither costs
    an attempt."""
    try:
        check_password(new_password)
    except WeakPasswordError as exc:
        return exc
    # The two typed strings, never the stored hash: with a wrong current password, an
    # "unchanged" answer would confirm a guess put in the new field, uncounted.
    if hmac.compare_digest(new_password.encode(), current_password.encode()):
        return PasswordUnchangedError("the new password is the same as the current one")
    user = session.scalar(
        select(User).where(User.id == principal.user_id, User.active.is_(True)).with_for_update()
    )
    if user is None:  # disabled between loading the principal and here
        return InvalidTokenError()
    error = reauthenticate(session, user, current_password, now=now, policy=policy)
    if isinstance(error, SignInFailedError):
        return WrongCurrentPasswordError("the current password is wrong")
    if error is not None:
        return error  # locked: 423, with locked_until
    keep_family: uuid.UUID | None = None
    if keep_refresh_token:
        keep_family = refresh.live_family_of(session, keep_refresh_token, user.id, now=now)
    user.password_hash = hash_password(new_password)
    user.version += 1  # the account's ETag: administrators' forms must see the change
    revoked_tokens = refresh.revoke_all_for_user(session, user.id, now=now, keep_family=keep_family)
    revoked_sessions = browser_sessions.revoke_browser_sessions_of_user(
        session, user.id, now=now, keep_token=keep_browser_session
    )
    session.flush()
    record(
        session,
        actor=principal.actor,
        action="user.password_changed",
        object_type="user",
        object_id=user.id,
        data={
            "username": user.username,
            "refresh_tokens_revoked": revoked_tokens,
            "browser_sessions_revoked": revoked_sessions,
            "kept_api_sign_in": keep_family is not None,
        },
        now=now,
    )
    return None
