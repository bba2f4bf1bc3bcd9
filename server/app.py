"""The FastAPI application: ``create_app(db_url)``.

Every error is answered as ``{"detail": {"code", "vi", "en", "field"?}, "server_time"}``: 4xx for anything
the request got wrong (FastAPI's schema violations included, as 422), 503 when the database is unavailable
or too busy (the client retries), and 500 only for a bug of ours.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.domain.errors import DomainError, Problem
from server import __version__
from server.api.files import files_router
from server.api.guard import CatchAll, deduplicate
from server.api.middleware import BodyLimit
from server.api.routes import health_router, router
from server.blobs import open_store as open_blob_store
from server.db import Database, check_schema
from server.errors import ApiError, error_body, unavailable
from server.web.routes import web_router

log = deduplicate(logging.getLogger(__name__))

#: Environment variable naming the database for ``app_from_env`` (used by ``serve --workers N``).
DB_URL_ENV = "MOTCUA_SERVER_DB"
#: Environment variable setting the endpoints' thread pool size per worker process.
THREADS_ENV = "MOTCUA_SERVER_THREADS"
DEFAULT_THREADS = 8
#: Environment variable that turns on ``/docs``, ``/redoc`` and ``/openapi.json`` ("1"; ``serve --docs``).
DOCS_ENV = "MOTCUA_SERVER_DOCS"


def error_response(status: int, problem: Problem, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(problem), status_code=status, headers=headers)


_HTTP_VI = {
    400: "Yêu cầu không hợp lệ.",
    404: "Không có địa chỉ này trên máy chủ đồng bộ.",
    405: "Địa chỉ này không nhận phương thức HTTP đã dùng.",
    406: "Máy chủ chỉ trả lời dạng JSON.",
    415: "Máy chủ chỉ nhận dữ liệu dạng JSON.",
}


def _http_problem(status: int, detail: Any) -> Problem:
    en = detail if isinstance(detail, str) and detail else f"HTTP error {status}."
    vi = _HTTP_VI.get(status, f"Lỗi HTTP {status}.")
    return Problem(f"http.{status}", vi, en if en.endswith(".") else en + ".")


def _validation_problem(exc: RequestValidationError) -> Problem:
    errors = list(exc.errors())
    if not errors:
        return Problem("request.invalid", "Dữ liệu gửi lên không hợp lệ.", "The request is invalid.")
    first = errors[0]
    if first.get("type") == "json_invalid":
        return Problem(
            "request.json",
            "Dữ liệu gửi lên không phải JSON hợp lệ.",
            "The request body is not valid JSON.",
            "body",
        )
    where = ".".join(str(x) for x in first.get("loc", ()))
    msg = str(first.get("msg", "invalid"))
    more_vi = f" (và {len(errors) - 1} lỗi khác)" if len(errors) > 1 else ""
    more_en = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return Problem(
        "request.invalid",
        f"Dữ liệu gửi lên không hợp lệ ở «{where}»: {msg}{more_vi}.",
        f"Invalid request data at {where!r}: {msg}{more_en}.",
        where[:200] or None,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.problem, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, _validation_problem(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, _http_problem(exc.status_code, exc.detail), exc.headers)

    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        return error_response(422, exc.problems[0])

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeoutError)
    async def _db_down(_request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", exc)
        err = unavailable()
        return error_response(err.status, err.problem, err.headers)

    @app.exception_handler(DataError)
    async def _data(_request: Request, exc: DataError) -> JSONResponse:
        log.warning("data refused by the database (a validation gap): %s", exc)
        return error_response(
            422,
            Problem(
                "request.data",
                "Cơ sở dữ liệu máy chủ không nhận dữ liệu này (giá trị quá dài hoặc sai kiểu).",
                "The server database refused this data (a value too long or of the wrong type).",
            ),
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity error: %s", exc)
        return error_response(
            409,
            Problem(
                "request.conflict",
                "Yêu cầu xung đột với dữ liệu đang có trên máy chủ: hãy thử lại.",
                "The request conflicts with data on the server: try again.",
            ),
        )


def create_app(
    db_url: str,
    *,
    check: bool = True,
    threads: int | None = None,
    docs: bool | None = None,
    blob_dir: Path | None = None,
    blob_store: str | None = None,
    freeze: bool = False,
) -> FastAPI:
    """The API on the database at ``db_url`` (migrated beforehand with ``motcua-server init``).

    ``threads``: the size of the worker thread pool running the endpoints (default
    ``$MOTCUA_SERVER_THREADS`` or :data:`DEFAULT_THREADS`). ``docs``: serve ``/docs``, ``/redoc`` and
    ``/openapi.json`` (default: only when ``$MOTCUA_SERVER_DOCS`` is "1"; off in production).
    ``blob_store``: ``fs`` or ``postgres`` (default ``$MOTCUA_BLOB_STORE`` or ``fs``), ``blob_dir`` the
    folder of ``fs`` (default ``$MOTCUA_BLOB_DIR`` or ``motcua-blobs``). ``freeze``: the process serves
    only this app (``motcua-server serve``): what exists once it has started is moved out of the cyclic
    collector's reach (never in a process that goes on making other objects, such as the tests)."""
    threads = threads or int(os.environ.get(THREADS_ENV) or DEFAULT_THREADS)
    if docs is None:
        docs = os.environ.get(DOCS_ENV, "").strip() == "1"
    db = Database(db_url)
    try:
        if check:
            check_schema(db.engine)
        files_store = open_blob_store(db, blob_store, blob_dir)
    except BaseException:
        db.dispose()
        raise

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The endpoints run in anyio's thread pool (40 threads by default). Each request holds the GIL
        # for most of its time, so more threads than database connections worth using only make them
        # wait for the GIL, also while a push holds the change feed's lock (server.sync).
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        if freeze:
            # What exists once the app is built (modules, routes, models: ~135,000 objects) lives as long
            # as the process: out of the cyclic collector's reach, a full collection no longer rescans it
            # (one took 89 ms in the middle of an upload round, holding the GIL and so every request).
            gc.freeze()
        yield
        db.dispose()

    app = FastAPI(
        title="Một Cửa Desk – provincial sync server",
        version=__version__,
        summary="Sync protocol v1 between the one-stop centres' workstations and the provincial server.",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.db = db
    install_error_handlers(app)
    app.include_router(health_router)
    app.include_router(router)
    app.include_router(web_router)
    from server.dashboard import router as dashboard_router  # the province's dashboard (HTML)

    app.include_router(dashboard_router)
    app.state.blobs = files_store
    app.include_router(files_router)
    app.add_middleware(BodyLimit)
    app.add_middleware(CatchAll)  # outermost of ours: a bug is answered and logged here, deduplicated
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory server.app:app_from_env`` (several workers).

    Reads the database URL from ``MOTCUA_SERVER_DB``.
    """
    return create_app(os.environ[DB_URL_ENV], freeze=True)
