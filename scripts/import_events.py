"""Replay a purchase log (UCI Online Retail format) as shopper events through the real event store.

    SHOPMATE_INDEX_DIR=... SHOPMATE_DATA_DIR=... python scripts/import_events.py --log online_retail.csv.gz

Each customer becomes the shopper `retail-<CustomerID>`; each invoice line of a catalog product becomes a
`purchase` event at the invoice's time, recorded with `Shoppers.record` (validated, committed, folded into
the profile exactly as a live event). Idempotent: events already in the store (same shopper, product and
time) are not recorded again, so a re-run imports 0. Skipped rows are counted with their reason
(cancellation, adjustment, guest without CustomerID, not a product, unknown product, returned/zero lines,
older than the retention period); unreadable rows are listed with their line numbers.

Dates: the log is from 2010-2011 and the store refuses events older than the retention period, so every
timestamp is shifted by a whole number of days so that the log's last invoice falls on yesterday (UTC).
The shift is chosen on the first import and kept in `<data_dir>/import_shift.json`, so re-runs on later
days shift identically (and stay idempotent).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from scripts.prepare_retail import open_log, product_code  # noqa: E402

DAY = 86400
SHIFT_FILE = "import_shift.json"


@dataclass(frozen=True)
class Line:
    """One usable log line: a customer bought a catalog product on an invoice."""

    customer: str
    invoice: str
    product_id: str
    ts: float  # original (unshifted) unix seconds, the log's clock read as UTC


@dataclass
class Summary:
    rows: int = 0
    lines: int = 0  # usable purchase lines
    imported: int = 0  # events recorded now
    already: int = 0  # events found in the store (earlier import)
    merged: int = 0  # repeated product lines within one invoice, folded into one event
    skipped: Counter = field(default_factory=Counter)
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    customers: int = 0
    invoices: int = 0
    shift_days: int = 0

    def lines_out(self) -> list[str]:
        out = [
            f"rows read: {self.rows:,}",
            f"purchase events imported: {self.imported:,} (already in the store: {self.already:,})",
            f"customers: {self.customers:,}, invoices: {self.invoices:,}; "
            f"repeated lines within an invoice merged: {self.merged:,}",
            f"dates shifted by {self.shift_days:,} days",
        ]
        for reason, n in self.skipped.most_common():
            out.append(f"skipped {n:,} rows: {reason}")
        for line, reason in self.bad[:20]:
            out.append(f"bad row on line {line}: {reason}")
        if len(self.bad) > 20:
            out.append(f"... and {len(self.bad) - 20} more bad rows")
        return out


def parse_time(raw: str) -> float:
    """'2010-12-01 08:26' (the log's clock, read as UTC) -> unix seconds."""
    return datetime.strptime(raw.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=UTC).timestamp()


def read_lines(
    rows: Iterable[tuple[int, dict[str, str]]], known: Callable[[str], bool], summary: Summary
) -> Iterator[Line]:
    """Usable purchase lines; every other row is counted in `summary` with its reason."""
    for line_no, r in rows:
        summary.rows += 1
        try:
            invoice = (r.get("InvoiceNo") or "").strip()
            raw_code = (r.get("StockCode") or "").strip()
            if not invoice or not raw_code:
                raise ValueError("missing InvoiceNo or StockCode")
            qty = float(r["Quantity"])
            price = float(r["UnitPrice"])
            ts = parse_time(r["InvoiceDate"])
        except (KeyError, TypeError, ValueError) as e:
            msg = str(e) if isinstance(e, ValueError) and "missing" in str(e) else f"unreadable value ({e})"
            summary.bad.append((line_no, msg))
            summary.skipped["bad row (unreadable)"] += 1
            continue
        if invoice.startswith("C"):
            summary.skipped["cancellation (invoice C...)"] += 1
            continue
        if invoice.startswith("A"):
            summary.skipped["accounting adjustment (invoice A...)"] += 1
            continue
        customer = (r.get("CustomerID") or "").strip()
        if not customer:
            summary.skipped["guest row (no CustomerID)"] += 1
            continue
        code = product_code(raw_code)
        if code is None:
            summary.skipped["not a product (postage, fees, manual, vouchers...)"] += 1
            continue
        if qty <= 0 or price <= 0:
            summary.skipped["non-positive quantity or price (stock note)"] += 1
            continue
        if not known(code):
            summary.skipped["unknown product (not in the catalog)"] += 1
            continue
        summary.lines += 1
        yield Line(customer.split(".")[0], invoice, code, ts)


def numbered_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    import csv

    with open_log(path) as f:
        reader = csv.DictReader(f)
        for row in reader:
            yield reader.line_num, row


def choose_shift(data_dir: Path, log_end: float, now: float, end: str | None = None) -> int:
    """Whole days added to every timestamp: kept from the first import, else the log ends yesterday."""
    f = data_dir / SHIFT_FILE
    if f.exists():
        return int(json.loads(f.read_text())["shift_days"])
    target = parse_time(end + " 12:00") if end else now - DAY
    days = int((target - log_end) // DAY)
    data_dir.mkdir(parents=True, exist_ok=True)
    f.write_text(json.dumps({"shift_days": days, "log_end": log_end}) + "\n")
    return days


def shopper_id(customer: str) -> str:
    return f"retail-{customer}"


def import_log(
    shoppers,
    rows: Iterable[tuple[int, dict[str, str]]],
    known: Callable[[str], bool],
    end: str | None = None,
    until: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Replay the log's purchases through `shoppers.record` (the public path of every event).

    until: only invoices before this original (unshifted) time, for evaluation splits.
    """
    summary = Summary()
    lines = list(read_lines(rows, known, summary))
    return replay(shoppers, lines, summary, end=end, until=until, progress=progress)


def replay(
    shoppers,
    lines: Iterable[Line],
    summary: Summary | None = None,
    end: str | None = None,
    until: float | None = None,
    shift_days: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Record already-read lines, one `record` call per invoice (shift_days: fixed shift, e.g. 0 for an eval)."""
    summary = summary or Summary()
    baskets: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for ln in lines:
        if until is not None and ln.ts >= until:
            summary.skipped["after the --until date"] += 1
            continue
        items = baskets[(ln.customer, ln.invoice)]
        if ln.product_id in items:
            summary.merged += 1
        items[ln.product_id] = ln.ts
    if not baskets:
        return summary
    log_end = max(max(items.values()) for items in baskets.values())
    if shift_days is None:
        shift_days = choose_shift(shoppers.settings.data_dir, log_end, shoppers.now(), end)
    shift = shift_days * DAY
    summary.shift_days = shift_days
    summary.customers = len({c for c, _ in baskets})
    summary.invoices = len(baskets)
    have = {(r[0], r[1], round(r[2])) for r in shoppers.store.item_events(("purchase",), shopper_prefix="retail-")}
    oldest = shoppers.now() - shoppers.settings.retention_days * DAY + 3600  # margin: the import takes a while
    order = sorted(baskets.items(), key=lambda kv: min(kv[1].values()))  # replay in time order
    fresh: set[str] = set()
    batch = shoppers.settings.max_event_batch
    for done, ((customer, _invoice), items) in enumerate(order, start=1):
        sid = shopper_id(customer)
        events = []
        for pid, ts in items.items():
            t = ts + shift
            if (sid, pid, round(t)) in have:
                summary.already += 1
            elif t < oldest:
                summary.skipped["older than the retention period after the shift"] += 1
            else:
                events.append({"type": "purchase", "product_id": pid, "ts": t})
        if events and sid not in fresh:
            fresh.add(sid)
            # imported history is not a live visit: no journey nudges for it (personalization stays on)
            if shoppers.nudges_allowed(sid):
                shoppers.set_consent(sid, None, False)
        for i in range(0, len(events), batch):
            shoppers.record(sid, events[i : i + batch])
        summary.imported += len(events)
        if progress:
            progress(done, len(order))
    return summary


def main(argv: list[str] | None = None) -> int:
    from tqdm import tqdm

    from assistant.services import Services
    from assistant.settings import Settings
    from index.embedder import Embedder

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", required=True, help="the purchase log (.csv or .csv.gz)")
    ap.add_argument("--end", help="first import only: the date (YYYY-MM-DD) the log's last day moves to")
    ap.add_argument("--until", help="only invoices before this original date (YYYY-MM-DD)")
    ap.add_argument("--token-for", metavar="CUSTOMER_ID", help="print a shopper token for this customer and exit")
    a = ap.parse_args(argv)
    # One process writes the whole history: group commits of NORMAL durability are enough for a re-runnable import.
    settings = dataclasses.replace(Settings.from_env(), segments_refresh_s=0, sqlite_synchronous="NORMAL")
    svc = Services.start(settings, Embedder())
    try:
        if a.token_for:
            from assistant.shoppers import tokens

            sid = shopper_id(a.token_for)
            print(tokens.issue_token(svc.shoppers.secret, sid, settings.token_ttl_s, time.time()))
            return 0
        known = svc.engine.index.id_to_row.__contains__
        bar = tqdm(total=0, unit="invoices", desc="importing", dynamic_ncols=True)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            if done % 200 == 0 or done == total:
                bar.refresh()

        until = parse_time(a.until + " 00:00") if a.until else None
        summary = import_log(svc.shoppers, numbered_rows(Path(a.log)), known, a.end, until, progress)
        bar.close()
    finally:
        svc.close()
    for line in summary.lines_out():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
