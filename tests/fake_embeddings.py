"""An embedding service played on loopback: OpenAI-compatible `POST /v1/embeddings`.

Vectors are hashed bags of words (64 dimensions), so texts that share words are
near each other and search behaves. `fail_next` answers that many requests with
HTTP 500 first; every request's inputs are kept in `batches`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

DIMENSION = 64


def vector(text: str) -> np.ndarray:
    v = np.zeros(DIMENSION, dtype=np.float32)
    for word in text.lower().split():
        word = word.strip(".,;:?!\"'()")
        if word:
            v[int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little") % DIMENSION] += 1.0
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v + 1.0 / np.sqrt(DIMENSION)


class FakeEmbeddings:
    def __init__(self):
        self.batches: list[list[str]] = []
        self.fail_next = 0
        self.failed = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.path.rstrip("/") != "/v1/embeddings":
                    return self._send(404, {"error": {"message": "not found"}})
                if fake.fail_next:
                    fake.fail_next -= 1
                    fake.failed += 1
                    return self._send(500, {"error": {"message": "overloaded"}})
                inputs = body.get("input")
                inputs = [inputs] if isinstance(inputs, str) else list(inputs)
                fake.batches.append(inputs)
                as_base64 = body.get("encoding_format") == "base64"
                data = []
                for n, text in enumerate(inputs):
                    v = vector(text)
                    data.append({"object": "embedding", "index": n,
                                 "embedding": base64.b64encode(v.tobytes()).decode() if as_base64 else v.tolist()})
                self._send(200, {"object": "list", "data": data, "model": body.get("model", ""),
                                 "usage": {"prompt_tokens": 0, "total_tokens": 0}})

            def _send(self, status, payload):
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> "FakeEmbeddings":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
