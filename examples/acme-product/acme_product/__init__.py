"""Acme Cloud: an example vendor's product built on Anneal."""
