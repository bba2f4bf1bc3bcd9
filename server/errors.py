"""Errors the server answers with: an HTTP status and a :class:`Problem` (Vietnamese, English twin)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from app.contract import ProblemBody, utc_now
from app.domain.errors import Problem


def first_error(err: ValidationError, *prefix: str) -> tuple[str, str]:
    """Where (dotted path, after ``prefix``) and what the first problem of a pydantic error is."""
    first = err.errors(include_url=False, include_input=False)[0]
    return ".".join(str(x) for x in (*prefix, *first["loc"])), str(first["msg"])


def wire_time(moment: datetime) -> str:
    """A UTC moment as the API writes it (``2026-11-28T09:00:00Z``)."""
    return moment.isoformat().replace("+00:00", "Z")


def error_body(problem: Problem) -> dict[str, Any]:
    """The JSON body of every error answer: ``{"detail": {code, vi, en, field}, "server_time"}``."""
    return {"detail": ProblemBody.of(problem).model_dump(mode="json"), "server_time": wire_time(utc_now())}


class ApiError(Exception):
    """Stop the request and answer ``status`` with ``{"detail": {code, vi, en}, "server_time"}``."""

    def __init__(self, status: int, problem: Problem, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.problem = problem
        self.headers = headers
        super().__init__(f"{status} {problem.code}: {problem.en}")


def scope_forbidden(what_vi: str, what_en: str) -> Problem:
    return Problem(
        "scope.forbidden",
        f"Máy trạm này không có quyền với {what_vi}: chỉ được gửi hồ sơ do trung tâm mình "
        "tiếp nhận hoặc hồ sơ được chuyển đến trung tâm mình.",
        f"This workstation has no rights over {what_en}: it may send only dossiers its centre received or "
        "dossiers forwarded to its centre.",
    )


def unauthorised() -> ApiError:
    return ApiError(
        401,
        Problem(
            "auth.device",
            "Máy trạm chưa được đăng ký với máy chủ hoặc mã xác thực không đúng: đăng ký lại "
            "máy trạm bằng mã đăng ký do quản trị viên cấp.",
            "This workstation is not enrolled with the server or its token is wrong: enrol it again with an "
            "enrolment code from the administrator.",
        ),
        {"WWW-Authenticate": "Bearer"},
    )


def revoked() -> ApiError:
    return ApiError(
        401,
        Problem(
            "auth.revoked",
            "Máy trạm này đã bị quản trị viên thu hồi quyền đồng bộ: liên hệ quản trị viên để đăng ký lại.",
            "This workstation's sync rights were revoked by the administrator: ask them to enrol it again.",
        ),
        {"WWW-Authenticate": "Bearer"},
    )


def busy() -> ApiError:
    return ApiError(
        503,
        Problem(
            "server.busy",
            "Máy chủ đang bận: máy trạm sẽ tự gửi lại sau ít phút.",
            "The server is busy: the workstation will try again in a few minutes.",
        ),
        {"Retry-After": "5"},
    )


def unavailable() -> ApiError:
    return ApiError(
        503,
        Problem(
            "server.unavailable",
            "Máy chủ tạm thời không truy cập được cơ sở dữ liệu: máy trạm sẽ tự thử lại sau ít phút.",
            "The server cannot reach its database for now: the workstation will try again in a few minutes.",
        ),
        {"Retry-After": "30"},
    )
