"""The channels' senders, each speaking its provider's documented protocol.

- **E-mail**: SMTP with :mod:`smtplib` (STARTTLS and log-in when configured).
- **SMS**: eSMS.vn's brandname SMS API, ``POST …/MainService.svc/json/SendMultipleMessage_V4_post_json/``
  with a JSON body ``ApiKey, SecretKey, Phone, Content, Brandname, SmsType="2"`` (customer care),
  ``IsUnicode, Sandbox, RequestId``; the answer ``{"CodeResult": "100", "SMSID": …}`` on success, another
  ``CodeResult`` and ``ErrorMessage`` otherwise. Doc: https://developers.esms.vn/en/esms-api/send-sms-api/
  send-otp-customer-care-message. eSMS documents ``RequestId`` as preventing a duplicated request, so a
  send whose answer was lost is sent again with the same ``RequestId``.
- **Zalo**: Zalo Notification Service (ZNS) template message, ``POST
  https://business.openapi.zalo.me/message/template`` with header ``access_token`` and JSON body
  ``phone`` (84…), ``template_id``, ``template_data``, ``tracking_id``; the answer ``{"error": 0,
  "message": "Success", "data": {"msg_id": …}}``, ``error`` ≠ 0 on failure. Doc: Zalo's ZNS reference
  (developers.zalo.me/docs/zalo-notification-service, not reachable from here; the shape was checked
  against a maintained SDK's endpoint table and types). ZNS documents ``tracking_id`` for reconciliation,
  not as de-duplication: a lost answer is not sent again (state ``unknown``).

The template of the ZNS message must be registered and approved by Zalo with the parameters
``ma_ho_so``, ``tinh_trang``, ``ngay_hen``, ``noi_dung`` (server/notices/messages.py); no official
province template was found, so its id is configuration.

Each sender raises :class:`Refused` when the provider answered no (safe to retry later) and
:class:`Unknown` when the outcome is unknown (the request may have been delivered).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

import httpx

ESMS_URL = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
ZNS_URL = "https://business.openapi.zalo.me/message/template"


class Refused(Exception):
    """The provider refused or could not be reached before anything was sent: retry later."""


class Unknown(Exception):
    """The request may have been delivered (the answer was lost)."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    key: str  # the notice's idempotency key (RequestId / tracking_id / Message-ID)
    recipient: str
    subject: str
    body: str
    params: dict[str, str]


class Sender(Protocol):
    #: The provider de-duplicates a resend with the same key (resending after Unknown is safe).
    idempotent: bool

    def send(self, msg: Outgoing) -> str:
        """Send; the provider's reference of the message."""
        ...


