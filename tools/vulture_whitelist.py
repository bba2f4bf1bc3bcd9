"""Names vulture cannot see being used (`make test` runs vulture with the [tool.vulture] settings of
pyproject.toml, which list this file among its paths). Every entry says who uses it. Vulture matches by
name, so an entry keeps that name alive everywhere: keep the list short and the names specific.

Not listed here but in ignore_names/ignore_decorators of pyproject.toml: pytest hooks and `pytestmark`,
pytest fixtures, and FastAPI's decorated handlers (the framework calls them by registration).
"""

_ = object()

# --- Called by a framework through an overridden method --------------------------------------------------
_.handleError  # logging.Handler.handleError, overridden by app.bootstrap.QuietRotatingFileHandler
_.columnCount  # QAbstractItemModel.columnCount, called by Qt's views (app.ui.desk)
_.log_message  # http.server.BaseHTTPRequestHandler (tests/faults/test_faults_proxy.py)
_.do_GET  # http.server.BaseHTTPRequestHandler dispatch by method name (same test)
_.delete_password  # keyring.backend.KeyringBackend API of the in-memory test backends
_.is_closing  # asyncio.Transport API of a fake transport (tests/server/test_server_nodelay.py)

# --- Arguments a caller's signature imposes ---------------------------------------------------------------
_.record  # logging.Handler.handleError(record)
_.exc_type  # __exit__(exc_type, exc, tb) of the context managers
_.tb  # same
_.parent_names  # Alembic include_name(name, type_, parent_names) hook (app/models/migrations/env_filters)
_.autogen_context  # Alembic's render_item(type_, obj, autogen_context) hook (server/migrations/env.py)

# Fixtures a test requests only for their effect (pytest injects them by parameter name)
_.qapp  # pytest-qt: the QApplication exists (tests/ui/test_qt_references.py)
_.no_event_loop  # tests/ui/test_shell.py

# --- Attributes read by a library after we set them -------------------------------------------------------
_.impl  # sqlalchemy TypeDecorator.impl (JSONText, in app/models/base.py and server/models.py)
_.cache_ok  # sqlalchemy TypeDecorator.cache_ok (same)
_.isolation_level  # sqlite3.Connection.isolation_level, set to None in the connect hooks of both stores
_.total_tokens  # anyio CapacityLimiter.total_tokens (server/app.py: the endpoint thread pool)
_.should_exit  # uvicorn.Server.should_exit (tests/server/conftest.py stops the test server)
_.daemon_threads  # socketserver.ThreadingMixIn.daemon_threads (tests/faults/test_faults_proxy.py)
_.protocol_version  # http.server.BaseHTTPRequestHandler.protocol_version (same)
_.model_config  # pydantic BaseModel.model_config (app/sync/protocol.py)
# openpyxl cell, sheet and workbook properties written by app/print/xlsx.py and read when saving
_.alignment
_.border
_.number_format
_.print_title_rows
_.paperSize
_.fitToWidth
_.fitToHeight
_.fitToPage
_.creator
_.modified

# --- Columns and fields that are data, not code -----------------------------------------------------------
# ORM columns: part of the schema (Alembic's no-drift test compares them with the migrations) and of the
# rows written, even when no Python code reads them back.
_.server_id  # app.models.entities (the server's id of a pulled row)
_.granted_at  # app.models.entities.NumberLease, server.models.Lease
_.operator_id  # app.models.entities.Dossier; also OperatorSession.operator_id (a dataclass field)
_.origin  # app.models.entities
_.sent_at  # app.models.entities.OutboxEntry
_.first_login_at  # server.models.DeviceOperator (when an operator first logged in through a device)
_.last_login_at  # server.models.DeviceOperator
# Fields of frozen result records: part of their repr/eq and of the answer a service gives.
_.capped  # app.services.search.SearchPage: the count stopped at COUNT_CAP
_.logged_in_at  # app.services.session.OperatorSession
_.unsure  # app.sync.protocol.CatalogueItem (a JSON field of the national catalogue)
_.per  # app.contract.FeeRule: a wire field, read from the stored JSON by app.domain.rules.compute_fee
_.cap_per_copy  # app.contract.FeeRule: likewise
_.comment  # openpyxl Cell.comment, set in app/print/xlsx.py (the library reads it when saving)
_.synced  # tests/faults/harness.py run counters, shown in a failed run's repr

# --- Kept on purpose --------------------------------------------------------------------------------------
# The statements a future batch migration of `dossiers` must run (the module docstring says so); Alembic
# revision scripts are frozen copies, so they do not import them.
_.CREATE_SQL
_.REBUILD_SQL
_.app_from_env  # uvicorn --factory "server.app:app_from_env" (a string in server/cli.py)
_.close_connection  # read by http.server.BaseHTTPRequestHandler (tools/portal_sim.py faults)

# --- Read by the Jinja2 templates of the citizen pages (server/web/templates), not by Python -------------
_.next_step  # server.web.lookup.LookupView
_.overdue
_.centre_address
_.centre_hotline
_.fees
_.stopped_reason
_.new_date_reason
_.can_rate
_.binary_location  # selenium ChromeOptions, set by tests/server/test_citizen_browser.py
_.provider_ref  # server.models.Notice: the provider's message id, kept for reconciliation
_.handle_DATA  # aiosmtpd calls its handler's hook (tests/server/test_citizen_notices.py)
_.handle_starttag  # html.parser.HTMLParser's hook (tests/server/test_citizen_style.py)
_.dragEnterEvent  # Qt's drag-and-drop hooks of the digitising panel (app/ui/dialogs/digitise.py)
_.dropEvent
_.pushed_at  # server.models.DeviceAuditHead: when the head was last pushed, kept for IT
_._without_unset_text_layer  # pydantic @model_serializer of app.contract.FilesPayload (called by pydantic)
