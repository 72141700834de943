"""Database work of the absent-list import, run beside its Python work.

An import of 100,000 rows is about as much work for PostgreSQL (COPY into a table of a million
persons with a dozen indexes, foreign-key checks, updates) as for Python (validating, matching,
formatting rows). ``DbWorker`` lets the two proceed at once: on PostgreSQL its jobs run in order
in one thread. psycopg waits for the server without holding the GIL, so while the server works
on one batch the main thread prepares the next one.

A worker uses the Django connection's own psycopg connection, and therefore the import's
transaction; or, with ``own_connection=True``, a connection of its own in autocommit, for reads
that may see only committed rows (the import loads its candidates that way, on a second server
process, while the first one writes).

Rules for the caller: inside the ``with`` block the main thread neither begins nor ends a
transaction or savepoint, and runs no query of its own while a job may be in a COPY (a plain
query is safe beside SELECT jobs: psycopg lets one thread at a time use the connection). A job
is a function of a DB-API cursor. On other databases (SQLite in the tests) each job runs at
once on a Django cursor, so both paths run the same jobs.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from django.db import connection

Job = Callable[[Any], None]


class DbWorker:
    """Runs database jobs in submission order; the first error stops the rest and is raised,
    as Django would raise it (``IntegrityError``…), by ``wait`` or when the ``with`` block ends."""

    def __init__(self, own_connection: bool = False) -> None:
        self.threaded = connection.vendor == "postgresql"
        self.own_connection = own_connection and self.threaded
        self.error: BaseException | None = None
        self._jobs: queue.SimpleQueue[tuple[Job, threading.Event] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._raw: Any = None

    def __enter__(self) -> DbWorker:
        if self.threaded:
            if self.own_connection:
                import psycopg  # PostgreSQL only (the threaded path)

                self._raw = psycopg.connect(**connection.get_connection_params())
                self._raw.autocommit = True
                raw = self._raw
            else:
                connection.ensure_connection()
                raw = connection.connection
            self._thread = threading.Thread(target=self._run, args=(raw,), name="absent-import-db", daemon=True)
            self._thread.start()
        return self

    def submit(self, job: Job) -> threading.Event:
        """Queue ``job``; the event is set once it has run (or been skipped after an error)."""
        done = threading.Event()
        if not self.threaded:
            with connection.cursor() as cursor:
                job(cursor)
            done.set()
        elif self.error is None:
            self._jobs.put((job, done))
        else:
            done.set()
        return done

    def wait(self, done: threading.Event) -> None:
        """Until the job of ``done`` has run; raises the worker's error, if any."""
        done.wait()
        self._raise()

    def _run(self, raw: Any) -> None:
        with raw.cursor() as cursor:
            while (item := self._jobs.get()) is not None:
                job, done = item
                if self.error is None:
                    try:
                        job(cursor)
                    except BaseException as exc:  # handed to the main thread, raised there
                        self.error = exc
                done.set()

    def _raise(self) -> None:
        if self.error is not None:
            with connection.wrap_database_errors:
                raise self.error

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # Always stop the thread first: the transaction must not be rolled back or committed
        # while a job still uses the connection.
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None
        if self._raw is not None:
            self._raw.close()
            self._raw = None
        if exc is None:
            self._raise()
