"""Transport rules of the desk's connection to the provincial server (issue 16, D5 and D11).

* Plain ``http://`` only to a loopback address (a server on this very machine, for tests and trials): the
  one-time enrolment code, the device token and operators' passwords travel in this connection.
* A TLS failure is named for what it is (certificate not trusted, name mismatch, expired, other), in
  Vietnamese with its English twin, and logged: a man-in-the-middle attempt must not look like an outage.
"""

from __future__ import annotations

import ipaddress
import logging
import ssl
from urllib.parse import urlsplit

from app.domain.errors import Problem

log = logging.getLogger(__name__)

#: OpenSSL's X509_V_ERR_* codes (openssl/x509_vfy.h) the operator's message tells apart.
_UNTRUSTED = {
    18,  # DEPTH_ZERO_SELF_SIGNED_CERT
    19,  # SELF_SIGNED_CERT_IN_CHAIN
    20,  # UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    21,  # UNABLE_TO_VERIFY_LEAF_SIGNATURE
    2,  # UNABLE_TO_GET_ISSUER_CERT
}
_EXPIRED = {10}  # CERT_HAS_EXPIRED
_NOT_YET_VALID = {9}  # CERT_NOT_YET_VALID
_NAME_MISMATCH = {62}  # HOSTNAME_MISMATCH (also IP_ADDRESS_MISMATCH = 64)


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def insecure_problem(url: str) -> Problem | None:
    """Why the desk refuses ``url`` as the server address (None: acceptable)."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme == "https" and host:
        return None
    if scheme == "http" and is_loopback(host):
        return None
    return Problem(
        "sync.insecure",
        f"Địa chỉ máy chủ {url} không dùng https://. Mã đăng ký, mã thiết bị và mật khẩu cán bộ sẽ đi qua "
        "mạng dưới dạng không mã hóa, nên phần mềm từ chối. Hãy dùng địa chỉ https:// do bộ phận kỹ thuật "
        "của tỉnh cung cấp (http:// chỉ được dùng với máy chủ chạy ngay trên máy này).",
        f"The server address {url} does not use https://. The enrolment code, the device token and "
        "operators' passwords would cross the network unencrypted, so it is refused. Use the https:// "
        "address given by the province's IT support (http:// only for a server on this machine).",
        "server",
    )


def _verification_error(exc: BaseException) -> ssl.SSLError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return current
        current = current.__cause__ or current.__context__
    return None


def tls_problem(exc: BaseException, url: str) -> Problem | None:
    """The operator's explanation of a TLS failure somewhere in ``exc``'s chain, else None (logged)."""
    err = _verification_error(exc)
    if err is None:
        return None
    code = getattr(err, "verify_code", None)
    detail = getattr(err, "verify_message", None) or getattr(err, "reason", None) or str(err)
    if code in _UNTRUSTED:
        key, vi, en = (
            "tls.untrusted",
            "chứng chỉ của máy chủ không được tin cậy (không do tổ chức cấp chứng chỉ được công nhận cấp, "
            "hoặc là chứng chỉ tự ký)",
            "the server's certificate is not trusted (not issued by a recognised authority, or self-signed)",
        )
    elif code in _NAME_MISMATCH or code == 64:
        key, vi, en = (
            "tls.name_mismatch",
            "chứng chỉ của máy chủ mang tên khác với địa chỉ đang kết nối",
            "the server's certificate is for another name than the address connected to",
        )
    elif code in _EXPIRED:
        key, vi, en = (
            "tls.expired",
            "chứng chỉ của máy chủ đã hết hạn",
            "the server's certificate has expired",
        )
    elif code in _NOT_YET_VALID:
        key, vi, en = (
            "tls.not_yet_valid",
            "chứng chỉ của máy chủ chưa có hiệu lực (hoặc đồng hồ máy này sai)",
            "the server's certificate is not valid yet (or this machine's clock is wrong)",
        )
    else:
        key, vi, en = "tls.failed", "kết nối bảo mật (TLS) thất bại", "the secure (TLS) connection failed"
    log.warning("TLS failure with %s: %s (%s, verify code %s)", url, key, detail, code)
    return Problem(
        key,
        f"Không kết nối an toàn được tới máy chủ tỉnh {url}: {vi} ({detail}). Có thể đường truyền đang bị "
        "can thiệp. Không gửi dữ liệu; hãy báo ngay bộ phận kỹ thuật của tỉnh.",
        f"No secure connection to the provincial server {url}: {en} ({detail}). The connection may be "
        "tampered with. Nothing was sent; tell the province's IT support now.",
    )
