"""Signed shopper tokens and the shop's login assertions (HMAC-SHA256; pure apart from load_secret).

A token is `<shopper_id>.<expiry unix s>.<sig>` where sig = HMAC(secret, "<shopper_id>.<expiry>"), base64url.
It names exactly one shopper, so no endpoint needs (or accepts) a shopper id from the caller.
A login assertion is what the shop's own login sends when a shopper signs in:
`{"account_id", "ts", "sig"}` with sig = hex HMAC-SHA256(shop_secret, "<account_id>.<ts>").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import time
from pathlib import Path

from assistant.errors import BadInput, Forbidden, Unauthorized

SECRET_FILE = "shopmate.secret"
_SID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def load_secret(configured: str, data_dir: Path) -> bytes:
    """The configured secret, else the one generated on first run and kept (0600) in data_dir."""
    if configured:
        return configured.encode()
    path = Path(data_dir) / SECRET_FILE
    if path.exists():
        return path.read_bytes().strip()
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48).encode()
    # O_EXCL: two processes starting at once must not each write a different secret
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as f:
        f.write(value)
        f.flush()
        os.fsync(f.fileno())
    return value


def _valid_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def new_shopper_id() -> str:
    return "s_" + secrets.token_urlsafe(12)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _sign(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())


def issue_token(secret: bytes, shopper_id: str, ttl_s: int, now: float | None = None) -> str:
    if not _SID_RE.match(shopper_id):
        raise ValueError("shopper ids are 8-64 url-safe characters")
    exp = int((time.time() if now is None else now) + ttl_s)
    payload = f"{shopper_id}.{exp}"
    return f"{payload}.{_sign(secret, payload)}"


def verify_token(secret: bytes, token: str, now: float | None = None) -> str:
    """The shopper id a valid, unexpired token names; Unauthorized otherwise."""
    parts = (token or "").strip().split(".")
    if len(parts) != 3 or not _SID_RE.match(parts[0]) or not parts[1].isdigit():
        raise Unauthorized("malformed token: send 'Authorization: Bearer <token from POST /api/sessions>'")
    sid, exp, sig = parts
    if not hmac.compare_digest(sig.encode(), _sign(secret, f"{sid}.{exp}").encode()):
        raise Unauthorized("invalid token signature: start a new session with POST /api/sessions")
    if int(exp) < (time.time() if now is None else now):
        raise Unauthorized("token expired: start a new session with POST /api/sessions")
    return sid


def bearer(authorization: str | None) -> str | None:
    """The token in an 'Authorization: Bearer <token>' header, or None when there is none."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("Authorization must be 'Bearer <token>'")
    return value.strip()


def sign_login(shop_secret: bytes, account_id: str, ts: int) -> str:
    """What the shop's backend computes for a login assertion (also used by tests and docs)."""
    return hmac.new(shop_secret, f"{account_id}.{int(ts)}".encode(), hashlib.sha256).hexdigest()


def verify_login(shop_secret: bytes, assertion: dict, max_age_s: int, now: float | None = None) -> str:
    """The account id of a genuine, fresh login assertion signed by the shop."""
    if not shop_secret:
        raise Forbidden(
            "account linking is disabled: set SHOPMATE_SHOP_SECRET to the secret your shop signs login assertions with"
        )
    account, ts, sig = assertion.get("account_id"), assertion.get("ts"), assertion.get("sig")
    if not isinstance(account, str) or not account or len(account) > 200 or not _valid_text(account):
        raise BadInput("account_id must be a non-empty string (valid Unicode) of at most 200 characters")
    if not isinstance(ts, (int, float)) or isinstance(ts, bool) or not abs(ts) < 1e11:  # NaN fails too
        raise BadInput("ts must be the unix time (seconds) at which the shop signed the assertion")
    if not isinstance(sig, str) or len(sig) > 200 or not _valid_text(sig):
        raise BadInput("sig must be the hex HMAC-SHA256 of '<account_id>.<ts>' with the shop secret")
    if not hmac.compare_digest(sig.lower().encode(), sign_login(shop_secret, account, int(ts)).encode()):
        raise Forbidden("login assertion signature does not verify; it must be signed with SHOPMATE_SHOP_SECRET")
    now = time.time() if now is None else now
    if abs(now - float(ts)) > max_age_s:
        raise Forbidden(f"login assertion is older than {max_age_s}s (or from the future): sign a fresh one")
    return account
