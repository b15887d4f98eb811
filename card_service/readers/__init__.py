"""Readers: the agents at doors, attendance points, counters and issuance stations."""
