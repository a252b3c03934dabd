// The chat panel over /ws/chat: streamed replies, product cards, chips, reconnect and resume.
import { el, nextId, productCard } from "./cards.js";
import { Connection } from "./connection.js";

const TRANSCRIPT_KEY = "shopmate.chat";
const CONVERSATION_KEY = "shopmate.conversation"; // anonymous conversations resume by this id
const MAX_KEPT = 60; // messages kept across page loads

function loadTranscript() {
  try {
    return JSON.parse(window.sessionStorage.getItem(TRANSCRIPT_KEY) || "[]");
  } catch {
    return [];
  }
}

function chatIcon() {
  // Inline SVG, not an emoji: many systems (and headless browsers) have no emoji font.
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "sm-launcher-icon");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

export class ChatPanel {
  constructor(ctx, root) {
    this.ctx = ctx; // {api, events, results, privacy}
    this.transcript = loadTranscript();
    this.turns = new Map(); // turn_id -> {node, msg}
    this.unanswered = null; // last user message the server has not started answering
    this.build(root);
    this.conn = new Connection(() => this.url(), {
      frame: (f) => this.onFrame(f),
      state: (s, d) => this.onState(s, d),
    });
    for (const m of this.transcript) this.renderMessage(m);
  }

  async url() {
    const token = await this.ctx.api.ensureSession();
    if (token) return this.ctx.api.wsUrl(`/ws/chat?token=${encodeURIComponent(token)}`);
    // Without a shopper token the server resumes the conversation by the id it gave us in `ready`.
    let conv = null;
    try { conv = window.sessionStorage.getItem(CONVERSATION_KEY); } catch { /* not kept */ }
    return this.ctx.api.wsUrl("/ws/chat") + (conv ? `?conversation_id=${encodeURIComponent(conv)}` : "");
  }

