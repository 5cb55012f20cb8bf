"""A test plugin that implements every hook of the hook API (see ``plugin.py``)."""

__version__ = "1.0.0"
