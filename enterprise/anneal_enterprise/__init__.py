"""Anneal Enterprise. Installed, it changes nothing until a license key enables its features."""

__version__ = "0.1.0"
