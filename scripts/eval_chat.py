"""Conversation evaluation: multi-turn scripts written as shoppers talk (bench/conversations/*.jsonl), played
over the real websocket against one server, each turn checked for what a shopper takes for granted.

    python scripts/eval_chat.py [--index-dir data/index] [--out bench/chat_eval.json] [--show-failures]

A script is one JSON line: {"id", "turns": [{"say", "kind", "expect": {...}}]}. The checks were written from
reading the catalog (which products exist, what their titles, categories and specifications say), not from
the chat's rules. `expect` keys:
  items      "some" (default for product turns) | "none" | "any"
  type       regex every shown product's category path + type + title must match (lower case)
  not_type   regex none of them may match
  gender     genders every shown product must have (list)
  colour / not_colour   the catalog colour every product has / that none has (nor names in its title)
  price_max / price_min every shown price within
  title      regex every shown title must match (e.g. the device an accessory fits)
  text / text_not       regex the reply must / must not match (lower case)
  focus      n: the one product shown is #n of the last list shown; "same": the product of the last turn
  new        true: nothing of the last list shown again
  below_median  true: every price below the median of the last list
Product-level checks (type, gender, colour, price, title) also give the share of shown products that
satisfy every active constraint. A product turn that shows nothing is right only when the reply says nothing
matched AND the catalog itself holds no product passing the turn's checks (every product of the index is run
through the same checks, plus "new" and "below_median"): an honest "none" when there is none, a miss otherwise.
Every reply is also checked for claims the catalog cannot support
("in stock" when it has no stock data).

Reports: share of turns right (overall and by turn kind), share of shown products meeting every constraint,
first `delta` and `done` p50/p99 per turn beside a REST /api/search of the same message, in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.speed import CHAT_BENCH_ENV, Server, given_or_own, summary  # noqa: E402
from tests.assistant.chat_client import open_chat, say  # noqa: E402

CONVERSATIONS = ROOT / "bench" / "conversations"
PRODUCT_CHECKS = ("type", "not_type", "gender", "colour", "not_colour", "price_max", "price_min", "title")
ALWAYS_NOT = r"\bin stock\b"  # the bundled catalogs carry no stock data
SAYS_NONE = r"\b(?:nothing|none|no other|no more)\b"  # the reply owns up that nothing matched
_SINGLE_KINDS = ("question", "question_unknown", "reference", "cart", "compare")  # turns about shown products


def load_scripts(folder: Path = CONVERSATIONS) -> list[dict]:
    scripts = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                scripts.append(json.loads(line))
    return scripts


def product_ok(card: dict, exp: dict) -> list[str]:
    """Reasons this shown product breaks the turn's constraints (empty: it satisfies every one)."""
    bad = []
    text = f"{card['category']} {card.get('product_type') or ''} {card['title']}".lower()
    if "type" in exp and not re.search(exp["type"], text):
        bad.append(f"type: {card['title']!r}")
    if "not_type" in exp and re.search(exp["not_type"], text):
        bad.append(f"not_type: {card['title']!r}")
    if "gender" in exp and card.get("gender") not in exp["gender"]:
        bad.append(f"gender {card.get('gender')}: {card['title']!r}")
    # a shopper reads the colour off the card: its colour, or the one its title names ("Yellow Gold ... Earring")
    if (
        "colour" in exp
        and card.get("colour") != exp["colour"]
        and not re.search(rf"\b{exp['colour']}\b", card["title"].lower())
    ):
        bad.append(f"colour {card.get('colour')}: {card['title']!r}")
    if "not_colour" in exp and (
        card.get("colour") == exp["not_colour"] or re.search(rf"\b{exp['not_colour']}\b", card["title"].lower())
    ):
        bad.append(f"not_colour: {card['title']!r}")
    price = card.get("price")
    if "price_max" in exp and (price is None or price > exp["price_max"]):
        bad.append(f"price {price} > {exp['price_max']}")
    if "price_min" in exp and (price is None or price < exp["price_min"]):
        bad.append(f"price {price} < {exp['price_min']}")
    if "title" in exp and not re.search(exp["title"], card["title"].lower()):
        bad.append(f"title: {card['title']!r}")
    return bad


def catalog_cards(index_dir: Path) -> list[dict]:
    """Every product of the index as a card (the ground truth an honest "nothing matched" is checked against)."""
    from assistant.search.cards import product_card
    from index.catalog import Product
    from index.store import current_version

    version = current_version(index_dir)
    if version is None:
        return []
    with open(index_dir / version / "products.jsonl", encoding="utf-8") as f:
        return [product_card(Product.from_dict(json.loads(line))) for line in f if line.strip()]


