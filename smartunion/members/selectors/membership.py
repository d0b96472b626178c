"""membership reads (members issue)."""
