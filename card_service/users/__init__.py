"""People who sign in to the service (administrators, HR, counter staff, auditors)."""
