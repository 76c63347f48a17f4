"""Electronic delivery runs on the worker: converting to PDF takes LibreOffice seconds."""

import logging

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


log = logging.getLogger("ogi.portal")


def on_letter_issued(letter) -> None:
    """letters.hooks.after_issue: queue the electronic delivery of the issued letter. Issuing
    never fails because of delivery: a failure here is logged and the row shows it (retried)."""
    try:
        portal_letter_deliver.delay(letter.pk)
    except Exception:  # eager mode runs the task here; its failure is on the notification row
        log.exception("electronic delivery of letter %s failed", letter.pk)
