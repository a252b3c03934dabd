// The widget's only door to the server: JSON over fetch, the shopper token, readable errors.
const TOKEN_KEY = "shopmate.token";

export class ApiError extends Error {
  constructor(message, status = 0, code = "network") {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function safeStorage() {
  // Private modes and sandboxed iframes can throw on localStorage; the widget then keeps the token in memory.
  try {
    const k = "shopmate.probe";
    window.localStorage.setItem(k, "1");
    window.localStorage.removeItem(k);
    return window.localStorage;
  } catch {
    const mem = new Map();
    return { getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, String(v)), removeItem: (k) => mem.delete(k) };
  }
}

export class Api {
  constructor(baseUrl) {
    this.base = String(baseUrl || window.location.origin).replace(/\/+$/, "");
    this.storage = safeStorage();
    this.sessionError = null; // why we are anonymous, when POST /api/sessions is missing or failing
    this._sessionPromise = null;
  }

  get token() {
    return this.storage.getItem(TOKEN_KEY);
  }

  set token(value) {
    if (value) this.storage.setItem(TOKEN_KEY, value);
    else this.storage.removeItem(TOKEN_KEY);
  }

  /** The shopper token, creating an anonymous session once when there is none. Null when sessions are unavailable. */
  ensureSession() {
    if (this.token) return Promise.resolve(this.token);
    if (!this._sessionPromise) {
      this._sessionPromise = this.request("/api/sessions", { method: "POST", body: {}, auth: false })
        .then((s) => {
          if (!s || !s.token) throw new ApiError("the session endpoint returned no token", 500, "bad_response");
          this.token = s.token;
          this.sessionError = null;
          return s.token;
        })
        .catch((e) => {
          this.sessionError = e.message;
          return null;
        })
        .finally(() => {
          this._sessionPromise = null;
        });
    }
    return this._sessionPromise;
  }

  /** Forget the token (after "forget me" or when the server no longer accepts it). */
  dropSession() {
    this.token = null;
  }

  wsUrl(path) {
    return this.base.replace(/^http/, "ws") + path;
  }

  async request(path, { method = "GET", body, signal, auth = true, retryAuth = true, keepalive = false } = {}) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const token = auth ? this.token : null;
    if (token) headers.Authorization = `Bearer ${token}`;
    let res;
    try {
      res = await fetch(this.base + path, {
        method, headers, signal, keepalive, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      if (e.name === "AbortError") throw e;
      throw new ApiError("Can't reach the shop's assistant right now. Check your connection and try again.", 0, "network");
    }
    let data = null;
    const text = await res.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (res.ok) return data;
    if (res.status === 401 && auth && token && retryAuth) {
      // Expired or revoked token: start a fresh anonymous session once and retry.
      this.dropSession();
      await this.ensureSession();
      return this.request(path, { method, body, signal, auth, retryAuth: false, keepalive });
    }
    const err = data && data.error;
    let message = err && err.message ? err.message : null;
    if (!message && data && typeof data.detail === "string") message = data.detail;
    if (!message) message = res.status === 404 ? "this feature is not available on the server yet" : `the server answered ${res.status}`;
    throw new ApiError(message, res.status, (err && err.code) || `http_${res.status}`);
  }
}
