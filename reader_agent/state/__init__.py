"""What the reader keeps on disk between runs: its identity and key, the trust
bundle, each issuer's revocation list and the signed configuration.

Every file is written atomically (temporary file, fsync, rename) and re-verified at
start-up, so a reader restarted offline decides exactly as before, and the numbers
it held (bundle sequence, CRL numbers, configuration version) stay the floor for
anything offered later: rollback protection survives restarts.
"""
