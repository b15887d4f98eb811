"""Database plumbing shared by every feature package: base class, types, engine, sessions."""
