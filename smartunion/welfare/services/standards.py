"""Placeholder: the standards helper writes this module."""
