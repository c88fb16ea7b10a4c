"""A gateway spoken to over HTTPS in JSON: one POST per message, delivery receipts posted back to us.

SMS gateways, and the voice-call and WhatsApp gateways that take a number and a text or a template's
parameters in the same way: "channels" says which of sms, voice and whatsapp the provider carries.

Every option but "url" is optional; a full example:

    {"name": "gateway1", "kind": "http", "channels": ["sms"], "weight": 50,
     "options": {
        "url": "https://sms.example.iq/api/v2/messages",
        "auth": {"type": "bearer", "token_env": "GATEWAY1_TOKEN"},
        "fields": {"to": "destination", "body": "text", "sender": "from", "reference": "client_ref"},
        "extra": {"type": "unicode", "route": "otp"},
        "sender": "Bawaba",
        "to_format": "international",
        "id_path": "data.message_id",
        "result": {"path": "status", "accepted": ["queued", "sent"],
                   "permanent": ["invalid_number", "blacklisted"], "temporary": ["throttled"]},
        "error_path": "error.code",
        "permanent_statuses": [400, 422],
        "temporary_statuses": [401, 402, 403, 404, 429, 503],
        "unsure_statuses": [409, 500, 502, 504],
        "verify_tls": "/etc/bawaba/gateway1-ca.pem",
        "proxy": "http://proxy.internal:3128",
        "pool_size": 20,
        "receipt_secret_env": "GATEWAY1_RECEIPT_SECRET",
        "receipt": {"fields": {"reference": "message_id", "status": "state", "error": "err", "done_at": "done"},
                    "statuses": {"DELIVRD": "delivered", "UNDELIV": "undelivered", "ENROUTE": "pending"}},
        "receipt_rate_limit": 12000}}

- url: where messages are POSTed. https in production; plain http is accepted elsewhere (test gateways).
- auth: {"type": "bearer", "token"} sends `Authorization: Bearer <token>`; {"type": "basic", "username",
  "password"} HTTP basic; {"type": "header", "name", "value"} any one header (an API key). Give secrets
  as `token_env`, `password_env`, `value_env`: config.py reads them from the environment.
- fields: our names (to, body, sender, reference) → the gateway's JSON names; a dotted name nests
  ("message.to"); null leaves the value out. Defaults to the same names. `reference` carries our message
  id, which is also sent as the Idempotency-Key header, so a gateway that deduplicates will never send
  the same message twice. A list of names puts one value in several places. extra: fixed fields merged
  into every request. Three more of our names may be mapped: `language` (ar, ckb or en, renamed by
  `languages`: {"ckb": "ku"}), `channel`, and `values.<name>`, one value the template was filled with
  (a WhatsApp template's parameter, the code a voice gateway reads out in its own words); values are kept
  for voice and whatsapp messages only, so a provider that carries sms cannot map them. A number in a
  dotted name steps into a list that `extra` already holds: "template.components.0.parameters.0.text".
  docs/notifications.md has voice and WhatsApp examples.
- sender: the sender id when the template sets none.
- to_format: "e164" (+9647701234567, the default), "international" (9647701234567) or "national"
  (07701234567, for a gateway that only reaches one country, "national_region", default IQ; numbers of
  other countries are declined with a temporary failure, so another provider takes them).
- id_path: dotted path to the gateway's id for the message in its answer (list items by number:
  "messages.0.id"). It is the reference receipts are matched on; without it, our message id is.
- result: where the answer carries a verdict and which values mean accepted / refused for good /
  refused for now; checked before the HTTP status. A 2xx whose verdict is not one of `accepted` (when
  that list is given) counts as an answer we cannot read. error_path: a short code recorded with a failure.
- permanent_statuses, temporary_statuses, unsure_statuses: HTTP statuses meaning "refused for good"
  (the message fails, no other provider is tried), "refused, try elsewhere or later" and "it may have
  taken the message" (never asked again for it). Each list replaces its default: see
  docs/decisions/0008-http-sms-gateway.md for the defaults and why.
- verify_tls: true (default) or the path of a CA bundle for a gateway with a private CA. false is
  refused in production. proxy: an explicit proxy URL; the process environment's proxy variables are
  ignored so a stray HTTPS_PROXY cannot reroute codes. pool_size: kept-alive connections (default 10).
- receipt_secret (give it as receipt_secret_env): the shared secret receipts are signed with; without it,
  receipts for this provider are refused. receipt.fields: where the receipt JSON carries reference (the
  same reference as above), status, error and done_at (ISO 8601 or Unix seconds); receipt.statuses: the
  gateway's status words → delivered / undelivered / pending (replaces the default SMPP-like table).
  receipt_rate_limit: receipts accepted per minute from one address (default 12000).

Outcomes: no connection (refused, DNS, TLS, connect timeout) → TemporaryFailure; no answer after the
request went out (read timeout, connection dropped, unreadable answer) → TemporaryFailure(maybe_accepted).
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any

import phonenumbers
import requests
import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from requests.adapters import HTTPAdapter

from bawaba.core.errors import ApplicationError
from bawaba.notifications.constants import VALUES_KEPT_FOR, Channel, ReceiptStatus
from bawaba.notifications.providers.base import (
    Accepted,
    OutgoingMessage,
    PermanentFailure,
    Provider,
    TemporaryFailure,
)

logger = logging.getLogger(__name__)

DEFAULT_FIELDS = {"to": "to", "body": "body", "sender": "sender", "reference": "reference"}
# Our names that may be mapped besides the defaults; `values.<name>` too.
OPTIONAL_FIELDS = frozenset({"language", "channel"})
VALUES_PREFIX = "values."
TO_FORMATS = frozenset({"e164", "international", "national"})
# "Not this message, not now": our account, our configuration or the gateway's load, so another provider
# (or a later round) may do better. A 503 comes from a gateway refusing work before taking it.
DEFAULT_TEMPORARY_STATUSES = frozenset({401, 402, 403, 404, 405, 407, 408, 413, 415, 425, 429, 503})
# The gateway may have stored the message before it failed to answer properly; 409 is a gateway saying it
# already holds a request with this idempotency key.
DEFAULT_UNSURE_STATUSES = frozenset({409, 500, 502, 504})
MIN_RECEIPT_SECRET_LENGTH = 32  # a shared HMAC key should carry at least 128 bits even if hex-encoded
MAX_RESPONSE_BYTES = 64 * 1024

RECEIPT_DEFAULT_FIELDS = {"reference": "reference", "status": "status", "error": "error", "done_at": "done_at"}
# Lower-case receipt words → our receipt status; SMPP's stat values plus the plain words gateways use.
RECEIPT_DEFAULT_STATUSES = {
    "delivered": ReceiptStatus.DELIVERED,
    "delivrd": ReceiptStatus.DELIVERED,
    "undelivered": ReceiptStatus.UNDELIVERED,
    "undeliv": ReceiptStatus.UNDELIVERED,
    "failed": ReceiptStatus.UNDELIVERED,
    "expired": ReceiptStatus.UNDELIVERED,
    "rejected": ReceiptStatus.UNDELIVERED,
    "rejectd": ReceiptStatus.UNDELIVERED,
    "deleted": ReceiptStatus.UNDELIVERED,
    "pending": ReceiptStatus.PENDING,
    "accepted": ReceiptStatus.PENDING,
    "acceptd": ReceiptStatus.PENDING,
    "enroute": ReceiptStatus.PENDING,
    "sent": ReceiptStatus.PENDING,
    "buffered": ReceiptStatus.PENDING,
    "unknown": ReceiptStatus.PENDING,
}
SIGNATURE_HEADER = "X-Bawaba-Signature"
# A signed receipt older than this, or this far in the future, is refused: replays and bad clocks.
SIGNATURE_MAX_AGE = 300
SIGNATURE_MAX_AHEAD = 60
DEFAULT_RECEIPT_RATE_LIMIT = 12000

_MISSING = object()


def _get(source: Any, path: str) -> Any:
    """The value at a dotted path in decoded JSON, or _MISSING."""
    for part in path.split("."):
        if isinstance(source, dict) and part in source:
            source = source[part]
        elif isinstance(source, list) and part.isdigit() and int(part) < len(source):
            source = source[int(part)]
        else:
            return _MISSING
    return source


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    """Set the value at a dotted path, making objects on the way; a number steps into an existing list."""
    *parents, last = path.split(".")
    node: Any = target
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _paths(theirs: Any) -> list[str]:
    """Where one of our values goes: none (null), one dotted name, or several (a code in two places)."""
    if not theirs:
        return []
    return [theirs] if isinstance(theirs, str) else [str(path) for path in theirs]


def _short(value: Any, limit: int = 64) -> str:
    """A gateway-supplied word fit for a log line or failure reason: printable and short."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return "".join(ch for ch in text if ch.isprintable())[:limit]


