"""Console sign-in sessions, CSRF tokens and role checks."""
