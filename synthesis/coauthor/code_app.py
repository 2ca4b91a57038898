"""``review code KEY``: the local coding app's server (Starlette, run by uvicorn on the loopback interface).

Security: the server listens on 127.0.0.1 only; every request needs the random token printed with the address
(in the URL, or the ``X-Review-Token`` header the page sends) and a Host header naming this address (a page
elsewhere cannot reach it by DNS rebinding); a request body is at most :data:`MAX_BODY` bytes; no part of a
request names a file (the one source and sheet are fixed when the command starts); every value reaches the
page escaped (``code_text`` escapes the source, the page script sets text, never HTML from a value).
"""

from __future__ import annotations

import hmac
import json
from importlib import resources

from ..common.problems import InputError
from . import code_sheet
from .code_page import page_html

MAX_BODY = 256 * 1024  # a row is a few KB; a quote of a long passage well under this
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
       "form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
           "cache-control": "no-store", "x-frame-options": "DENY"}


def refusal(method: str, host: str, token: str, length: str | None, address: str,
            secret: str) -> tuple[int, str] | None:
    """Why a request is refused (status, message), or None: the checks every request passes first."""
    allowed = {address, address.replace("127.0.0.1", "localhost", 1)}
    if host not in allowed:
        return 400, f"refused: the Host header '{host}' is not this app's address ({address})"
    if not hmac.compare_digest(token.encode(), secret.encode()):
        return 403, "refused: missing or wrong token; open the address `review code` printed"
    if method not in ("GET", "POST"):
        return 405, f"refused: method {method} is not used by this app"
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
        return 413, f"refused: the request is larger than {MAX_BODY:,} bytes"
    return None


class Guard:
    """ASGI wrapper: refuses a request failing :func:`refusal`, and a body that grows past :data:`MAX_BODY`."""

    def __init__(self, app, address: str, secret: str):
        self.app, self.address, self.secret = app, address, secret

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(p.partition("=")[::2] for p in scope.get("query_string", b"").decode("latin-1").split("&") if p)
        token = headers.get("x-review-token") or query.get("token", "")
        refused = refusal(scope["method"], headers.get("host", ""), token, headers.get("content-length"),
                          self.address, self.secret)
        if refused:
            return await _plain(send, *refused)
        body, more = b"", True
        while more:  # the whole body first (at most MAX_BODY bytes), so a refusal is the only response
            message = await receive()
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY:
                return await _plain(send, 413, f"refused: the request is larger than {MAX_BODY:,} bytes")
        sent = False

        async def replay():
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _plain(send, status: int, message: str):
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json")] + [(k.encode(), v.encode()) for k, v in HEADERS.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def create_app(sheet: code_sheet.Sheet, address: str, secret: str):
    """The app for one source's sheet; ``address`` is ``127.0.0.1:PORT``, ``secret`` the token."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, Response
    from starlette.routing import Route

    from .code_state import load_source, state

    source = load_source(sheet)
    static = resources.files("synthesis.coauthor") / "static"

    def _json(data, status=200):
        return JSONResponse(data, status, headers=HEADERS)

    async def index(request: Request):
        return HTMLResponse(page_html(sheet, source["protocol"], source["bib_keys"], secret), headers=HEADERS)

    def _asset(name: str, kind: str):
        body = (static / name).read_bytes()  # a fixed name: no part of the request names a file
        return lambda request: Response(body, media_type=kind, headers=HEADERS)

    async def current(request: Request):
        return _json(state(sheet, source))

    async def save(request: Request):
        if request.headers.get("content-type", "").split(";")[0] != "application/json":
            return _json({"error": "refused: send JSON"}, 415)
        try:
            body = json.loads(await request.body())
            loaded, action = str(body["version"]), str(body["action"])
            values, ident, selection = dict(body.get("values") or {}), str(body.get("id") or ""), body.get("selection")
        except (ValueError, KeyError, TypeError):
            return _json({"error": "refused: not a save this page sends (version, action, values)"}, 400)
        from .code_state import saved

        try:
            problems = saved(sheet, source, loaded, action, values, ident, selection)
        except code_sheet.Stale as err:
            return _json({"error": str(err), "stale": True}, 409)
        except InputError as err:
            return _json({"error": "not saved", "problems": [p.message for p in err.problems]}, 422)
        errors = [str(p) for p in problems if not p.is_warning]
        if errors:
            return _json({"error": "not saved: review check finds a problem", "problems": errors}, 422)
        return _json({"saved": True, "warnings": [str(p) for p in problems]} | state(sheet, source))

    routes = [Route("/", index), Route("/app.js", _asset("code.js", "text/javascript")),
              Route("/app.css", _asset("code.css", "text/css")),
              Route("/api/state", current), Route("/api/save", save, methods=["POST"])]
    return Guard(Starlette(routes=routes), address, secret)


def serve(sheet: code_sheet.Sheet, port: int = 0, browser: bool = False, ready=print) -> int:
    """Serve until interrupted; ``ready`` is called with the address to open (the token in it)."""
    import secrets
    import socket

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))  # loopback only: never another interface
    sock.listen(64)  # connections wait from the moment the address is printed
    address = f"127.0.0.1:{sock.getsockname()[1]}"
    secret = secrets.token_urlsafe(24)
    app = create_app(sheet, address, secret)
    url = f"http://{address}/?token={secret}"
    ready(url)
    if browser:
        import webbrowser

        webbrowser.open(url)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off")).run(sockets=[sock])
    return 0


__all__ = ["CSP", "MAX_BODY", "create_app", "refusal", "serve"]
