"""A real HTTP SMS gateway on 127.0.0.1 that records what it takes, misbehaves on request and posts receipts.

Its wire format, which providers under test are configured for (see GATEWAY_OPTIONS):
    POST /messages  {"to", "text", "from", "client_ref", ...}   (any extra fields are recorded too)
    → 200 {"status": "queued", "data": {"message_id": "<name>-<n>"}}
    receipt → POST <receipts_to> {"message_id", "client_ref", "state", "error_code", "done_at"}
              with X-Bawaba-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">

It can also answer as a voice-call gateway (`answer="voice"`: {"status": "queued", "call": {"id"}}) or as a
WhatsApp Business gateway (`answer="whatsapp"`, the shape of Meta's Cloud API: {"messaging_product",
"contacts", "messages": [{"id"}]}); VOICE_OPTIONS and WHATSAPP_OPTIONS configure a provider for each.

Modes, switched at run time: accept; reject (status and body); stall (hold the request for N seconds, or
until stopped, and never take it); slow (take it after N seconds); malformed (take it, answer garbage);
drop (read the request, hang up); refuse (close the listening socket and every open connection).

In a test:
    with HttpGateway(name="alpha", secret="s", receipts_to=url) as gateway:
        gateway.stall()
        ...
        assert gateway.references("accepted") == [...]

From another process (benchmarks):
    python -m tests.peers.http_gateway --port 8025 --mode accept --receipts-to URL --secret S \
        [--receipt-delay 0.5 | --receipt-delay never] [--receipt-status DELIVRD] [--control-port 8026]
    python -m tests.peers.http_gateway control --control-port 8026 --mode refuse
The control port takes POST /mode {"mode", "status", "body", "seconds"}, POST /receipts {"to", "delay",
"status"} and GET /records; it stays up while the gateway refuses connections.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import itertools
import json
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODES = ("accept", "reject", "stall", "slow", "malformed", "drop", "refuse")
TAKEN = "accepted"

# Provider options that speak this gateway's format; tests add "url" and their own auth and secret.
GATEWAY_OPTIONS: dict[str, Any] = {
    "fields": {"to": "to", "body": "text", "sender": "from", "reference": "client_ref"},
    "id_path": "data.message_id",
    "result": {"path": "status", "permanent": ["invalid_number"], "temporary": ["throttled"]},
    "error_path": "error.code",
    "receipt": {"fields": {"reference": "message_id", "status": "state", "error": "error_code", "done_at": "done_at"}},
}


# A voice-call gateway: it reads `text` out in `language`, calling from `caller_id`.
VOICE_OPTIONS: dict[str, Any] = {
    **GATEWAY_OPTIONS,
    "fields": {
        "to": "to",
        "body": "text",
        "sender": "caller_id",
        "reference": "client_ref",
        "language": "language",
    },
    "extra": {"type": "tts"},
    "languages": {"ar": "ar-IQ", "ckb": "ckb-IQ", "en": "en-GB"},
    "id_path": "call.id",
}

# A WhatsApp Business gateway sending an approved authentication template: the code is its body's
# parameter and its copy-code button's, our text is not sent at all.
WHATSAPP_OPTIONS: dict[str, Any] = {
    **GATEWAY_OPTIONS,
    "to_format": "international",
    "extra": {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "type": "template",
        "template": {
            "name": "bawaba_code",
            "language": {"policy": "deterministic"},
            "components": [
                {"type": "body", "parameters": [{"type": "text"}]},
                {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text"}]},
            ],
        },
    },
    "fields": {
        "to": "to",
        "body": None,
        "sender": None,
        "reference": "biz_opaque_callback_data",
        "language": "template.language.code",
        "values.code": ["template.components.0.parameters.0.text", "template.components.1.parameters.0.text"],
    },
    "languages": {"ar": "ar", "ckb": "ckb", "en": "en_GB"},
    "id_path": "messages.0.id",
    "result": None,
}
ANSWERS = ("sms", "voice", "whatsapp")


def answer_for(style: str, gateway_id: str, document: dict[str, Any]) -> dict[str, Any]:
    """What the gateway says when it takes a message, in the style of the API it plays."""
    if style == "voice":
        return {"status": "queued", "call": {"id": gateway_id}}
    if style == "whatsapp":
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": str(document.get("to", "")), "wa_id": str(document.get("to", ""))}],
            "messages": [{"id": gateway_id}],
        }
    return {"status": "queued", "data": {"message_id": gateway_id}}


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The X-Bawaba-Signature value for `body`, written independently of the code under test."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


@dataclass(frozen=True)
class Received:
    """One request as the gateway saw it."""

    reference: str
    outcome: str  # accepted, rejected, stalled, dropped
    document: dict[str, Any]
    headers: dict[str, str]
    gateway_id: str = ""


@dataclass(frozen=True)
class Behaviour:
    mode: str = "accept"
    status: int = 400
    body: Any = None
    seconds: float | None = None


@dataclass
class ReceiptPlan:
    to: str = ""
    delay: float | None = None  # None: never send receipts
    status: str = "DELIVRD"
    error_code: str = "000"


@dataclass
class _Records:
    lock: threading.Lock = field(default_factory=threading.Lock)
    received: list[Received] = field(default_factory=list)
    receipts: list[tuple[str, str]] = field(default_factory=list)  # (gateway id, HTTP status or error)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], gateway: HttpGateway) -> None:
        self.gateway = gateway
        super().__init__(address, _GatewayHandler)


class _GatewayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real gateways do: the provider's pool is exercised
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle holds the body for the client's
        # delayed ACK (~40 ms), which would make a quick gateway look slow.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.gateway._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.gateway._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (the stdlib's name)
        pass

    def do_POST(self) -> None:
        self.server.gateway._handle(self)

    def answer(self, status: int, payload: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def hang_up(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class HttpGateway:
    def __init__(
        self,
        *,
        name: str = "gw",
        port: int = 0,
        secret: str = "",
        receipts_to: str = "",
        receipt_delay: float | None = None,
        receipt_status: str = "DELIVRD",
        reference_field: str = "client_ref",
        tls: tuple[str, str] | None = None,
        answer: str = "sms",
    ) -> None:
        if answer not in ANSWERS:
            raise ValueError(f"unknown answer style {answer!r}; known: {ANSWERS}")
        self.name = name
        self.answer = answer
        self.tls = tls  # (certificate file, key file): speak HTTPS
        self.port = port
        self.secret = secret
        self.reference_field = reference_field
        self.behaviour = Behaviour()
        self.receipt_plan = ReceiptPlan(to=receipts_to, delay=receipt_delay, status=receipt_status)
        self._records = _Records()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._timers: set[threading.Timer] = set()
        self.connections_opened = 0

    # -- life ----------------------------------------------------------------------------------------

    def start(self) -> HttpGateway:
        with self._lock:
            self._listen()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases stalled and slow requests
        with self._lock:
            self._close_listener()
            timers = list(self._timers)
        for timer in timers:
            timer.cancel()
            timer.join(timeout=10)

    def __enter__(self) -> HttpGateway:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/messages"

    def _listen(self) -> None:
        if self._server is not None:
            return
        server = _Server(("127.0.0.1", self.port), self)
        self.port = server.server_address[1]
        if self.tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self.tls)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.name = f"http-gateway-{self.name}"
        self._thread.start()

    def _close_listener(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=10)
        for connection in list(self._connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
                self.connections_opened += 1
            else:
                self._connections.discard(connection)

    # -- modes ---------------------------------------------------------------------------------------

    def set_mode(self, mode: str, *, status: int = 400, body: Any = None, seconds: float | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; known: {MODES}")
        with self._lock:
            self.behaviour = Behaviour(mode, status, body, seconds)
            if mode == "refuse":
                self._close_listener()
            else:
                self._listen()

    def accept(self) -> None:
        self.set_mode("accept")

    def reject(self, status: int = 400, body: Any = None) -> None:
        self.set_mode("reject", status=status, body=body)

    def stall(self, seconds: float | None = None) -> None:
        self.set_mode("stall", seconds=seconds)

    def slow(self, seconds: float) -> None:
        self.set_mode("slow", seconds=seconds)

    def malformed(self) -> None:
        self.set_mode("malformed")

    def drop(self) -> None:
        self.set_mode("drop")

    def refuse(self) -> None:
        self.set_mode("refuse")

    def receipts(self, *, to: str | None = None, delay: float | None = 0.0, status: str = "DELIVRD") -> None:
        """Post a receipt for every message taken from now on, `delay` seconds later (None: never)."""
        with self._lock:
            self.receipt_plan = ReceiptPlan(to=self.receipt_plan.to if to is None else to, delay=delay, status=status)

    # -- what it saw ---------------------------------------------------------------------------------

    @property
    def received(self) -> list[Received]:
        with self._records.lock:
            return list(self._records.received)

    @property
    def accepted(self) -> list[Received]:
        return [record for record in self.received if record.outcome == TAKEN]

    def references(self, outcome: str | None = None) -> list[str]:
        return [record.reference for record in self.received if outcome is None or record.outcome == outcome]

    def duplicates(self) -> list[str]:
        """References this gateway took more than once: a citizen would have received two messages."""
        return sorted(ref for ref, count in Counter(self.references(TAKEN)).items() if count > 1)

    @property
    def receipts_posted(self) -> list[tuple[str, str]]:
        with self._records.lock:
            return list(self._records.receipts)

    def summary(self) -> dict[str, Any]:
        return {
            "received": len(self.received),
            "by_outcome": dict(Counter(record.outcome for record in self.received)),
            "duplicates": self.duplicates(),
            "accepted_references": self.references(TAKEN),
            "receipts_posted": len(self.receipts_posted),
        }

    # -- handling ------------------------------------------------------------------------------------

    def _record(self, record: Received) -> None:
        with self._records.lock:
            self._records.received.append(record)

    def _handle(self, handler: _GatewayHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length)
        try:
            document = json.loads(raw)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            handler.answer(400, b'{"status": "error", "error": {"code": "bad_json"}}')
            return
        reference = str(document.get(self.reference_field, ""))
        headers = {key: value for key, value in handler.headers.items()}
        behaviour = self.behaviour
        if behaviour.mode in ("stall", "drop") or (
            behaviour.mode == "slow" and self._stopping.wait(behaviour.seconds or 0)
        ):
            outcome = "dropped" if behaviour.mode == "drop" else "stalled"
            self._record(Received(reference, outcome, document, headers))
            if behaviour.mode == "stall":
                self._stopping.wait(behaviour.seconds)
            handler.hang_up()
            return
        if behaviour.mode == "reject":
            self._record(Received(reference, "rejected", document, headers))
            body = behaviour.body if behaviour.body is not None else {"status": "error", "error": {"code": "rejected"}}
            handler.answer(behaviour.status, body if isinstance(body, bytes) else json.dumps(body).encode())
            return
        gateway_id = f"{self.name}-{next(self._ids)}"
        self._record(Received(reference, TAKEN, document, headers, gateway_id))
        if behaviour.mode == "malformed":
            handler.answer(200, b"<html><body>Service temporarily unavail", "text/html")
        else:
            handler.answer(200, json.dumps(answer_for(self.answer, gateway_id, document)).encode())
        self._schedule_receipt(gateway_id, reference)

    def _schedule_receipt(self, gateway_id: str, reference: str) -> None:
        with self._lock:
            plan = self.receipt_plan
            if plan.delay is None or not plan.to or self._stopping.is_set():
                return
            timer = threading.Timer(plan.delay, self._post_receipt, args=(plan, gateway_id, reference))
            timer.daemon = True
            self._timers.add(timer)
        timer.start()

    def _post_receipt(self, plan: ReceiptPlan, gateway_id: str, reference: str) -> None:
        try:
            if self._stopping.is_set():
                return
            self.post_receipt(
                plan.to,
                {
                    "message_id": gateway_id,
                    "client_ref": reference,
                    "state": plan.status,
                    "error_code": plan.error_code,
                    "done_at": dt.datetime.now(dt.UTC).isoformat(),
                },
                gateway_id=gateway_id,
            )
        finally:
            with self._lock:
                self._timers.discard(threading.current_thread())

    def post_receipt(self, to: str, receipt: dict[str, Any], *, gateway_id: str = "") -> str:
        """Sign and post one receipt; returns the HTTP status (or the error) the portal answered."""
        body = json.dumps(receipt).encode()
        request = urllib.request.Request(  # noqa: S310  (a URL the test gives: the portal under test)
            to,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "X-Bawaba-Signature": sign(self.secret, body)},
        )
        # No proxies from the environment: receipts go straight to the loopback address given.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=10) as response:
                result = str(response.status)
        except urllib.error.HTTPError as exc:
            result = str(exc.code)
        except OSError as exc:
            result = type(exc).__name__
        with self._records.lock:
            self._records.receipts.append((gateway_id, result))
        return result


class Gateways:
    """Gateways started by one test, all stopped at its end: `start = Gateways(); start("alpha")`."""

    def __init__(self) -> None:
        self.started: list[HttpGateway] = []

    def __call__(self, name: str, **kwargs: Any) -> HttpGateway:
        gateway = HttpGateway(name=name, **kwargs).start()
        self.started.append(gateway)
        return gateway

    def stop_all(self) -> None:
        for gateway in self.started:
            gateway.stop()


def provider_entry(
    gateway: HttpGateway,
    *,
    weight: int = 100,
    channels: tuple[str, ...] = ("sms",),
    base: dict[str, Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """A BAWABA_NOTIFY_PROVIDERS entry for an "http" provider speaking to `gateway`.

    `base` is the option set for the API the gateway plays (GATEWAY_OPTIONS, VOICE_OPTIONS,
    WHATSAPP_OPTIONS); None values in it are left out, as a provider would not be given them.
    """
    chosen = {key: value for key, value in (GATEWAY_OPTIONS if base is None else base).items() if value is not None}
    return {
        "name": gateway.name,
        "kind": "http",
        "channels": list(channels),
        "weight": weight,
        "options": {**chosen, "url": gateway.url, **options},
    }


# -- running alone -------------------------------------------------------------------------------------


class _ControlHandler(BaseHTTPRequestHandler):
    server: _ControlServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def _reply(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/records":
            self._reply(200, self.server.gateway.summary())
        else:
            self._reply(404, {"error": "GET /records"})

    def do_POST(self) -> None:
        gateway = self.server.gateway
        try:
            command = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            if self.path == "/mode":
                gateway.set_mode(
                    command["mode"],
                    status=int(command.get("status", 400)),
                    body=command.get("body"),
                    seconds=command.get("seconds"),
                )
            elif self.path == "/receipts":
                gateway.receipts(
                    to=command.get("to"), delay=command.get("delay"), status=command.get("status", "DELIVRD")
                )
            else:
                self._reply(404, {"error": "POST /mode or /receipts"})
                return
        except (ValueError, KeyError, TypeError) as exc:
            self._reply(400, {"error": str(exc)})
            return
        self._reply(200, {"mode": gateway.behaviour.mode, "port": gateway.port})


class _ControlServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, gateway: HttpGateway) -> None:
        self.gateway = gateway
        super().__init__(("127.0.0.1", port), _ControlHandler)


def _control(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.peers.http_gateway control")
    parser.add_argument("--control-port", type=int, required=True)
    parser.add_argument("--mode", choices=MODES)
    parser.add_argument("--status", type=int, default=400)
    parser.add_argument("--seconds", type=float)
    args = parser.parse_args(argv)
    base = f"http://127.0.0.1:{args.control_port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    if args.mode:
        payload = json.dumps({"mode": args.mode, "status": args.status, "seconds": args.seconds}).encode()
        request = urllib.request.Request(f"{base}/mode", data=payload, method="POST")  # noqa: S310
    else:
        request = urllib.request.Request(f"{base}/records")  # noqa: S310
    with opener.open(request, timeout=10) as response:
        print(response.read().decode())  # noqa: T201
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["control"]:
        return _control(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m tests.peers.http_gateway", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--name", default="gw")
    parser.add_argument("--mode", choices=MODES, default="accept")
    parser.add_argument("--status", type=int, default=400, help="HTTP status in reject mode")
    parser.add_argument("--seconds", type=float, help="how long stall and slow hold a request")
    parser.add_argument("--receipts-to", default="")
    parser.add_argument("--receipt-delay", default="0", help="seconds, or 'never'")
    parser.add_argument("--receipt-status", default="DELIVRD")
    parser.add_argument("--secret", default="")
    parser.add_argument("--control-port", type=int)
    parser.add_argument("--answer", choices=ANSWERS, default="sms", help="the API whose answers it gives")
    parser.add_argument("--reference-field", default="client_ref", help="where requests carry our message id")
    args = parser.parse_args(argv)
    delay = None if args.receipt_delay == "never" else float(args.receipt_delay)
    gateway = HttpGateway(
        name=args.name,
        port=args.port,
        secret=args.secret,
        receipts_to=args.receipts_to,
        receipt_delay=delay,
        receipt_status=args.receipt_status,
        reference_field=args.reference_field,
        answer=args.answer,
    ).start()
    gateway.set_mode(args.mode, status=args.status, seconds=args.seconds)
    control = _ControlServer(args.control_port, gateway) if args.control_port is not None else None
    if control is not None:
        threading.Thread(target=control.serve_forever, daemon=True).start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    control_port = control.server_address[1] if control is not None else ""
    print(f"READY {gateway.port} {control_port}", flush=True)  # noqa: T201  (the parent process reads it)
    stopped.wait()
    if control is not None:
        control.shutdown()
        control.server_close()
    gateway.stop()
    print(json.dumps(gateway.summary()), flush=True)  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