  build(root) {
    const panelId = nextId("sm-chat");
    const titleId = nextId("sm-chat-title");
    this.launcher = el("button", { type: "button", class: "sm-launcher", "data-testid": "chat-open",
      "aria-expanded": "false", "aria-controls": panelId, "aria-label": "Ask us: open the shopping assistant chat" },
    chatIcon(), el("span", { text: "Ask us" }));
    this.launcher.addEventListener("click", () => (this.panel.hidden ? this.open() : this.close()));
    this.statusText = el("span", { class: "sm-status-text" });
    this.retryBtn = el("button", { type: "button", class: "sm-btn sm-btn-link", hidden: true, text: "Retry now",
      onclick: () => this.conn.connectNow() });
    this.status = el("div", { class: "sm-chat-status", role: "status", "data-testid": "chat-status", "data-state": "idle" },
      this.statusText, this.retryBtn);
    this.log = el("div", { class: "sm-chat-log", role: "log", "aria-live": "polite", "aria-label": "Conversation",
      "data-testid": "chat-log" });
    const inputId = nextId("sm-chat-input");
    this.input = el("input", { id: inputId, class: "sm-chat-input", "data-testid": "chat-input", type: "text",
      autocomplete: "off", maxlength: "1000", placeholder: "Ask for anything: “a dress for a summer wedding”" });
    this.form = el("form", { class: "sm-chat-form" },
      el("label", { for: inputId, class: "sm-sr-only", text: "Message to the shopping assistant" }),
      this.input,
      el("button", { type: "submit", class: "sm-btn sm-btn-primary", "data-testid": "chat-send", text: "Send" }));
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.sendText(this.input.value);
    });
    this.privacyBtn = el("button", { type: "button", class: "sm-btn sm-btn-ghost", "data-testid": "privacy-open",
      text: "Privacy", "aria-haspopup": "dialog" });
    this.privacyBtn.addEventListener("click", () => this.ctx.privacy.open(this.privacyBtn));
    const closeBtn = el("button", { type: "button", class: "sm-btn sm-btn-ghost sm-close", "aria-label": "Close chat",
      text: "×", onclick: () => this.close() });
    this.panel = el("section", { class: "sm-chat", id: panelId, role: "dialog", "aria-labelledby": titleId,
      hidden: true, "data-testid": "chat-panel" },
    el("div", { class: "sm-chat-head" },
      el("h2", { id: titleId, class: "sm-chat-title", text: "Shopping assistant" }), this.privacyBtn, closeBtn),
    this.status, this.log, this.form);
    this.panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") this.close();
    });
    root.append(this.panel, this.launcher);
  }

  open() {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.classList.add("sm-launcher-open");
    this.conn.start();
    if (!this.transcript.length && !this.log.childElementCount) {
      this.renderMessage({ role: "assistant", text: "Hi! Tell me what you're looking for — I can search, compare, and put together a look.", local: true });
    }
    this.input.focus();
    this.scroll();
  }

  close() {
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.classList.remove("sm-launcher-open");
    this.launcher.focus();
  }

  sendText(raw) {
    const text = String(raw || "").trim();
    if (!text) return;
    this.input.value = "";
    const msg = { role: "user", text };
    this.remember(msg);
    this.renderMessage(msg);
    const frame = { type: "message", text, client_msg_id: nextId("m") + "-" + Date.now().toString(36) };
    this.unanswered = frame;
    this.conn.send(frame);
  }

  sendAction(action, card) {
    this.conn.send({ type: "action", action, product_id: card.id });
  }

  cardHandlers() {
    const h = {
      addToCart: (card) => this.sendAction("add_to_cart", card),
      completeLook: (card) => this.sendAction("complete_look", card),
    };
    if (this.ctx.results) {
      h.open = (card) => this.ctx.results.openProduct(card.id);
    }
    return h;
  }

  onFrame(f) {
    const turn = (id) => {
      let t = this.turns.get(id);
      if (!t) {
        const msg = { role: "assistant", text: "", items: [], chips: [], turn_id: id };
        t = { msg, node: this.renderMessage(msg) };
        delete t.node.dataset.done;
        t.node.setAttribute("aria-busy", "true");
        t.node.classList.add("sm-streaming");
        this.turns.set(id, t);
        this.transcript.push(msg);
      }
      return t;
    };
    switch (f.type) {
      case "ready":
        if (f.conversation_id) {
          try { window.sessionStorage.setItem(CONVERSATION_KEY, f.conversation_id); } catch { /* not kept */ }
        }
        this.panel.dataset.resumed = String(!!f.resumed);
        if (f.resumed) this.statusText.textContent = "Connected — conversation resumed";
        break;
      case "turn_start":
        this.unanswered = null;
        turn(f.turn_id);
        break;
      case "delta": {
        const t = turn(f.turn_id);
        t.msg.text += f.text || "";
        t.node.querySelector(".sm-msg-text").append(document.createTextNode(f.text || ""));
        this.scroll();
        break;
      }
      case "products": {
        const t = turn(f.turn_id);
        t.msg.items = f.items || [];
        t.node.querySelector(".sm-msg-cards").replaceChildren(...t.msg.items.map((c) => productCard(c, this.cardHandlers(), { compact: true })));
        this.scroll();
        break;
      }
      case "suggestions": {
        const t = turn(f.turn_id);
        t.msg.chips = f.chips || [];
        t.node.querySelector(".sm-msg-chips").replaceChildren(...this.chips(t.msg.chips));
        this.scroll();
        break;
      }
      case "done": {
        const t = turn(f.turn_id);
        t.node.setAttribute("aria-busy", "false");
        t.node.classList.remove("sm-streaming");
        t.node.dataset.done = "true";
        this.turns.delete(f.turn_id);
        this.save();
        break;
      }
      case "error": {
        this.unanswered = null;
        if (f.code === "forbidden") {  // a saved id this visitor may not resume: start afresh next time
          try { window.sessionStorage.removeItem(CONVERSATION_KEY); } catch { /* not kept */ }
        }
        const t = f.turn_id !== undefined && this.turns.get(f.turn_id);
        if (t) {
          // The turn failed: its bubble becomes the error, and its `done` frame still follows.
          t.msg.text = f.message || "Something went wrong.";
          t.msg.error = true;
          t.node.classList.add("sm-msg-error");
          t.node.setAttribute("role", "alert");
          t.node.dataset.testid = "chat-error";
          t.node.querySelector(".sm-msg-text").textContent = t.msg.text;
          break;
        }
        const msg = { role: "assistant", text: f.message || "Something went wrong.", error: true };
        this.remember(msg);
        this.renderMessage(msg);
        break;
      }
      default: // pong and types from newer servers
    }
  }

  onState(state, d) {
    this.status.dataset.state = state;
    this.retryBtn.hidden = true;
    if (state === "connecting") {
      this.statusText.textContent = d.attempt ? "Reconnecting…" : "Connecting…";
    } else if (state === "open") {
      this.statusText.textContent = "Connected";
      this.panel.dataset.connected = "true";
    } else if (state === "lost") {
      this.panel.dataset.connected = "false";
      // A reply cut off mid-stream cannot be resumed; say so rather than leave it hanging.
      for (const t of this.turns.values()) {
        t.node.classList.remove("sm-streaming");
        t.node.setAttribute("aria-busy", "false");
        t.node.append(el("p", { class: "sm-msg-note", text: "(interrupted by a connection problem)" }));
      }
      this.turns.clear();
      if (this.unanswered) {
        // The server may never have seen it: send it again once we are back.
        this.conn.queue.unshift(this.unanswered);
        this.unanswered = null;
      }
    } else if (state === "waiting") {
      const secs = Math.max(1, Math.round(d.delay / 1000));
      this.status.dataset.state = "error";
      this.statusText.textContent = d.everOpened
        ? `Connection lost. Reconnecting in ${secs} s…`
        : `The assistant is unavailable right now (${d.why}). Retrying in ${secs} s…`;
      this.retryBtn.hidden = false;
    } else if (state === "closed") {
      this.statusText.textContent = "Disconnected";
    }
  }

  chips(list) {
    return list.map((text) => el("button", { type: "button", class: "sm-chip", "data-testid": "chip", text,
      onclick: () => this.sendText(text) }));
  }

  renderMessage(m) {
    const node = el("div", { class: `sm-msg sm-msg-${m.role}${m.error ? " sm-msg-error" : ""}`,
      "data-testid": m.error ? "chat-error" : "chat-message", "data-role": m.role, role: m.error ? "alert" : null },
    el("p", { class: "sm-msg-text", text: m.text || "" }),
    el("div", { class: "sm-msg-cards" }, (m.items || []).map((c) => productCard(c, this.cardHandlers(), { compact: true }))),
    el("div", { class: "sm-msg-chips" }, this.chips(m.chips || [])));
    node.dataset.done = "true"; // a streaming turn clears this until its `done` frame
    if (m.error) node.setAttribute("data-role", "assistant");
    this.log.append(node);
    this.scroll();
    return node;
  }

  remember(msg) {
    this.transcript.push(msg);
    this.save();
  }

  save() {
    try {
      const kept = this.transcript.filter((m) => !m.local).slice(-MAX_KEPT);
      window.sessionStorage.setItem(TRANSCRIPT_KEY, JSON.stringify(kept));
    } catch { /* storage full or blocked: the conversation still works, it is just not kept */ }
  }

  /** After "forget me": a new identity, an empty conversation. */
  reset() {
    this.transcript = [];
    this.turns.clear();
    this.log.replaceChildren();
    try {
      window.sessionStorage.removeItem(TRANSCRIPT_KEY);
      window.sessionStorage.removeItem(CONVERSATION_KEY);
    } catch { /* nothing kept anyway */ }
    this.conn.restart();
  }

  scroll() {
    // Follow the conversation, but never push the start of the latest reply out of view: a reply with
    // cards and chips can be taller than the panel, and its first words matter most.
    const last = this.log.lastElementChild;
    const bottom = this.log.scrollHeight - this.log.clientHeight;
    this.log.scrollTop = last ? Math.min(bottom, Math.max(0, last.offsetTop - 8)) : bottom;
  }
}
