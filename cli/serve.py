"""`clause serve`: the decision service over HTTP, on uvicorn, with its ledger and audit log.

Thin: parse options, open the service through `engine.api.serve`, hand its app to uvicorn.
`register(app)` adds the command. The `serve` extra must be installed (`pip install
'clause[serve]'`); without it the command says so in one line (U006).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.source import Span

LibraryOption = Annotated[
    Path | None,
    typer.Option("--library", help="Policy library folder (default: policies/)."),
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="sqlite:///FILE (default sqlite:///clause.db, or $CLAUSE_DB) or postgresql://…",
    ),
]
KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        help="Secret key for hashing personal data (default: beside the SQLite file, "
        "$CLAUSE_PII_KEY_FILE, or clause-pii.key); created on first start.",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the `serve` command to the app."""
    app.command("serve")(serve_command)


def need_serve_extra() -> None:
    """Fail with U006 when the `serve` extra is not installed."""
    try:
        import sqlalchemy  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as err:
        message = f"this command needs the serve extra ({err.name} is missing): " + (
            "pip install 'clause[serve]'"
        )
        raise DiagnosticError(
            [Diagnostic("U006", message, Span("<command line>", 1, 1, 1, 1))]
        ) from None


def serve_command(
    library: LibraryOption = None,
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port.")] = 8000,
    key_file: KeyOption = None,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every request.")
    ] = False,
) -> None:
    """Serve decisions over HTTP: POST /v1/decide, POST /v1/apply, GET /v1/decisions/{id},
    GET /v1/rules, GET /v1/health; the OpenAPI description at /openapi.json."""
    need_serve_extra()
    import uvicorn

    from clause.engine.api import serve

    service, asgi = serve.open_service(library, db, key_file)
    typer.echo(
        f"clause serve: {service.library.digest} on {service.db.dialect}, "
        f"http://{host}:{port}/openapi.json",
        err=True,
    )
    try:
        uvicorn.run(asgi, host=host, port=port, access_log=access_log, log_level="warning")
    finally:
        service.db.close()
