from portal.tasks import ping


def test_a_task_is_done_by_a_real_worker_on_the_test_database(transactional_db, celery_worker):
    from django.db import connection

    result = ping.delay().get(timeout=30)
    assert result == {"pong": True, "database": connection.settings_dict["NAME"]}
