"""The mails of the sign-up form: "confirm your subscription", and "you are subscribed
already" (with the preference link) for a repeat sign-up; in English or Russian.

They go straight out over SMTP, not through the outbox: they belong to no change event,
and a lost one is replaced by signing up again.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape

from core.addresses import check_mailbox, domain_of, header_address
from core.config import Email
from core.models import utcnow
from notifier.base import DeliveryError
from notifier.email.smtp import SmtpSender

log = logging.getLogger(__name__)

WORDS = {
    "en": {
        "confirm_subject": "Confirm your subscription to CSTO news",
        "confirm_body": "Someone, hopefully you, asked to receive news of the CSTO site "
                        "by email at {address}.\n\nTo confirm, open this link within "
                        "{hours} hours:\n{url}\n\nIf it was not you, ignore this mail: "
                        "nothing more will be sent.",
        "known_subject": "Your subscription to CSTO news",
        "known_body": "Someone, hopefully you, asked to subscribe {address} to news of "
                      "the CSTO site. This address is subscribed already.\n\nTo change "
                      "what you receive, pause or unsubscribe, open your preference "
                      "page:\n{url}\n\nIf it was not you, ignore this mail.",
    },
    "ru": {
        "confirm_subject": "Подтвердите подписку на новости ОДКБ",
        "confirm_body": "Кто-то, надеемся вы, попросил присылать новости сайта ОДКБ на "
                        "адрес {address}.\n\nЧтобы подтвердить, откройте эту ссылку в "
                        "течение {hours} часов:\n{url}\n\nЕсли это были не вы, не "
                        "отвечайте на это письмо: больше ничего не придёт.",
        "known_subject": "Ваша подписка на новости ОДКБ",
        "known_body": "Кто-то, надеемся вы, попросил подписать адрес {address} на "
                      "новости сайта ОДКБ. Этот адрес уже подписан.\n\nЧтобы изменить "
                      "настройки, приостановить рассылку или отписаться, откройте "
                      "страницу настроек:\n{url}\n\nЕсли это были не вы, не обращайте "
                      "внимания на это письмо.",
    },
}


def _html(text: str, url: str) -> str:
    paragraphs = []
    for block in text.split("\n\n"):
        lines = [f'<a href="{escape(url)}">{escape(url)}</a>' if line == url else escape(line)
                 for line in block.split("\n")]
        paragraphs.append("<p>" + "<br>".join(lines) + "</p>")
    return ('<!doctype html><html><body style="font-family:sans-serif;max-width:600px">'
            + "".join(paragraphs) + "</body></html>")


def account_message(config: Email, to: str, language: str, kind: str, url: str,
                    hours: int = 48) -> EmailMessage:
    """`kind` "confirm" or "known"; `to` is a validated address, `url` the link."""
    assert config.sender is not None
    w = WORDS.get(language, WORDS["en"])
    text = w[f"{kind}_body"].format(address=to, url=url, hours=hours)
    msg = EmailMessage()
    msg["From"] = header_address(config.sender)
    msg["To"] = to
    if config.reply_to:
        msg["Reply-To"] = header_address(config.reply_to)
    msg["Subject"] = w[f"{kind}_subject"]
    msg["Date"] = format_datetime(utcnow())
    unique = hashlib.sha256(secrets.token_bytes(16)).hexdigest()[:32]
    msg["Message-ID"] = f"<{unique}@{domain_of(config.sender)}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(_html(text, url), subtype="html")
    return msg


async def send_account_message(config: Email, message: EmailMessage, to: str) -> bool:
    """Send over a connection of its own; False (logged) when the server refused it."""
    sender = SmtpSender(config, check_mailbox(config.sender or "")[1])
    try:
        await sender.send(message, to)
        return True
    except DeliveryError as exc:
        log.warning("sign-up mail to %s not sent: %s", to, exc)
        return False
    finally:
        await sender.close()
