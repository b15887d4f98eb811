"""Service usage at public-service centres: counter sessions, statistics, open data."""
