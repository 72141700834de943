"""Background tasks of the people app (Django's tasks framework; the database backend)."""

from __future__ import annotations

from django.db import connection
from django.tasks import task

NAME_INDEX = "person_name_key_trgm"  # people/migrations/0002 (created), 0009 (default pending list)


def merge_pending_names() -> int:
    """Merge the pending entries of the trigram name index into its tree; returns the pages merged.

    PostgreSQL only (0 elsewhere). The names a big import added last are still in the pending
    list (up to PostgreSQL's 4 MB); searches read them there until this runs.
    """
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [NAME_INDEX])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [NAME_INDEX])
        return int(cursor.fetchone()[0])


@task
def merge_name_index() -> int:
    """After an absent-list import: see ``merge_pending_names``."""
    return merge_pending_names()
