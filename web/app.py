"""The workbench's routes: server-rendered pages and the JSON API under /api/ (README › jixiao serve).

Safety, in one place:
- every text from the corpus goes through Jinja2's autoescape (templates/), never into a script or
  an attribute unescaped; links carry it only URL-encoded in a query string;
- Content-Security-Policy: scripts and styles from this server only (`script-src 'self'`), no inline
  script, no other origin; the one script is static/app.js;
- with a token (`--token`, `JIXIAO_TOKEN`; required off loopback) every request must carry it:
  header `X-Jixiao-Token`, `Authorization: Bearer …`, or the cookie set by opening `/?token=…` once;
- POSTs: either the API token in `X-Jixiao-Token` (scripts), or a same-origin request (Origin, else
  Referer, equal to this server) carrying the page's per-session CSRF token in `X-CSRF-Token`;
- on loopback, a Host header that is not a loopback name is refused (DNS rebinding).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from jixiao.web.service import DECISIONS, FORM_ORDER, FORM_ZH, BadRequest, Workbench

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "[::1]"}
SESSION_COOKIE = "jixiao_session"
TOKEN_COOKIE = "jixiao_token"

env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(default=True))
env.filters["q"] = lambda d: urlencode({k: v for k, v in d.items() if v not in (None, "")})
env.filters["num"] = lambda v: f"{v:g}" if isinstance(v, float) else v  # 0.9325153374233128 reads 0.932515
env.globals.update(FORM_ZH=FORM_ZH, DECISIONS=DECISIONS)


def fast_json(data) -> Response:
    """JSON of plain dicts and lists (already dumped by pydantic): straight to json.dumps, without
    FastAPI's per-value jsonable_encoder pass, which cost more than the search itself on big answers."""
    return Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")), media_type="application/json")


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_NAMES or host.startswith("127.")


