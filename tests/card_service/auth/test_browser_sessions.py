"""Browser sessions of the console as service records: only a hash stored, idle and
absolute expiry, touched at most once a minute, revoked one by one or all at once."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select

from card_service.auth.browser_sessions import (
    ABSOLUTE_LIFETIME,
    IDLE_TIMEOUT,
    MAX_TOKEN_LENGTH,
    create_browser_session,
    find_browser_session,
    revoke_browser_session,
    revoke_browser_sessions_of_user,
)
from card_service.auth.models import BrowserSession
from tests.card_service.conftest import START


def _open(session, org, now=START, name="hr"):
    user = org.users[name]
    return create_browser_session(session, user_id=user.id, display_name="Hương", now=now)


def test_only_the_hash_of_the_token_is_stored(session, org):
    token = _open(session, org)
    row = session.scalar(select(BrowserSession))
    assert row.token_hash == hashlib.sha256(token.encode()).digest()
    assert token.encode() not in row.token_hash
    assert row.expires_at == START + ABSOLUTE_LIFETIME
    found = find_browser_session(session, token, now=START)
    assert found is not None
    assert (found.user_id, found.display_name) == (org.users["hr"].id, "Hương")


def test_unknown_missing_and_oversized_tokens_find_nothing(session, org):
    _open(session, org)
    assert find_browser_session(session, "not-a-token", now=START) is None
    assert find_browser_session(session, None, now=START) is None
    assert find_browser_session(session, "", now=START) is None
    assert find_browser_session(session, "x" * (MAX_TOKEN_LENGTH + 1), now=START) is None


def test_an_idle_session_ends_and_use_keeps_it_alive(session, org):
    token = _open(session, org)
    later = START + IDLE_TIMEOUT - timedelta(minutes=1)
    assert find_browser_session(session, token, now=later) is not None  # touched here
    still = later + IDLE_TIMEOUT - timedelta(seconds=1)
    assert find_browser_session(session, token, now=still) is not None
    gone = still + IDLE_TIMEOUT + timedelta(seconds=1)
    assert find_browser_session(session, token, now=gone) is None


def test_last_seen_is_written_at_most_once_a_minute(session, org):
    token = _open(session, org)
    row = find_browser_session(session, token, now=START + timedelta(seconds=30))
    assert row is not None
    assert row.last_seen_at == START
    row = find_browser_session(session, token, now=START + timedelta(seconds=61))
    assert row is not None
    assert row.last_seen_at == START + timedelta(seconds=61)


def test_the_absolute_lifetime_ends_even_a_busy_session(session, org):
    token = _open(session, org)
    moment = START
    while moment < START + ABSOLUTE_LIFETIME - timedelta(minutes=20):
        moment += timedelta(minutes=20)
        assert find_browser_session(session, token, now=moment) is not None
    assert find_browser_session(session, token, now=START + ABSOLUTE_LIFETIME) is None


def test_revoking_one_session_leaves_the_others(session, org):
    first, second = _open(session, org), _open(session, org)
    later = START + timedelta(minutes=1)
    assert revoke_browser_session(session, first, now=later) is True
    assert revoke_browser_session(session, first, now=later) is False  # already revoked
    assert revoke_browser_session(session, "unknown", now=later) is False
    assert find_browser_session(session, first, now=later) is None
    assert find_browser_session(session, second, now=later) is not None


def test_revoking_all_of_a_user_signs_them_out_of_every_browser(session, org):
    tokens = [_open(session, org) for _ in range(3)]
    other = _open(session, org, name="admin")
    later = START + timedelta(minutes=2)
    assert revoke_browser_sessions_of_user(session, org.users["hr"].id, now=later) == 3
    assert all(find_browser_session(session, t, now=later) is None for t in tokens)
    assert find_browser_session(session, other, now=later) is not None
