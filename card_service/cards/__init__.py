"""Cards and their lifecycle: requested, personalising, active, suspended, revoked, expired."""