def create_app(db: Path, token: str | None = None, host: str = "127.0.0.1", model: str | None = None,
               review_on_start: bool = True, bench: Workbench | None = None) -> FastAPI:
    from jixiao.web.service import one_thread_per_request

    one_thread_per_request()
    wb = bench or Workbench(Path(db), model, review_on_start)
    api_token = token or secrets.token_urlsafe(24)
    secret = secrets.token_bytes(32)
    app = FastAPI(title="jixiao workbench", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.workbench = wb
    app.state.api_token = api_token
    app.state.token_required = bool(token)
    loopback_only = is_loopback(host)

    def csrf_for(session: str) -> str:
        return hmac.new(secret, session.encode(), hashlib.sha256).hexdigest()[:32]

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": message, "status": status}, status_code=status)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        hostname = (request.headers.get("host") or "").rsplit(":", 1)[0] if not (request.headers.get("host") or "").startswith("[") \
            else (request.headers.get("host") or "").split("]")[0] + "]"
        if loopback_only and hostname and not is_loopback(hostname):
            return error(400, f"this server answers to 127.0.0.1 / localhost only, not {hostname!r}")
        if token:
            given = (request.headers.get("x-jixiao-token") or request.cookies.get(TOKEN_COOKIE)
                     or request.query_params.get("token"))
            auth = request.headers.get("authorization") or ""
            if auth.lower().startswith("bearer "):
                given = auth[7:].strip()
            if not given or not hmac.compare_digest(given.encode(), token.encode()):
                return error(401, "a token is required: send the header X-Jixiao-Token (or open /?token=… once in the browser)")
            if request.query_params.get("token") and request.method == "GET":
                # Once in the address bar, then a cookie: the token does not stay in the URL or its history.
                rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                resp = RedirectResponse(request.url.path + ("?" + urlencode(rest) if rest else ""), status_code=303)
                resp.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
                return resp
        session = request.cookies.get(SESSION_COOKIE)
        new_session = None
        if not session:
            session = new_session = secrets.token_urlsafe(18)
        request.state.session = session
        request.state.csrf = csrf_for(session)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            scripted = request.headers.get("x-jixiao-token")
            if scripted and hmac.compare_digest(scripted.encode(), api_token.encode()):
                pass  # a script holding the API token
            else:
                own = f"{request.url.scheme}://{request.headers.get('host', '')}"
                origin = request.headers.get("origin")
                if not origin and request.headers.get("referer"):
                    r = urlsplit(request.headers["referer"])
                    origin = f"{r.scheme}://{r.netloc}"
                if origin != own:
                    return error(403, f"cross-site request refused: the Origin/Referer ({origin or 'none'}) is not this server ({own})")
                sent = request.headers.get("x-csrf-token") or ""
                if new_session or not hmac.compare_digest(sent.encode(), request.state.csrf.encode()):
                    return error(403, "the page's CSRF token is missing or stale: reload the page")
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if new_session:
            response.set_cookie(SESSION_COOKIE, new_session, httponly=True, samesite="strict")
        return response

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path.startswith("/export")

    def page_error(request: Request, status: int, message: str) -> Response:
        if wants_json(request):
            return error(status, message)
        return render(request, "error.html", status=status, message=message, code=status)

    @app.exception_handler(BadRequest)
    async def _bad(request: Request, e: BadRequest):
        return page_error(request, e.status, str(e))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError):
        parts = []
        for err in e.errors():
            where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "body"))
            parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return page_error(request, 422, "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException):
        return page_error(request, e.status_code, str(e.detail))

    @app.exception_handler(Exception)
    async def _crash(request: Request, e: Exception):  # a bug, not bad input: still JSON with a message
        return page_error(request, 500, f"internal error: {type(e).__name__}: {e}")

    def render(request: Request, template: str, status: int = 200, **ctx) -> Response:
        html = env.get_template(template).render(csrf=getattr(request.state, "csrf", ""),
                                                 review_status=wb.status() if template != "error.html" else None,
                                                 request_path=request.url.path, **ctx)
        return Response(html, status_code=status, media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def _int(v: str | None, name: str) -> int | None:
        if v in (None, ""):
            return None
        try:
            return int(v)
        except ValueError:
            raise BadRequest(f"{name} must be a number, got {v!r}") from None

    # --- pages ----------------------------------------------------------------------------------

    @app.get("/")
    def home():
        return RedirectResponse("/search", status_code=303)

    @app.get("/search")
    async def search_page(request: Request, q: str = "", kind: str = "indicator", year: str = "", form_type: str = "",
                          department: str = "", unit: str = "", n: str = "10"):
        params = dict(q=q, kind=kind, year=year, form_type=form_type, department=department, unit=unit, n=n)
        result, message = None, None
        if q.strip():
            try:
                result = wb.search(q, kind, _int(n, "n") or 10, _int(year, "year"), form_type, department, unit)
            except BadRequest as e:
                message = str(e)
        return render(request, "search.html", status=200 if message is None else 400, params=params, result=result,
                      message=message, facets=wb.facets(), form_types=list(FORM_ORDER))

    @app.get("/project")
    def project_page(request: Request, name: str = "", unit: str = ""):
        p = wb.project(name, unit or None, dump=False)
        return render(request, "project.html", p=p, groups=wb.groups)

    @app.get("/queue")
    def queue_page(request: Request, unit: str = "", code: str = "", severity: str = "", decision: str = "", page: str = "1"):
        filters = dict(unit=unit, code=code, severity=severity, decision=decision)
        q = wb.queue(unit or None, code or None, severity or None, decision or None, _int(page, "page") or 1, dump=False)
        return render(request, "queue.html", qd=q, filters=filters)

    # --- export ---------------------------------------------------------------------------------

    @app.get("/export.{fmt}")
    def export(fmt: str, unit: str = "", code: str = "", severity: str = "", decision: str = ""):
        from jixiao.review.report import to_json, to_md

        if fmt not in ("xlsx", "md", "json"):
            raise BadRequest(f"export as xlsx, md or json, not {fmt!r}", 404)
        report = wb.export(unit or None, code or None, severity or None, decision or None)
        if fmt == "xlsx":
            from jixiao.review.report_xlsx import to_xlsx

            body, media = to_xlsx(report), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        elif fmt == "md":
            body, media = to_md(report).encode("utf-8"), "text/markdown; charset=utf-8"
        else:
            body, media = to_json(report).encode("utf-8"), "application/json"
        return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="review.{fmt}"'})

    # --- JSON API -------------------------------------------------------------------------------

    @app.get("/api/status")
    def api_status():
        return fast_json(wb.status())

    # The searches run on the event loop (async def), not in the thread pool: a search is a few ms of
    # Python, and eight threads queueing for the GIL cost more than the search (bench/bench_serve.py:
    # p95 at 8 in flight 112 → 54 ms). Project pages, hundreds of ms, stay in the pool.
    @app.get("/api/search")
    async def api_search(q: str = "", kind: str = "indicator", n: str = "10", year: str = "", form_type: str = "",
                         department: str = "", unit: str = ""):
        res = wb.search(q, kind, _int(n, "n") or 10, _int(year, "year"), form_type, department, unit)
        out = res.model_dump()
        for h in out["hits"]:
            h["project_url"] = "/project?" + urlencode({"name": h["project_name"] or "", "unit": h["unit"] or ""})
        return fast_json(out)

    @app.get("/api/project")
    def api_project(name: str = "", unit: str = "", evidence: str = "50"):
        limit = _int(evidence, "evidence")
        if limit is not None and limit < 0:
            raise BadRequest("evidence must be 0 or more (0: no limit)")
        return fast_json(wb.project(name, unit or None, evidence=limit or None))

    @app.get("/api/findings")
    def api_findings(unit: str = "", code: str = "", severity: str = "", decision: str = "", page: str = "1", size: str = "25"):
        size_n = _int(size, "size") or 25
        if not 1 <= size_n <= 500:
            raise BadRequest("size must be between 1 and 500")
        return fast_json(wb.queue(unit or None, code or None, severity or None, decision or None, _int(page, "page") or 1, size_n))

    @app.get("/api/decisions")
    def api_decisions():
        return fast_json({"decisions": list(wb.decision_rows().values())})

    @app.post("/api/decisions")
    async def api_decide(request: Request):
        try:
            body = json.loads(await request.body() or b"null")
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("the body must be JSON: {\"id\": …, \"decision\": \"accepted\"|\"dismissed\", \"note\": …, \"reviewer\": …}") from None
        rows = body.get("decisions") if isinstance(body, dict) and "decisions" in body else [body] if isinstance(body, dict) else body
        if not isinstance(rows, list):
            raise BadRequest("send one decision object, a list of them, or {\"decisions\": [...]}")
        from starlette.concurrency import run_in_threadpool

        saved = await run_in_threadpool(wb.decide, rows)
        return {"saved": saved, "decisions": wb.report.summary.decisions if wb.report else {}}

    @app.post("/api/review")
    def api_review():
        started = wb.start_review()
        return JSONResponse({"started": started, **wb.status()}, status_code=202)

    return app
