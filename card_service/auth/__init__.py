"""Sign-in, access and refresh tokens, and role checks scoped to organisation units."""
