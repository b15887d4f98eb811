"""Synchronizer tokens against cross-site request forgery.

The token of a session is an HMAC of the session id (or, before sign-in, of the
pre-session cookie): the server recomputes it on every POST instead of storing it, the
page can carry it without revealing the id, and another site can neither read nor
guess it. Every form has it as a hidden field; htmx sends it as a header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
_PURPOSE = b"ecard-console-csrf-v1"


def token_for(secret: str) -> str:
    mac = hmac.new(secret.encode("ascii", "replace"), _PURPOSE, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def token_matches(secret: str | None, presented: str | None) -> bool:
    """Constant-time check of a presented token against the session's."""
    if not secret or not presented:
        return False
    return hmac.compare_digest(token_for(secret), presented)
