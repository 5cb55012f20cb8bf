"""Anneal's open-source core."""

__version__ = "0.1.0"
