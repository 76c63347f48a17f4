"""Electronic delivery runs on the worker: converting to PDF takes LibreOffice seconds."""

from celery import shared_task

from .services import letter_deliver_electronically


@shared_task(
    name="portal.letter_deliver",
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=5,
)
def portal_letter_deliver(letter_id: int) -> list[str]:
    return letter_deliver_electronically(letter_id)


def on_letter_issued(letter) -> None:
    """letters.hooks.after_issue: queue the electronic delivery of the issued letter."""
    portal_letter_deliver.delay(letter.pk)
