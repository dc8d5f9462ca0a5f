"""`clause serve`: the decision service over HTTP, on uvicorn, with its ledger and audit log.

Thin: parse options, open the service through `engine.api.serve`, hand its app to uvicorn.
`register(app)` adds the command. The `serve` extra must be installed (`pip install
'clause[serve]'`); without it the command says so in one line (U009). Imports only Typer at
start-up, like the rest of the command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clause.cli.errors import need_extra
from clause.cli.i18n import t
from clause.cli.options import LangOption, language

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
    """Fail with U009 when the `serve` extra is not installed."""
    need_extra("U009", ("sqlalchemy", "starlette", "uvicorn"))


def serve_command(
    library: LibraryOption = None,
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port.")] = 8000,
    key_file: KeyOption = None,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every request.")
    ] = False,
    lang: LangOption = None,
) -> None:
    """Serve decisions over HTTP: POST /v1/decide, POST /v1/apply, GET /v1/decisions/{id},
    GET /v1/rules, GET /v1/health; the OpenAPI description at /openapi.json."""
    need_serve_extra()
    import uvicorn

    from clause.engine.api import serve

    words = language(lang)
    service, asgi = serve.open_service(library, db, key_file)
    url = f"http://{host}:{port}/openapi.json"
    started = t("serve.started", words, digest=service.library.digest, db=service.db.dialect)
    typer.echo(f"{started} {url}", err=True)
    try:
        uvicorn.run(asgi, host=host, port=port, access_log=access_log, log_level="warning")
    finally:
        service.db.close()
