from celery import shared_task
from django.db import connection


@shared_task
def ping() -> dict:
    """Answers from a worker with the database it reaches: used by health checks and tests."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_database()" if connection.vendor == "postgresql" else "SELECT 1"
        )
        (database,) = cursor.fetchone()
    return {"pong": True, "database": str(database)}
