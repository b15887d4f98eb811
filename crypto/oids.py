"""Object identifiers of our certificate profile (see docs/card-certificate-profile.md).

The platform's private arc is a UUID-derived OID (ITU-T X.667 / RFC 4122 section 4 of
2.25): it needs no registration and cannot collide. Never change these values; add.
"""

from __future__ import annotations

from cryptography import x509

# The arc: 2.25.<the integer value of UUID ba320376-c892-495d-a3ab-82e40992b140>.
PLATFORM_ARC = "2.25.247496092317146932973764607817221845312"

# id-PIV-cardAuth (NIST SP 800-73-4 / FIPS 201-3): extended key usage of a
# card-authentication certificate.
PIV_CARD_AUTH = x509.ObjectIdentifier("2.16.840.1.101.3.6.8")

# Our extensions: <arc>.1 = certificate extensions.
# holderId ::= OCTET STRING (SIZE (16))  -- the holder's UUID, 16 bytes big-endian.
HOLDER_ID = x509.ObjectIdentifier(f"{PLATFORM_ARC}.1.1")

# ecdsa-with-SHA256 (RFC 5758), the only signature algorithm we issue or accept.
ECDSA_WITH_SHA256 = x509.ObjectIdentifier("1.2.840.10045.4.3.2")
