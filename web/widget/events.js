// Shopper events (view, click, add_to_cart, search...) batched to POST /api/events.
const MAX_QUEUE = 200; // beyond this the oldest events are dropped rather than growing without bound
const BATCH = 50;

export function deviceContext() {
  const mobile = window.matchMedia && window.matchMedia("(max-width: 640px)").matches;
  const ctx = { device: mobile ? "mobile" : "desktop" };
  if (document.referrer) ctx.referrer = document.referrer.slice(0, 500); // the server caps it
  return ctx;
}

export class EventQueue {
  constructor(api, { flushMs = 800 } = {}) {
    this.api = api;
    this.flushMs = flushMs;
    this.queue = [];
    this.timer = null;
    this.failures = 0;
    this.lastError = null;
    this.sent = 0; // acknowledged by the server; shown nowhere, handy when debugging an embed
    const flushNow = () => this.flush({ keepalive: true });
    window.addEventListener("pagehide", flushNow);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") flushNow();
    });
  }

  /** Queue one event; type is one of the server's event types, fields e.g. {product_id} or {query}. */
  track(type, fields = {}) {
    const ev = { type, ...fields, context: deviceContext() };
    this.queue.push(ev);
    if (this.queue.length > MAX_QUEUE) this.queue.splice(0, this.queue.length - MAX_QUEUE);
    this.schedule(this.flushMs);
  }

  schedule(ms) {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, ms);
  }

  async flush({ keepalive = false } = {}) {
    if (!this.queue.length || this.inFlight) return;
    const token = await this.api.ensureSession();
    if (!token) {
      // No session endpoint (yet): events have nobody to belong to; retry later in case it comes back.
      this.lastError = this.api.sessionError;
      this.retryLater();
      return;
    }
    const batch = this.queue.splice(0, BATCH);
    this.inFlight = true;
    try {
      await this.api.request("/api/events", { method: "POST", body: batch, keepalive });
      this.sent += batch.length;
      this.failures = 0;
      this.lastError = null;
    } catch (e) {
      this.lastError = e.message;
      if (e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 404 && e.status !== 429) {
        // The server rejected the batch with a reason; resending the same events cannot succeed.
        console.warn("shopmate: events rejected:", e.message);
      } else {
        this.queue.unshift(...batch);
        this.retryLater();
      }
    } finally {
      this.inFlight = false;
    }
    if (this.queue.length && !this.failures) this.schedule(0);
  }

  retryLater() {
    this.failures += 1;
    this.schedule(Math.min(30000, 1000 * 2 ** Math.min(this.failures, 5)));
  }
}
