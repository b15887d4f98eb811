"""The trust core: issuer keys, card certificates, revocation lists, challenges, audit chain.

A pure library: it depends on ``cryptography`` (and a PKCS#11 binding for HSM keys)
and knows no database, HTTP or settings. Recipes, one module each (docs/crypto.md):

- ``crypto.keys``: P-256 public keys, key ids, signature helpers
- ``crypto.signers``: the ``Signer`` interface and ``FileSigner`` (encrypted PKCS#8)
- ``crypto.pkcs11_signer``: ``Pkcs11Signer`` (a key inside an HSM)
- ``crypto.issuers``: root and issuing CA certificates
- ``crypto.trust``: the signed, numbered trust bundle of issuing keys
- ``crypto.card_certificates``: issue and parse card-authentication certificates
- ``crypto.revocation``: CRLs, delta CRLs and the verified revocation state
- ``crypto.challenge``: ``begin()`` / ``complete()`` for the card's challenge
- ``crypto.tap``: ``TapVerifier``, the one entry point for verifying a tap
- ``crypto.audit``: the audit hash chain and signed checkpoints
- ``crypto.qr``: short-lived single-use QR tokens
- ``crypto.errors``: every error the library raises on purpose

Modules whose names start with an underscore are private primitives.
"""
