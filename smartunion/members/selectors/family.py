"""family reads (members issue)."""
