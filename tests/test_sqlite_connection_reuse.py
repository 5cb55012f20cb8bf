"""The embedded default keeps its SQLite connection between requests (issue #14).

A new SQLite connection parses the whole schema on its first statement; with the enterprise
package's tables that was about a fifth of an API request's instructions (valgrind), paid on every
request while Django closed the connection at the end of each (``CONN_MAX_AGE`` 0).
"""

import copy

import pytest
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper


@pytest.fixture
def file_database(tmp_path, django_db_blocker):
    """A wrapper with the default database's settings on a file (the in-memory test database never closes)."""
    if connections["default"].vendor != "sqlite":
        pytest.skip("services mode: dj-database-url sets CONN_MAX_AGE from the same variable")
    settings_dict = copy.deepcopy(connections.settings["default"])
    settings_dict["NAME"] = str(tmp_path / "anneal.sqlite3")
    wrapper = DatabaseWrapper(settings_dict, alias="reuse_probe")
    with django_db_blocker.unblock():  # a database of its own, not the test database
        yield wrapper
        wrapper.close()


def test_the_end_of_a_request_keeps_the_sqlite_connection_open(file_database):
    file_database.ensure_connection()
    opened = file_database.connection

    file_database.close_if_unusable_or_obsolete()  # what Django runs when a request finishes

    assert file_database.connection is opened


def test_a_zero_max_age_closes_it_as_before(file_database):
    file_database.settings_dict["CONN_MAX_AGE"] = 0
    file_database.ensure_connection()

    file_database.close_if_unusable_or_obsolete()

    assert file_database.connection is None
