"""Tap events uploaded by readers: stored once per id, partitioned by month on PostgreSQL."""