def attainable(exp: dict, catalog: list[dict], last_list: list[dict]) -> int:
    """Products of the catalog that pass the turn's checks (0: "nothing matched" is the honest answer)."""
    shown = {c["id"] for c in last_list} if exp.get("new") else set()
    prices = [c["price"] for c in last_list if c.get("price") is not None]
    median = statistics.median(prices) if exp.get("below_median") and prices else None
    return sum(
        1
        for c in catalog
        if c["id"] not in shown
        and (median is None or (c.get("price") is not None and c["price"] < median))
        and not product_ok(c, exp)
    )


def check_turn(
    exp: dict,
    items: list[dict],
    text: str,
    last_list: list[dict],
    last_focus: str | None,
    catalog: list[dict] | None = None,
) -> list[str]:
    """Reasons the turn is wrong (empty: right)."""
    why: list[str] = []
    low = text.lower()
    want = exp.get("items", "some" if any(k in exp for k in PRODUCT_CHECKS) else "any")
    if want == "some" and not items:
        n = attainable(exp, catalog, last_list) if catalog else None
        if n is None:
            why.append("no products shown")
        elif n:
            why.append(f"no products shown, though {n} in the catalog pass this turn's checks")
        elif not re.search(SAYS_NONE, low):
            why.append("no products shown, and the reply does not say that nothing matched")
    if want == "none" and items:
        why.append(f"{len(items)} products shown, none expected")
    for card in items if any(k in exp for k in PRODUCT_CHECKS) else []:
        why += product_ok(card, exp)
    if "text" in exp and not re.search(exp["text"], low):
        why.append(f"reply lacks /{exp['text']}/")
    for rx in [ALWAYS_NOT, exp.get("text_not")]:
        if rx and re.search(rx, low):
            why.append(f"reply has /{rx}/")
    if "focus" in exp:
        if exp["focus"] == "same":
            if not items or items[0]["id"] != last_focus:
                why.append("not the product we were talking about")
        else:
            n = int(exp["focus"])
            if len(last_list) < n or not items or items[0]["id"] != last_list[n - 1]["id"]:
                why.append(f"not #{n} of the last list")
    if exp.get("new") and {c["id"] for c in items} & {c["id"] for c in last_list}:
        why.append("showed the same products again")
    if exp.get("below_median") and last_list:
        med = statistics.median(c["price"] for c in last_list if c.get("price") is not None)
        if any((c.get("price") or 0) >= med for c in items):
            why.append(f"not all below the last median {med:g}")
    if not text.strip():
        why.append("empty reply")
    return why


async def play(ws_url: str, script: dict, out: dict, catalog: list[dict] | None = None) -> None:
    ws, _ = await open_chat(ws_url)
    last_list: list[dict] = []
    last_focus: str | None = None
    try:
        for i, t in enumerate(script["turns"]):
            turn = await say(ws, t["say"])
            exp = t.get("expect", {})
            reasons = check_turn(exp, turn.items, turn.text, last_list, last_focus, catalog)
            checked = list(turn.items) if any(k in exp for k in PRODUCT_CHECKS) else []
            out["turns"].append(
                {
                    "script": script["id"],
                    "turn": i + 1,
                    "kind": t.get("kind", "search"),
                    "say": t["say"],
                    "right": not reasons,
                    "why": reasons,
                    "reply": turn.text[:300],
                    "products_checked": len(checked),
                    "products_ok": sum(1 for c in checked if not product_ok(c, exp)),
                    "honest_none": not reasons
                    and not turn.items
                    and exp.get("items", "some") == "some"
                    and any(k in exp for k in PRODUCT_CHECKS),
                }
            )
            if turn.first_delta_s is not None:
                out["first_delta_ms"].append(turn.first_delta_s * 1000)
            out["done_ms"].append((turn.done_s or 0.0) * 1000)
            # the list "the first one" points at: the last products a search-like turn showed (even one)
            if len(turn.items) >= 2 or (turn.items and t.get("kind") not in _SINGLE_KINDS):
                last_list = turn.items
            if turn.items:
                last_focus = turn.items[0]["id"] if len(turn.items) == 1 else last_focus
    finally:
        await ws.close()


