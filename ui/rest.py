"""The JSON API for scripts in any language, served by `qa ui` beside the chat under /api/v1.

    POST /api/v1/ask       {"question", "history"?, "k"?, "since"?, "until"?, "as_of"?, "answer_mode"?}
                           -> the object `qa ask --json` prints
    POST /api/v1/search    {"question", "k"?, "since"?, "until"?, "as_of"?} -> {"passages": [...]}
    GET  /api/v1/status    -> the object `qa status --json` prints
    GET  /api/v1/articles/{id} -> the article (`qa article ID --json`)
    GET  /api/v1/docs      -> this API's OpenAPI page (/api/v1/openapi.json)

A thin face over the same `Service` as the chat: no logic here but mapping errors to
statuses. Every error is {"error": "<one line>"}: 400 bad input, 401 no or wrong login (when
the server has logins), 404 no such article, 422 a body that is not the JSON asked for, 503
no index yet or the vector store unreachable.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel, Field

from index.errors import EmptyIndexError, NotFoundError, StoreUnavailableError, UserError
from ui.service import Service

PREFIX = "/api/v1"


class Turn(BaseModel):
    role: str = Field(description='"user" or "assistant"')
    content: str


class AskRequest(BaseModel):
    question: str
    history: list[Turn] | None = Field(None, description="earlier turns of the conversation, oldest first")
    k: int = Field(5, description="passages to draw on (1-50)")
    since: str | None = Field(None, description="only articles dated on or after YYYY-MM-DD")
    until: str | None = Field(None, description="only articles dated on or before YYYY-MM-DD")
    as_of: str | None = Field(None, description="the day 'last week' in the question counts from (YYYY-MM-DD)")
    answer_mode: str | None = Field(None, description='"extractive" or "llm" (default: the server\'s)')


class SearchRequest(BaseModel):
    question: str
    k: int = Field(5, description="passages (1-50)")
    since: str | None = None
    until: str | None = None
    as_of: str | None = None


def status_of(exc: UserError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, (EmptyIndexError, StoreUnavailableError)):
        return 503
    return 400


def error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": " ".join(str(message).split())}, status_code=status, headers=headers)


def build_api(service: Service, logins: list[tuple[str, str]] | None = None) -> FastAPI:
    """The API as an app of its own, to mount at PREFIX (the chat's app holds it)."""
    api = FastAPI(title="Newsroom QA", version="1", docs_url="/docs", redoc_url=None,
                  description="Answers with cited quotes from the indexed news articles.")
    basic = HTTPBasic(auto_error=False)

    def login(credentials: HTTPBasicCredentials | None = Depends(basic)) -> None:
        if not logins:
            return  # no logins: the server listens on localhost only
        if credentials is not None:
            for user, password in logins:  # compared in constant time, every pair
                same_user = secrets.compare_digest(credentials.username.encode(), user.encode())
                if same_user & secrets.compare_digest(credentials.password.encode(), password.encode()):
                    return
        raise _LoginError()

    @api.exception_handler(_LoginError)
    def _login_failed(_request: Request, _exc: _LoginError) -> JSONResponse:
        return error(401, "a login is needed (HTTP Basic, the chat's users)", {"WWW-Authenticate": "Basic"})

    @api.exception_handler(UserError)
    def _user_error(_request: Request, exc: UserError) -> JSONResponse:
        return error(status_of(exc), str(exc))

    @api.exception_handler(RequestValidationError)
    def _bad_body(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return error(422, f"{where or 'body'}: {first.get('msg', 'not the JSON this endpoint takes')}")

    @api.post("/ask", dependencies=[Depends(login)])
    def ask(body: AskRequest) -> dict[str, Any]:
        """An answer whose every sentence is a cited quote, or an abstention."""
        history = [t.model_dump() for t in body.history] if body.history else None
        return service.answer(body.question, history, body.k, body.since, body.until, body.answer_mode,
                              as_of=body.as_of)

    @api.post("/search", dependencies=[Depends(login)])
    def search(body: SearchRequest) -> dict[str, Any]:
        """The best passages for the question, with their articles' headline, date and outlet."""
        reply = service.reply(body.question, None, body.k, body.since, body.until, search_only=True,
                              as_of=body.as_of)
        return {"passages": reply["passages"], "by_month": reply["by_month"]}

    @api.get("/status", dependencies=[Depends(login)])
    def status() -> dict[str, Any]:
        """Articles, chunks, embedding model and last update of the index."""
        return service.status()

    @api.get("/articles/{article_id:path}", dependencies=[Depends(login)])
    def article(article_id: str) -> dict[str, Any]:
        """An indexed article's text and what is known of it."""
        found = service.article(article_id)
        return {k: v for k, v in found.items() if k not in ("start", "end", "quote")}

    return api


class _LoginError(Exception):
    pass
