"""Alembic migration scripts; shipped as a package so `card-service migrate` finds them."""
