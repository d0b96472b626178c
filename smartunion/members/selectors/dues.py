"""dues reads (members issue)."""
