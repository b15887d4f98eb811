"""The trust core: issuer keys, card certificates, revocation lists, challenges, audit chain.

A pure library: it depends on ``cryptography`` (and a PKCS#11 binding for HSM keys)
and knows no database, HTTP or settings.
"""
