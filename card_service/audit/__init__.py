"""The tamper-evident audit log: a hash chain over every change of state."""