def _statuses(value: Any, name: str, option: str) -> frozenset[int] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, int) and 100 <= item <= 599 for item in value):
        raise ImproperlyConfigured(f"Provider {name!r}: {option} must be a list of HTTP status codes")
    return frozenset(value)


def _connection_never_made(exc: requests.RequestException) -> bool:
    """True when the request surely never reached the gateway (no connection, no TLS session)."""
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError | requests.exceptions.ProxyError):
        return True
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    # requests wraps urllib3's MaxRetryError, whose reason says which step failed. A dropped connection
    # (ProtocolError, "Connection aborted") happens after the request was written: not "never made".
    for reason in _reasons(exc):
        if isinstance(reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError):
            return True
        if isinstance(reason, urllib3.exceptions.SSLError | urllib3.exceptions.ProxyError):
            return True
    return False


def _reasons(exc: BaseException) -> Iterator[BaseException]:
    pending: list[Any] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend(current.args)
        pending.append(getattr(current, "reason", None))


class HttpGatewayProvider(Provider):
    kind = "http"
    channels = frozenset({Channel.SMS.value, Channel.VOICE.value, Channel.WHATSAPP.value})

    def __init__(self, name: str, options: dict[str, Any], *, channels: Collection[str] | None = None) -> None:
        super().__init__(name, options, channels=channels)
        self.url = str(options.get("url") or "")
        if not self.url.startswith(("https://", "http://")):
            raise ImproperlyConfigured(f"Provider {name!r}: options.url must be an https:// address")
        production = settings.BAWABA_ENV == "production"
        if production and not self.url.startswith("https://"):
            raise ImproperlyConfigured(f"Provider {name!r}: in production the gateway must be reached over https")
        self.fields = {**DEFAULT_FIELDS, **(options.get("fields") or {})}
        self.extra: dict[str, Any] = dict(options.get("extra") or {})
        self.languages = {str(ours): str(theirs) for ours, theirs in (options.get("languages") or {}).items()}
        self._check_fields()
        self.to_format = str(options.get("to_format") or "e164")
        if self.to_format not in TO_FORMATS:
            raise ImproperlyConfigured(f"Provider {name!r}: to_format must be one of {sorted(TO_FORMATS)}")
        self.national_region = str(options.get("national_region") or "IQ").upper()
        self.id_path = str(options.get("id_path") or "")
        result = options.get("result") or {}
        self.result_path = str(result.get("path") or "")
        self.result_accepted = frozenset(str(v) for v in result["accepted"]) if "accepted" in result else None
        self.result_permanent = frozenset(str(v) for v in result.get("permanent") or ())
        self.result_temporary = frozenset(str(v) for v in result.get("temporary") or ())
        self.error_path = str(options.get("error_path") or "")
        self.permanent_statuses = _statuses(options.get("permanent_statuses"), name, "permanent_statuses")
        self.temporary_statuses = _statuses(options.get("temporary_statuses"), name, "temporary_statuses")
        self.unsure_statuses = _statuses(options.get("unsure_statuses"), name, "unsure_statuses")
        receipt = options.get("receipt") or {}
        self.receipt_fields = {**RECEIPT_DEFAULT_FIELDS, **(receipt.get("fields") or {})}
        statuses = receipt.get("statuses")
        self.receipt_statuses = (
            {str(word).casefold(): str(ours) for word, ours in statuses.items()}
            if statuses
            else dict(RECEIPT_DEFAULT_STATUSES)
        )
        if set(self.receipt_statuses.values()) - set(ReceiptStatus.values):
            raise ImproperlyConfigured(f"Provider {name!r}: receipt.statuses must map to {ReceiptStatus.values}")
        self.receipt_secret = str(options.get("receipt_secret") or "")
        if self.receipt_secret and len(self.receipt_secret) < MIN_RECEIPT_SECRET_LENGTH:
            raise ImproperlyConfigured(
                f"Provider {name!r}: receipt_secret must be at least {MIN_RECEIPT_SECRET_LENGTH} characters"
            )
        self.receipt_rate_limit = int(options.get("receipt_rate_limit") or DEFAULT_RECEIPT_RATE_LIMIT)
        self._session = self._build_session(production)

    # -- sending -----------------------------------------------------------------------------------

    def _build_session(self, production: bool) -> requests.Session:
        verify = self.options.get("verify_tls", True)
        if verify is False:
            if production:
                raise ImproperlyConfigured(f"Provider {self.name!r}: verify_tls cannot be turned off in production")
            logger.warning("Provider %s does not check the gateway's TLS certificate (not for production)", self.name)
        elif isinstance(verify, str):
            if not Path(verify).is_file():
                raise ImproperlyConfigured(f"Provider {self.name!r}: no CA bundle at verify_tls={verify!r}")
        elif verify is not True:
            raise ImproperlyConfigured(f"Provider {self.name!r}: verify_tls is true or a CA bundle path")
        session = requests.Session()
        # Only what this configuration says: no proxies, CA bundles or .netrc passwords from the environment.
        session.trust_env = False
        session.verify = verify
        # Never keep cookies: the session is shared by every thread, so it must hold no per-call state.
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        # No retries inside urllib3: a POST that may have arrived must never be sent again by us.
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=int(self.options.get("pool_size") or 10), max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        if self.options.get("proxy"):
            session.proxies = {"https": str(self.options["proxy"]), "http": str(self.options["proxy"])}
        session.headers.update(
            {"Accept": "application/json", "User-Agent": "Bawaba-notifications/1", **self._auth_headers()}
        )
        return session

    def _auth_headers(self) -> dict[str, str]:
        auth = self.options.get("auth") or {}
        kind = auth.get("type")
        if not auth:
            return {}
        if kind == "bearer" and auth.get("token"):
            return {"Authorization": f"Bearer {auth['token']}"}
        if kind == "basic" and auth.get("username") and "password" in auth:
            pair = f"{auth['username']}:{auth['password']}".encode()
            return {"Authorization": f"Basic {base64.b64encode(pair).decode('ascii')}"}
        if kind == "header" and auth.get("name") and auth.get("value"):
            return {str(auth["name"]): str(auth["value"])}
        raise ImproperlyConfigured(
            f"Provider {self.name!r}: auth must be bearer (token), basic (username, password) or header (name, value)"
        )

    def _recipient(self, e164: str) -> str:
        if self.to_format == "e164":
            return e164
        if self.to_format == "international":
            return e164.removeprefix("+")
        try:
            number = phonenumbers.parse(e164, None)
        except phonenumbers.NumberParseException as exc:
            raise TemporaryFailure("The number could not be written in national form", code="number_format") from exc
        if phonenumbers.region_code_for_number(number) != self.national_region:
            raise TemporaryFailure(
                f"This gateway only takes numbers of {self.national_region}", code="number_outside_region"
            )
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return "".join(ch for ch in national if ch.isdigit())

    def _check_fields(self) -> None:
        """Refuse a mapping that names what we do not have, or that could not be built into `extra`."""
        unknown = sorted(
            ours
            for ours in self.fields
            if ours not in DEFAULT_FIELDS and ours not in OPTIONAL_FIELDS and not ours.startswith(VALUES_PREFIX)
        )
        if unknown:
            raise ImproperlyConfigured(
                f"Provider {self.name!r}: fields can map to, body, sender, reference, language, channel and"
                f" values.<name>, not {unknown}"
            )
        wants_values = any(ours.startswith(VALUES_PREFIX) and theirs for ours, theirs in self.fields.items())
        if wants_values and self.configured_channels - VALUES_KEPT_FOR:
            raise ImproperlyConfigured(
                f"Provider {self.name!r}: values.<name> fields need a provider that carries only"
                f" {sorted(VALUES_KEPT_FOR)}: other messages keep no values apart from their text"
            )
        # A dry run: a path that steps into something that is not an object or a list fails here, not
        # on a citizen's code.
        document = copy.deepcopy(self.extra)
        for ours, theirs in self.fields.items():
            if (
                theirs is not None
                and not isinstance(theirs, str)
                and not (isinstance(theirs, list) and all(isinstance(path, str) and path for path in theirs))
            ):
                raise ImproperlyConfigured(f"Provider {self.name!r}: fields.{ours} is a name, a list of names or null")
            for path in _paths(theirs):
                try:
                    _put(document, path, ours)
                except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
                    raise ImproperlyConfigured(
                        f"Provider {self.name!r}: fields.{ours} = {path!r} does not fit the request's shape"
                    ) from exc

    def request_json(self, message: OutgoingMessage) -> dict[str, Any]:
        """The JSON document the gateway receives for this message."""
        document = copy.deepcopy(self.extra)
        ours_now = {
            "to": self._recipient(message.to),
            "body": message.body,
            "sender": message.sender or str(self.options.get("sender") or ""),
            "reference": message.message_id,
            "language": self.languages.get(message.language, message.language),
            "channel": message.channel,
        }
        for ours, theirs in self.fields.items():
            paths = _paths(theirs)
            if not paths:
                continue
            if ours.startswith(VALUES_PREFIX):
                name = ours.removeprefix(VALUES_PREFIX)
                if name not in message.values:
                    # Nothing went out: another provider, whose request needs no such value, may take it.
                    raise PermanentFailure(
                        f"This gateway's request needs the value {name!r}, which the message does not have",
                        code="missing_value",
                        final=False,
                        provider_fault=False,
                    )
                value: Any = message.values[name]
            else:
                value = ours_now[ours]
            if value or ours != "sender":
                for path in paths:
                    _put(document, path, value)
        return document

    def send(self, message: OutgoingMessage, *, timeout: float) -> Accepted:
        body = json.dumps(self.request_json(message), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": message.message_id}
        # urllib3's `total` bounds connecting and reading together, so one try never outlives `timeout`;
        # requests passes it through untouched (its type hints only know floats and tuples).
        timing: dict[str, Any] = {"timeout": urllib3.Timeout(total=max(0.01, timeout))}
        try:
            response = self._session.post(
                self.url, data=body, headers=headers, stream=True, allow_redirects=False, **timing
            )
        except requests.RequestException as exc:
            if _connection_never_made(exc):
                raise TemporaryFailure(
                    f"Could not reach the gateway: {type(exc).__name__}", code="http_connect"
                ) from exc
            raise TemporaryFailure(
                f"No answer from the gateway after sending: {type(exc).__name__}",
                code="http_no_answer",
                maybe_accepted=True,
            ) from exc
        try:
            raw = self._read_limited(response, deadline=time.monotonic() + timeout)
        except requests.RequestException as exc:
            raise TemporaryFailure(
                f"The gateway's answer was cut off: {type(exc).__name__}", code="http_no_answer", maybe_accepted=True
            ) from exc
        finally:
            response.close()
        return self._interpret(response.status_code, raw, message)

    @staticmethod
    def _read_limited(response: requests.Response, *, deadline: float) -> bytes | None:
        """The answer's body, or None when it is larger than any real gateway's answer.

        Timeouts in urllib3 bound each read, not the whole body: a gateway dripping a byte at a time
        would hold the thread for ever, so the try's own deadline is checked between reads too.
        """
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(1024):
            if time.monotonic() > deadline:
                raise TemporaryFailure(
                    "The gateway's answer came too slowly", code="http_slow_answer", maybe_accepted=True
                )
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    def _interpret(self, status: int, raw: bytes | None, message: OutgoingMessage) -> Accepted:
        document: Any = _MISSING
        if raw:
            try:
                document = json.loads(raw)
            except ValueError:
                document = _MISSING
        verdict = _get(document, self.result_path) if self.result_path and document is not _MISSING else _MISSING
        detail = _get(document, self.error_path) if self.error_path and document is not _MISSING else _MISSING
        said = f"HTTP {status}"
        if verdict is not _MISSING:
            said += f", {_short(verdict)}"
        if detail is not _MISSING:
            said += f" ({_short(detail)})"
        code = _short(detail if detail is not _MISSING else verdict if verdict is not _MISSING else f"http_{status}")
        # The gateway's own verdict, where it gives one, is more precise than the HTTP status.
        if verdict is not _MISSING and str(verdict) in self.result_permanent:
            raise PermanentFailure(f"The gateway refused the message: {said}", code=code)
        if verdict is not _MISSING and str(verdict) in self.result_temporary:
            raise TemporaryFailure(f"The gateway said try later: {said}", code=code)
        if 200 <= status < 300:
            return self._accepted(raw, document, verdict, message, said)
        kind = self._status_kind(status)
        if kind == "permanent":
            # A bare HTTP refusal may be about our account or sender id, not the number: let another
            # provider try. Operators list the gateway's verdicts that are about the number (result.permanent).
            raise PermanentFailure(f"The gateway refused the message: {said}", code=code, final=False)
        if kind == "unsure":
            raise TemporaryFailure(
                f"The gateway failed while handling the message: {said}", code=code, maybe_accepted=True
            )
        raise TemporaryFailure(f"The gateway did not take the message: {said}", code=code)

    def _status_kind(self, status: int) -> str:
        if self.permanent_statuses is not None and status in self.permanent_statuses:
            return "permanent"
        if status in (self.temporary_statuses if self.temporary_statuses is not None else DEFAULT_TEMPORARY_STATUSES):
            return "temporary"
        if status in (self.unsure_statuses if self.unsure_statuses is not None else DEFAULT_UNSURE_STATUSES):
            return "unsure"
        if 400 <= status < 500:
            return "permanent"
        if status >= 500:
            return "unsure"
        return "temporary"  # 1xx, 3xx: redirects are not followed, so the message was not handled

    def _accepted(
        self, raw: bytes | None, document: Any, verdict: Any, message: OutgoingMessage, said: str
    ) -> Accepted:
        needs_document = bool(self.id_path or self.result_path)
        if raw is None or (needs_document and not isinstance(document, dict | list)):
            raise TemporaryFailure(
                f"Could not read the gateway's answer ({said})", code="http_malformed", maybe_accepted=True
            )
        if self.result_accepted is not None and (verdict is _MISSING or str(verdict) not in self.result_accepted):
            raise TemporaryFailure(
                f"The gateway's answer says neither yes nor no ({said})", code="http_unexpected", maybe_accepted=True
            )
        if not self.id_path:
            return Accepted(reference=message.message_id)
        reference = _get(document, self.id_path)
        if isinstance(reference, bool) or not isinstance(reference, str | int) or not str(reference).strip():
            raise TemporaryFailure(
                f"The gateway's answer has no message id at {self.id_path} ({said})",
                code="http_malformed",
                maybe_accepted=True,
            )
        return Accepted(reference=str(reference).strip()[:120])

    def close(self) -> None:
        self._session.close()

    # -- receipts ----------------------------------------------------------------------------------

    def verify_receipt_signature(self, header: str, body: bytes, *, now: float) -> str:
        """Check `t=<unix>,v1=<hex>` over "<t>.<body>"; returns the matching signature, else raises."""
        if not self.receipt_secret:
            raise ReceiptNotFound()
        timestamp = ""
        signatures: list[str] = []
        for item in header.split(","):
            key, _sep, value = item.strip().partition("=")
            if key == "t":
                timestamp = value
            elif key == "v1":
                signatures.append(value)
        if not timestamp.isascii() or not timestamp.isdigit() or not signatures:
            raise ReceiptUnauthorized()
        signed = timestamp.encode() + b"." + body
        expected = hmac.new(self.receipt_secret.encode(), signed, hashlib.sha256).hexdigest().encode()
        matching = [sig for sig in signatures if hmac.compare_digest(expected, sig.encode("utf-8", "replace"))]
        if not matching:
            raise ReceiptUnauthorized()
        age = now - int(timestamp)
        if age > SIGNATURE_MAX_AGE or age < -SIGNATURE_MAX_AHEAD:
            raise ReceiptUnauthorized(_("The receipt's signature is too old or dated in the future."), code="stale")
        return matching[0]

    def parse_receipt(self, body: bytes) -> ReceiptData:
        """What a genuine receipt says, in our terms."""
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise ReceiptInvalid(_("The receipt must be a JSON object."), code="invalid_json")
        reference = _get(document, self.receipt_fields["reference"])
        if isinstance(reference, bool) or not isinstance(reference, str | int) or not 0 < len(str(reference)) <= 120:
            raise ReceiptInvalid(_("The receipt does not say which message it is about."), code="missing_reference")
        word = _get(document, self.receipt_fields["status"])
        status = self.receipt_statuses.get(str(word).casefold()) if isinstance(word, str | int) else None
        if status is None:
            raise ReceiptInvalid(_("The receipt's status is not one we know."), code="unknown_status")
        error = _get(document, self.receipt_fields["error"])
        error_code = _short(error, 32) if isinstance(error, str | int) and not isinstance(error, bool) else ""
        done_raw = _get(document, self.receipt_fields["done_at"])
        # Only the fields we understand are kept: some gateways echo the start of the text, i.e. the code.
        kept = {"reference": str(reference), "status": _short(word, 32), "error": error_code}
        if done_raw is not _MISSING:
            kept["done_at"] = _short(done_raw)
        return ReceiptData(
            reference=str(reference),
            status=status,
            provider_status=_short(word, 32),
            error_code=error_code,
            done_at=_parse_done_at(done_raw),
            payload=kept,
        )


def _parse_done_at(value: Any) -> dt.datetime | None:
    """ISO 8601 (naive means UTC) or Unix seconds; anything else is dropped rather than the receipt."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return dt.datetime.fromtimestamp(value, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            return None
        if parsed is not None and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed
    return None


@dataclass(frozen=True)
class ReceiptData:
    reference: str
    status: str
    provider_status: str
    error_code: str
    done_at: dt.datetime | None
    payload: dict[str, str]


class ReceiptInvalid(ApplicationError):
    code = "invalid_receipt"
    status = 400
    default_message = _("The receipt could not be read.")


class ReceiptUnauthorized(ApplicationError):
    code = "bad_signature"
    status = 401
    default_message = _("The receipt's signature is missing or wrong.")


class ReceiptNotFound(ApplicationError):
    # The same answer for an unknown provider, one of another kind and one without a secret: a caller
    # without the secret learns nothing about which providers exist.
    code = "not_found"
    status = 404
    default_message = _("There is no receipt endpoint here.")
