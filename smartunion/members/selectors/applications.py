"""applications reads (members issue)."""
