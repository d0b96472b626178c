"""Forms of the members app, one module per area."""

from .people import PersonFilterForm

__all__ = ["PersonFilterForm"]
