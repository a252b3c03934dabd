"""Helpers of the chat websocket tests: run a scripted conversation, tell the kind of a product card shown."""

from __future__ import annotations

import asyncio
import re


def run(coro):
    return asyncio.run(coro)


def is_a(card: dict, word: str) -> bool:
    return (
        re.search(rf"\b{word}(?:e?s)?\b", (card["category"] + " " + (card["product_type"] or "")).lower()) is not None
    )
