"""Celery tasks of the accounts app; each is a thin door into a service module."""

from celery import shared_task

from bawaba.accounts.maintenance import accounts_maintenance


@shared_task(name="accounts.maintenance", ignore_result=True)
def accounts_maintenance_task() -> None:
    accounts_maintenance()
