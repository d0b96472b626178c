"""corrections services (members issue)."""
