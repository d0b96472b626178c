"""family services (members issue)."""
