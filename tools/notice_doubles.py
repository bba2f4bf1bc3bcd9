"""Local doubles of the notice providers' HTTP APIs, for tests and demos (loopback only).

- :class:`EsmsDouble` answers ``POST /MainService.svc/json/SendMultipleMessage_V4_post_json/`` as eSMS.vn
  documents it (JSON body with ApiKey, SecretKey, Phone, Content, Brandname, SmsType, RequestId…;
  ``{"CodeResult": "100", "SMSID": …}``) and, as documented, does not send a request twice with the same
  ``RequestId``.
- :class:`ZnsDouble` answers ``POST /message/template`` as Zalo's ZNS (header ``access_token``; body
  ``phone``, ``template_id``, ``template_data``, ``tracking_id``; ``{"error": 0, "message": "Success",
  "data": {"msg_id": …}}``).

Faults to inject, one per request, in order (``double.faults.append(...)``): ``"refuse"`` (the provider's
error answer), ``"http500"``, ``"drop"`` (the message is taken, then the connection closes without an
answer: an unknown outcome for the sender).

    python tools/notice_doubles.py      # both on 127.0.0.1, ports printed, until Ctrl-C
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ESMS_PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
ZNS_PATH = "/message/template"


class _Double:
    path = ""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.delivered: list[dict[str, Any]] = []
        self.faults: list[str] = []
        self.lock = threading.Lock()
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path != double.path:
                    self._answer(404, {"error": "not found"})
                    return
                try:
                    body = json.loads(raw)
                except ValueError:
                    self._answer(400, {"error": "bad json"})
                    return
                with double.lock:
                    fault = double.faults.pop(0) if double.faults else ""
                    double.requests.append({"headers": dict(self.headers), "body": body})
                if fault == "http500":
                    self._answer(500, {"error": "internal"})
                    return
                if fault == "refuse":
                    self._answer(200, double.refusal())
                    return
                answer = double.accept(body, dict(self.headers))
                if fault == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                self._answer(200, answer)

            def _answer(self, status: int, data: dict[str, Any]) -> None:
                out = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{self.path}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def refusal(self) -> dict[str, Any]:
        raise NotImplementedError

    def accept(self, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        raise NotImplementedError

    def __enter__(self) -> _Double:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class EsmsDouble(_Double):
    path = ESMS_PATH

    def __init__(self, api_key: str = "key", secret_key: str = "secret") -> None:
        self.api_key, self.secret_key = api_key, secret_key
        self.by_request_id: dict[str, str] = {}
        super().__init__()

    def refusal(self) -> dict[str, Any]:
        return {"CodeResult": "99", "ErrorMessage": "Lỗi không xác định"}

    def accept(self, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        if body.get("ApiKey") != self.api_key or body.get("SecretKey") != self.secret_key:
            return {"CodeResult": "101", "ErrorMessage": "Sai ApiKey hoặc SecretKey"}
        for key in ("Phone", "Content", "Brandname", "SmsType"):
            if not body.get(key):
                return {"CodeResult": "99", "ErrorMessage": f"Thiếu {key}"}
        with self.lock:
            rid = str(body.get("RequestId") or "")
            if rid and rid in self.by_request_id:  # documented: a duplicated request is not sent again
                return {"CodeResult": "100", "SMSID": self.by_request_id[rid]}
            sms_id = uuid.uuid4().hex
            if rid:
                self.by_request_id[rid] = sms_id
            self.delivered.append(body)
        return {"CodeResult": "100", "CountRegenerate": 0, "SMSID": sms_id}


class ZnsDouble(_Double):
    path = ZNS_PATH

    def __init__(self, access_token: str = "token") -> None:
        self.access_token = access_token
        super().__init__()

    def refusal(self) -> dict[str, Any]:
        return {"error": -124, "message": "Access token is invalid"}

    def accept(self, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        if headers.get("access_token") != self.access_token:
            return {"error": -124, "message": "Access token is invalid"}
        phone = str(body.get("phone", ""))
        if (
            not phone.startswith("84")
            or not body.get("template_id")
            or not isinstance(body.get("template_data"), dict)
        ):
            return {"error": -108, "message": "Invalid parameters"}
        with self.lock:
            self.delivered.append(body)
        return {"error": 0, "message": "Success", "data": {"msg_id": uuid.uuid4().hex, "sent_time": "0"}}


if __name__ == "__main__":
    with EsmsDouble() as esms, ZnsDouble() as zns:
        print(f"eSMS double: {esms.url}\nZNS double:  {zns.url}")
        threading.Event().wait()
