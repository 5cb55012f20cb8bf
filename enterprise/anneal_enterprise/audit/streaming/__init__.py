"""Streaming audit records to an organization's external systems (SIEMs)."""
