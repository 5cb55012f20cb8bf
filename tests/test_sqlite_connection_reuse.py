"""The embedded default keeps its SQLite connection between requests (issue #14).

A new SQLite connection parses the whole schema on its first statement; with the enterprise
package's tables that was about a fifth of an API request's instructions (valgrind), paid on every
request while Django closed the connection at the end of each (``CONN_MAX_AGE`` 0).
"""

from django.conf import settings


def test_the_sqlite_default_keeps_its_connection_between_requests():
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return  # services mode: dj-database-url sets CONN_MAX_AGE from the same variable
    assert database["CONN_MAX_AGE"] >= 60
