"""`aigen incident serve`: an Alertmanager webhook receiver that keeps one record per incident.

The standard library's ThreadingHTTPServer is enough for a webhook that Alertmanager calls a few times a minute;
what matters is what happens around it:

- a body is refused before anything is written when it is too large (413), unauthenticated (401), not JSON or not
  an Alertmanager payload of version 4 (400, with the located problems);
- an accepted body is journaled (fsynced) before it is applied, and the 200 goes back only after both; a crash in
  between is repaired by replaying the journal at the next start (applying a payload twice changes nothing);
- one lock serialises payloads, so concurrent posts cannot interleave read-modify-write of the same record;
- every request and every decision is logged as one JSON object per line on stderr; nothing a poster sent is ever
  echoed unescaped, and no traceback leaves the process.
"""

from __future__ import annotations

import hmac
import http.server
import json
import signal
import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aigen.errors import InputError
from aigen.incidents.durable import Journal, exclusive_lock
from aigen.incidents.from_alerts import clip, parse_payload
from aigen.incidents.store import Log, RecordBug, RecordStore

MAX_BODY = 4 * 1024 * 1024  # Alertmanager sends every alert of a group; 4 MiB holds thousands
READ_TIMEOUT_SECONDS = 10  # a client that stops sending mid-body releases its thread
_LOG_LOCK = threading.Lock()


def log(level: str, event: str, **fields: Any) -> None:
    """One JSON object per line on stderr: machine-readable, and safe whatever a label value holds."""
    line = json.dumps({"time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                       "level": level, "event": event, **fields}, ensure_ascii=True, default=str)
    with _LOG_LOCK:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


@dataclass
class Receiver:
    """What the handler threads share: the records, the journal, the token and the lock around both."""

    store: RecordStore
    journal: Journal
    token: str | None = None
    log: Log = log
    lock: threading.Lock = field(default_factory=threading.Lock)

    def authorised(self, header: str | None) -> bool:
        if self.token is None:
            return True
        return hmac.compare_digest((header or "").encode(), f"Bearer {self.token}".encode())

    def accept(self, body: bytes) -> tuple[int, dict[str, Any]]:
        """(HTTP status, answer) for one posted body."""
        try:
            payload = parse_payload(json.loads(body), "payload")
        except (ValueError, UnicodeDecodeError) as exc:
            return 400, {"error": f"not JSON: {clip(str(exc), 200)}"}
        except RecursionError:
            return 400, {"error": "not an Alertmanager payload: JSON nested too deeply"}
        except InputError as exc:
            return 400, {"error": "not an Alertmanager webhook payload (version 4)",
                         "problems": [clip(p.message, 500) for p in exc.problems[:20]]}
        with self.lock:
            try:
                entry = self.journal.append(body)
            except OSError as exc:  # a full or read-only disk: refuse, so Alertmanager retries
                self.log("error", "journal.failed", error=clip(str(exc), 500))
                return 503, {"error": "cannot journal the payload; nothing written"}
            return self._apply(entry, payload)

    def _apply(self, entry: Path, payload: Any) -> tuple[int, dict[str, Any]]:
        try:
            written = self.store.apply(payload)
        except (RecordBug, OSError) as exc:
            # 500: Alertmanager retries, and the journal keeps the payload for the next start in any case
            self.log("error", "payload.kept", journal=entry.name, error=clip(str(exc), 2000))
            return 500, {"error": "the payload is journaled but could not be applied; see the server log"}
        self.journal.done(entry)
        return 200, {"written": written}

    def replay(self) -> None:
        """Apply what a previous run journaled but did not finish (oldest first)."""
        for entry in self.journal.pending():
            try:
                payload = parse_payload(json.loads(entry.read_bytes()), entry.name)
            except (ValueError, UnicodeDecodeError, RecursionError, InputError, OSError) as exc:
                self.log("error", "journal.unreadable", journal=entry.name, error=clip(str(exc), 500))
                continue
            status, answer = self._apply(entry, payload)
            self.log("info" if status == 200 else "error", "journal.replayed", journal=entry.name, **answer)


class Handler(http.server.BaseHTTPRequestHandler):
    server: Server
    timeout = READ_TIMEOUT_SECONDS
    server_version = "aigen-incident-serve"

    def do_GET(self) -> None:  # http.server's name
        if self.path in ("/-/healthy", "/-/ready"):
            self._answer(200, {"status": "ok"})
        else:
            self._answer(404, {"error": "POST Alertmanager webhook payloads here"})

    def do_POST(self) -> None:  # http.server's name
        receiver = self.server.receiver
        if not receiver.authorised(self.headers.get("Authorization")):
            self._answer(401, {"error": "missing or wrong bearer token"})
            return
        length = self.headers.get("Content-Length", "")
        if not length.isdigit():
            self._answer(411, {"error": "a Content-Length is required"})
            return
        if int(length) > MAX_BODY:
            self._answer(413, {"error": f"body over {MAX_BODY} bytes"})
            return
        body = self.rfile.read(int(length))
        if len(body) < int(length):
            self._answer(400, {"error": "body shorter than its Content-Length"})
            return
        self._answer(*receiver.accept(body))

    def _answer(self, status: int, answer: dict[str, Any]) -> None:
        data = (json.dumps(answer, ensure_ascii=True) + "\n").encode()
        if status in (401, 411, 413):
            self.close_connection = True  # the unread body must not be taken for the next request
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.server.receiver.log("info" if status == 200 else "warning", "request", method=self.command,
                                 path=clip(self.path, 200), status=status, client=self.client_address[0], **answer)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Requests are logged by _answer, with what was decided."""

    def log_message(self, format: str, *args: Any) -> None:  # http.server's signature
        """http.server's own messages (malformed request lines, timeouts) go to the structured log too."""
        self.server.receiver.log("warning", "http", message=clip(format % args, 500))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], receiver: Receiver) -> None:
        super().__init__(address, Handler)
        self.receiver = receiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A bug while handling a request: one structured line instead of socketserver's traceback on stderr."""
        self.receiver.log("error", "internal", client=str(client_address[0]), error=clip(repr(sys.exc_info()[1]), 2000))


def run(receiver: Receiver, folder: Path, host: str, port: int) -> None:
    """Hold the folder, replay the journal, then serve until SIGTERM or Ctrl-C (in-flight requests finish)."""
    lock = exclusive_lock(folder)
    try:
        receiver.replay()
        server = Server((host, port), receiver)

        def stop(*_: object) -> None:
            # shutdown() waits for serve_forever to return, so it cannot run in the signal handler's own thread
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        bound_host, bound_port = server.socket.getsockname()[:2]  # the (host, port) of the bound AF_INET socket
        log("info", "listening", url=f"http://{bound_host}:{bound_port}/", records=str(folder))
        with server:
            server.serve_forever(poll_interval=0.2)
        log("info", "stopped")
    finally:
        lock.close()
