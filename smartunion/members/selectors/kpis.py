"""kpis reads (members issue)."""
