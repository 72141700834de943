"""Background tasks of the declarations app (Django's tasks framework; the database backend)."""

from __future__ import annotations

from django.tasks import task


@task
def process_pending_declarations() -> int:
    """Match and flag every declaration waiting since it was stored (declarations.processing)."""
    from phongdich.declarations.processing import drain

    return drain()
