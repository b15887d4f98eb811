"""The console's session cookies. The sessions themselves are records of the service
(card_service.auth.browser_sessions); this module only names the cookies that carry them.

The cookie holds the opaque session id; the service stores only its SHA-256.
"""

from __future__ import annotations

SESSION_COOKIE = "ecard_console"
# Before sign-in there is no session; this random value anchors the sign-in form's CSRF
# token, so that another site cannot sign a browser in to an account of its choosing.
PRESESSION_COOKIE = "ecard_console_pre"
