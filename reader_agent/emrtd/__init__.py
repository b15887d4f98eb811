"""ICAO Doc 9303 eMRTD protocol: BAC, PACE, secure messaging, LDS files, CA and AA.

Pure code over the abstract ``Connection``, like PIV. ``session.read_document`` runs the
whole read and returns an ``UnverifiedDocument``; ``verdict.verify_document`` combines
Passive Authentication (``crypto.emrtd``), Chip/Active Authentication and expiry into a
``DocumentVerdict``. See docs/emrtd.md.
"""
