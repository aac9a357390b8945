"""A language model played by a script: an OpenAI-compatible and Ollama-native HTTP server on loopback.

The real llama-index clients talk to it over HTTP. Each request takes the next
scripted `Reply` (or the server's `default`); a reply's text may hold `{n:word}`,
replaced by the number of the first passage in the prompt that contains `word`,
so a script can cite the right passage without knowing the retrieval order.
Every request is kept in `requests` for the tests to read.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    text: str = ""
    status: int = 200
    body: str | None = None  # a raw body instead of the API's JSON (a malformed reply)
    delay: float = 0.0  # seconds before answering
    pace: float = 0.0  # seconds between streamed pieces
    error: str = ""  # the error message of a non-200 reply


def fill(text: str, prompt: str) -> str:
    """`{n:word}` -> the number of the first passage of the prompt that contains `word`."""
    passages = re.findall(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', prompt, flags=re.S)

    def number(m: re.Match) -> str:
        word = m.group(1)
        return next((n for n, body in passages if word in body), "99")
    return re.sub(r"\{n:([^}]+)\}", number, text)


class FakeLLM:
    def __init__(self):
        self.script: list[Reply] = []
        self.default = Reply("The articles do not answer this.")
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                try:
                    self._answer()
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append({"path": self.path, "json": request,
                                          "authorization": self.headers.get("Authorization")})
                    reply = fake.script.pop(0) if fake.script else fake.default
                prompt = "\n".join(str(m.get("content", "")) for m in request.get("messages", []))
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    return self._send(reply.status, json.dumps({"error": {
                        "message": reply.error or "internal error", "type": "server_error",
                        "code": "context_length_exceeded" if "context" in reply.error else None}}))
                if reply.body is not None:
                    return self._send(200, reply.body)
                text = fill(reply.text, prompt)
                ollama = self.path.startswith("/api/")
                if request.get("stream"):
                    return self._stream(text, request.get("model", "fake"), ollama, reply.pace)
                if ollama:
                    return self._send(200, json.dumps({
                        "model": request.get("model"), "created_at": "2026-12-02T00:00:00Z",
                        "message": {"role": "assistant", "content": text}, "done": True,
                        "done_reason": "stop"}))
                return self._send(200, json.dumps({
                    "id": "chatcmpl-fake", "object": "chat.completion", "created": 0,
                    "model": request.get("model", "fake"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}))

            def _send(self, status: int, body: str, kind: str = "application/json"):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, text: str, model: str, ollama: bool, pace: float):
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson" if ollama else "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                pieces = re.findall(r"\S+\s*", text) or [""]
                for piece in pieces:
                    time.sleep(pace)
                    if ollama:
                        line = json.dumps({"model": model, "created_at": "2026-12-02T00:00:00Z",
                                           "message": {"role": "assistant", "content": piece}, "done": False})
                        self._chunk(line + "\n")
                    else:
                        event = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0,
                                 "model": model, "choices": [{"index": 0, "delta": {"content": piece},
                                                               "finish_reason": None}]}
                        self._chunk(f"data: {json.dumps(event)}\n\n")
                if ollama:
                    self._chunk(json.dumps({"model": model, "created_at": "2026-12-02T00:00:00Z",
                                            "message": {"role": "assistant", "content": ""}, "done": True,
                                            "done_reason": "stop"}) + "\n")
                else:
                    self._chunk("data: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")

            def _chunk(self, text: str):
                data = text.encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeLLM":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def say(self, *replies: Reply | str) -> None:
        with self._lock:
            self.script = [r if isinstance(r, Reply) else Reply(r) for r in replies]
            self.requests.clear()
