// A websocket that comes back: exponential backoff with jitter, a send queue, and a heartbeat.
export function backoffDelay(attempt, { base = 500, max = 10000, rand = Math.random } = {}) {
  const d = Math.min(max, base * 2 ** attempt);
  return Math.round(d * (0.8 + 0.4 * rand())); // jitter so many widgets do not reconnect in lockstep
}

export class Connection {
  /**
   * urlFn() -> Promise<string>: called before every attempt (the token may have changed).
   * on: {frame(obj), state(name, detail)}; states: connecting, open, waiting (retry scheduled), closed.
   */
  constructor(urlFn, on) {
    this.urlFn = urlFn;
    this.on = on;
    this.ws = null;
    this.attempt = 0;
    this.everOpened = false;
    this.queue = [];
    this.retryTimer = null;
    this.pingTimer = null;
    this.stopped = true;
    window.addEventListener("online", () => this.connectNow());
  }

  get isOpen() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  start() {
    this.stopped = false;
    if (!this.ws && !this.retryTimer) this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.ws) this.ws.close(1000, "closed by the shopper");
  }

  /** Skip the remaining backoff wait (the shopper is trying to talk to us, or the network came back). */
  connectNow() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  /** Restart the socket, e.g. after the token changed ("forget me"). */
  restart() {
    this.attempt = 0;
    if (this.ws) this.ws.close(1000, "restart");
    else this.connectNow();
  }

  send(obj) {
    if (this.isOpen) this.ws.send(JSON.stringify(obj));
    else {
      this.queue.push(obj);
      this.connectNow();
    }
  }

  async connect() {
    this.on.state("connecting", { attempt: this.attempt });
    let url;
    try {
      url = await this.urlFn();
    } catch (e) {
      this.scheduleRetry(String(e.message || e));
      return;
    }
    if (this.stopped) return;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      this.scheduleRetry(String(e.message || e));
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.addEventListener("open", () => {
      opened = true;
      this.everOpened = true;
      this.attempt = 0;
      this.on.state("open", {});
      const pending = this.queue.splice(0);
      for (const obj of pending) ws.send(JSON.stringify(obj));
      this.heartbeat();
    });
    ws.addEventListener("message", (ev) => {
      this.lastFrameAt = Date.now();
      let obj;
      try {
        obj = JSON.parse(ev.data);
      } catch {
        return; // not ours to interpret
      }
      this.on.frame(obj);
    });
    ws.addEventListener("close", (ev) => {
      clearInterval(this.pingTimer);
      if (this.ws === ws) this.ws = null;
      if (this.stopped) {
        this.on.state("closed", { code: ev.code });
        return;
      }
      const why = opened ? `connection closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ""})` : "cannot connect";
      this.on.state("lost", { code: ev.code, reason: ev.reason, wasOpen: opened });
      this.scheduleRetry(why);
    });
  }

  scheduleRetry(why) {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.on.state("waiting", { delay, why, attempt: this.attempt, everOpened: this.everOpened });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  heartbeat() {
    // Proxies drop silent sockets; a ping every 25 s keeps it alive, and a socket silent for 60 s is replaced.
    clearInterval(this.pingTimer);
    this.lastFrameAt = Date.now();
    this.pingTimer = setInterval(() => {
      if (!this.isOpen) return;
      if (Date.now() - this.lastFrameAt > 60000) {
        this.ws.close(4000, "heartbeat timeout");
        return;
      }
      this.ws.send(JSON.stringify({ type: "ping" }));
    }, 25000);
  }
}
