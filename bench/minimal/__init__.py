"""The floor for ``bench/request_floor.py``: the cheapest Django + DRF application doing Anneal's work.

It lists an organization's projects for a member with token authentication, reading Anneal's own
tables (unmanaged models) in the same database: one query for the token and its user, one for
the organization joined with the member's membership, one for a page of projects. Two middleware
classes (Django's ``SecurityMiddleware`` and ``CommonMiddleware``), no sessions, no templates.
"""
