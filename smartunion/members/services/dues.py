"""dues services (members issue)."""