@dataclass
class SmtpSender:
    host: str
    port: int = 25
    sender: str = "motcua@localhost"
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 20.0
    idempotent: bool = False

    def send(self, msg: Outgoing) -> str:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = msg.recipient
        mail["Subject"] = msg.subject
        message_id = make_msgid(idstring=msg.key.replace("-", ""), domain=self.sender.rsplit("@", 1)[-1])
        mail["Message-ID"] = message_id
        mail.set_content(msg.body)
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except OSError as exc:
            raise Refused(f"SMTP {self.host}:{self.port}: {exc}") from exc
        try:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            refused = smtp.send_message(mail)
        except (
            smtplib.SMTPRecipientsRefused,
            smtplib.SMTPSenderRefused,
            smtplib.SMTPAuthenticationError,
        ) as exc:
            raise Refused(f"SMTP refused: {exc}") from exc
        except smtplib.SMTPDataError as exc:
            if 400 <= exc.smtp_code < 500:
                raise Refused(f"SMTP temporary failure: {exc}") from exc
            raise Refused(f"SMTP refused the message: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Possibly after the end of DATA: the server may have taken the message.
            raise Unknown(f"SMTP outcome unknown: {exc}") from exc
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
        if refused:
            raise Refused(f"SMTP refused {', '.join(refused)}")
        return message_id


def _international(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "84" + digits[1:] if digits.startswith("0") else digits


def _post(url: str, body: dict[str, object], headers: dict[str, str], timeout: float) -> dict[str, object]:
    try:
        r = httpx.post(url, json=body, headers=headers, timeout=timeout)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise Refused(f"{url}: {exc}") from exc
    except httpx.HTTPError as exc:
        raise Unknown(f"{url}: {exc}") from exc
    if r.status_code >= 500:
        raise Unknown(f"{url}: HTTP {r.status_code}")
    if r.status_code >= 400:
        raise Refused(f"{url}: HTTP {r.status_code} {r.text[:200]}")
    try:
        data = r.json()
    except ValueError as exc:
        raise Unknown(f"{url}: the answer is not JSON") from exc
    if not isinstance(data, dict):
        raise Unknown(f"{url}: unexpected answer {str(data)[:200]}")
    return data


@dataclass
class EsmsSender:
    api_key: str
    secret_key: str
    brandname: str
    url: str = ESMS_URL
    sandbox: bool = False
    timeout: float = 20.0
    idempotent: bool = True

    def send(self, msg: Outgoing) -> str:
        body: dict[str, object] = {
            "ApiKey": self.api_key,
            "SecretKey": self.secret_key,
            "Phone": "0" + _international(msg.recipient)[2:],
            "Content": msg.body,
            "Brandname": self.brandname,
            "SmsType": "2",
            "IsUnicode": "0",
            "Sandbox": "1" if self.sandbox else "0",
            "RequestId": msg.key,
        }
        data = _post(self.url, body, {}, self.timeout)
        if str(data.get("CodeResult")) != "100":
            raise Refused(f"eSMS CodeResult {data.get('CodeResult')}: {data.get('ErrorMessage', '')}")
        return str(data.get("SMSID", ""))


@dataclass
class ZnsSender:
    access_token: str
    template_id: str
    url: str = ZNS_URL
    timeout: float = 20.0
    idempotent: bool = False

    def send(self, msg: Outgoing) -> str:
        body: dict[str, object] = {
            "phone": _international(msg.recipient),
            "template_id": self.template_id,
            "template_data": msg.params,
            "tracking_id": msg.key,
        }
        data = _post(self.url, body, {"access_token": self.access_token}, self.timeout)
        if data.get("error") != 0:
            raise Refused(f"ZNS error {data.get('error')}: {data.get('message', '')}")
        inner = data.get("data")
        return str(inner.get("msg_id", "")) if isinstance(inner, dict) else ""


def senders_from_env(env: dict[str, str] | None = None) -> dict[str, Sender]:
    """The channels configured by environment variables (README, Provincial server › Notices)."""
    e = dict(os.environ if env is None else env)
    out: dict[str, Sender] = {}
    if e.get("MOTCUA_SMTP_HOST"):
        out["email"] = SmtpSender(
            host=e["MOTCUA_SMTP_HOST"],
            port=int(e.get("MOTCUA_SMTP_PORT", "25")),
            sender=e.get("MOTCUA_SMTP_FROM", "motcua@localhost"),
            username=e.get("MOTCUA_SMTP_USER", ""),
            password=e.get("MOTCUA_SMTP_PASSWORD", ""),
            starttls=e.get("MOTCUA_SMTP_STARTTLS", "") == "1",
        )
    if e.get("MOTCUA_ESMS_API_KEY"):
        out["sms"] = EsmsSender(
            api_key=e["MOTCUA_ESMS_API_KEY"],
            secret_key=e.get("MOTCUA_ESMS_SECRET_KEY", ""),
            brandname=e.get("MOTCUA_ESMS_BRANDNAME", ""),
            url=e.get("MOTCUA_ESMS_URL", ESMS_URL),
            sandbox=e.get("MOTCUA_ESMS_SANDBOX", "") == "1",
        )
    if e.get("MOTCUA_ZNS_ACCESS_TOKEN"):
        out["zalo"] = ZnsSender(
            access_token=e["MOTCUA_ZNS_ACCESS_TOKEN"],
            template_id=e.get("MOTCUA_ZNS_TEMPLATE_ID", ""),
            url=e.get("MOTCUA_ZNS_URL", ZNS_URL),
        )
    return out