async def rest(base: str, texts: list[str], out: list[float], concurrency: int) -> None:
    sem = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:

        async def one(q: str) -> None:
            async with sem:
                t = time.perf_counter()
                r = await c.get("/api/search", params={"q": q, "k": 6})
                r.raise_for_status()
                out.append((time.perf_counter() - t) * 1000)

        await asyncio.gather(*(one(q) for q in texts))


async def run_all(base: str, scripts: list[dict], concurrency: int, catalog: list[dict] | None = None) -> dict:
    out: dict = {"turns": [], "first_delta_ms": [], "done_ms": []}
    sem = asyncio.Semaphore(concurrency)
    ws_url = base.replace("http://", "ws://")

    async def guarded(s: dict) -> None:
        async with sem:
            await play(ws_url, s, out, catalog)

    await guarded({"id": "warm-up", "turns": [{"say": "a watch"}, {"say": "cheaper"}]})
    out = {"turns": [], "first_delta_ms": [], "done_ms": []}
    await asyncio.gather(*(guarded(s) for s in scripts))
    rest_ms: list[float] = []
    await rest(base, [t["say"] for s in scripts for t in s["turns"]], rest_ms, concurrency)
    out["rest_ms"] = rest_ms
    return out


def summarise(out: dict) -> dict:
    turns = out["turns"]
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for t in turns:
        by_kind[t["kind"]].append(t["right"])
    checked = sum(t["products_checked"] for t in turns)
    ok = sum(t["products_ok"] for t in turns)
    return {
        "scripts": len({t["script"] for t in turns}),
        "turns": len(turns),
        "turns_right": sum(t["right"] for t in turns),
        "share_right": round(sum(t["right"] for t in turns) / max(1, len(turns)), 4),
        "by_kind": {
            k: {"n": len(v), "right": sum(v), "share": round(sum(v) / len(v), 3)} for k, v in sorted(by_kind.items())
        },
        "honest_none_turns": sum(1 for t in turns if t.get("honest_none")),
        "products_checked": checked,
        "products_meeting_every_constraint": round(ok / checked, 4) if checked else None,
        "first_delta": summary(out["first_delta_ms"]),
        "done": summary(out["done_ms"]),
        "rest_search": summary(out["rest_ms"]),
        "failures": [
            {k: t[k] for k in ("script", "turn", "kind", "say", "why", "reply")} for t in turns if not t["right"]
        ],
    }


def main(argv: list[str] | None = None, *, server: Server | None = None) -> int:
    """scripts/bench.py passes its running server."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", default=str(ROOT / "data" / "index"))
    ap.add_argument("--catalog", default=None, help="the catalog of that index (default: the server's setting)")
    ap.add_argument("--mapping", default=None)
    ap.add_argument("--conversations", default=str(CONVERSATIONS))
    ap.add_argument("--concurrency", type=int, default=4, help="conversations played at once (load for timing)")
    ap.add_argument("--out", default=None, help="also write the figures as JSON here")
    ap.add_argument("--show-failures", action="store_true")
    a = ap.parse_args(argv)
    scripts = load_scripts(Path(a.conversations))
    catalog = Path(a.catalog) if a.catalog else None
    mapping = Path(a.mapping) if a.mapping else None
    with given_or_own(server, Path(a.index_dir), catalog, mapping, extra_env=CHAT_BENCH_ENV) as srv:
        out = asyncio.run(run_all(srv.base_url, scripts, a.concurrency, catalog_cards(Path(a.index_dir))))
        products = srv.products
    res = summarise(out)
    res["concurrency"] = a.concurrency
    res["products"] = products
    res["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"turns right: {res['turns_right']}/{res['turns']} ({res['share_right']:.1%}) over {res['scripts']} scripts")
    for k, v in res["by_kind"].items():
        print(f"  {k:14s} {v['right']:3d}/{v['n']:3d}  {v['share']:.0%}")
    print(
        f"shown products meeting every constraint: {res['products_meeting_every_constraint']} "
        f"({res['products_checked']} checked); turns right by an honest 'nothing matched': {res['honest_none_turns']}"
    )
    print(
        f"first delta p50 {res['first_delta']['p50_ms']} ms, done p50 {res['done']['p50_ms']} ms, "
        f"REST search p50 {res['rest_search']['p50_ms']} ms (concurrency {a.concurrency}; load average "
        f"{res['load_average_at_end'][0]} on {os.cpu_count()} CPUs: compare speed only within one run)"
    )
    if a.show_failures:
        for f in res["failures"]:
            print(f"- {f['script']}#{f['turn']} [{f['kind']}] {f['say']!r}: {'; '.join(f['why'])}\n    {f['reply']}")
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(res, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
