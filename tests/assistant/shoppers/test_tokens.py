"""Shopper tokens and shop login assertions (pure HMAC code)."""

from __future__ import annotations

import os
import stat

import pytest

from assistant.errors import BadInput, Forbidden, Unauthorized
from assistant.shoppers import tokens

SECRET = b"k" * 32


def test_token_roundtrip_names_its_shopper():
    sid = tokens.new_shopper_id()
    tok = tokens.issue_token(SECRET, sid, ttl_s=60, now=1000)
    assert tokens.verify_token(SECRET, tok, now=1030) == sid


def test_token_expires():
    tok = tokens.issue_token(SECRET, tokens.new_shopper_id(), ttl_s=60, now=1000)
    with pytest.raises(Unauthorized, match="expired"):
        tokens.verify_token(SECRET, tok, now=1061)


def test_token_for_another_shopper_cannot_be_forged():
    a, b = tokens.new_shopper_id(), tokens.new_shopper_id()
    tok = tokens.issue_token(SECRET, a, ttl_s=60, now=1000)
    _, exp, sig = tok.split(".")
    with pytest.raises(Unauthorized, match="signature"):
        tokens.verify_token(SECRET, f"{b}.{exp}.{sig}", now=1000)
    with pytest.raises(Unauthorized, match="signature"):  # extending the expiry breaks the signature too
        tokens.verify_token(SECRET, f"{a}.{int(exp) + 10**6}.{sig}", now=1000)
    with pytest.raises(Unauthorized, match="signature"):
        tokens.verify_token(b"other-secret", tok, now=1000)
    with pytest.raises(Unauthorized, match="malformed"):
        tokens.verify_token(SECRET, "garbage", now=1000)


def test_secret_generated_once_and_private(tmp_path):
    s1 = tokens.load_secret("", tmp_path)
    s2 = tokens.load_secret("", tmp_path)
    assert s1 == s2 and len(s1) >= 32
    mode = stat.S_IMODE(os.stat(tmp_path / tokens.SECRET_FILE).st_mode)
    assert mode == 0o600
    assert tokens.load_secret("configured", tmp_path) == b"configured"


def test_login_assertion():
    shop = b"shop-secret"
    sig = tokens.sign_login(shop, "acct-7", 5000)
    assert tokens.verify_login(shop, {"account_id": "acct-7", "ts": 5000, "sig": sig}, 300, now=5100) == "acct-7"
    with pytest.raises(Forbidden, match="does not verify"):
        tokens.verify_login(shop, {"account_id": "acct-8", "ts": 5000, "sig": sig}, 300, now=5100)
    with pytest.raises(Forbidden, match="older"):
        tokens.verify_login(shop, {"account_id": "acct-7", "ts": 5000, "sig": sig}, 300, now=6000)
    with pytest.raises(Forbidden, match="disabled"):
        tokens.verify_login(b"", {"account_id": "acct-7", "ts": 5000, "sig": sig}, 300, now=5100)
    with pytest.raises(BadInput):
        tokens.verify_login(shop, {"account_id": "", "ts": 5000, "sig": sig}, 300, now=5100)


def test_bearer_header():
    assert tokens.bearer(None) is None
    assert tokens.bearer("Bearer abc") == "abc"
    with pytest.raises(Unauthorized):
        tokens.bearer("Basic abc")
