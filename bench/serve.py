"""A web server process for the web figures: sop-engine's app, or the bare FastAPI floor.

    python -m bench.serve app CONFIG PORT        the app of ``sop serve`` (without its scheduler)
    python -m bench.serve bare PORT JSON HTML    GET /json and GET /html answer those files' contents

The bare app parses the JSON once and serialises it on every request, like the real API does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import uvicorn


def _app(config: str) -> object:
    from sop_engine.config import load_settings
    from sop_engine.context import Context
    from sop_engine.web.app import create_app

    return create_app(Context.open(load_settings(config)))


def _bare(json_file: str, html_file: str) -> object:
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse, JSONResponse

    data = json.loads(Path(json_file).read_text(encoding="utf-8"))
    html = Path(html_file).read_text(encoding="utf-8")
    app = FastAPI()

    @app.get("/json")
    def as_json() -> JSONResponse:
        return JSONResponse(data)

    @app.get("/html")
    def as_html() -> HTMLResponse:
        return HTMLResponse(html)

    return app


def main(argv: list[str]) -> None:
    kind, *rest = argv
    app = _app(rest[0]) if kind == "app" else _bare(rest[1], rest[2])
    port = int(rest[1] if kind == "app" else rest[0])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1:])
