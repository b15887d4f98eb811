"""The web console for administrators, HR, counter staff and auditors (served under /admin)."""
