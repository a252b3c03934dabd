// The search box: an ARIA 1.2 combobox over GET /api/autocomplete, with keyboard support and stale-drop.
import { el, formatPrice, nextId, productImage } from "./cards.js";

const DEBOUNCE_MS = 50;

/** Text split into plain and <mark> parts by [start, end) ranges (the server's highlight spans). */
export function highlighted(text, ranges, query) {
  let spans = Array.isArray(ranges) ? ranges.filter((r) => Array.isArray(r) && r[1] > r[0]) : [];
  if (!spans.length && query) {
    // No ranges from the server: mark where the typed words start in the text.
    const lower = text.toLowerCase();
    for (const w of query.toLowerCase().split(/\s+/).filter(Boolean)) {
      const re = new RegExp(`(^|[^\\p{L}\\p{N}])${w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "u");
      const m = re.exec(lower);
      if (m) spans.push([m.index + m[1].length, m.index + m[1].length + w.length]);
    }
  }
  spans = spans.sort((a, b) => a[0] - b[0]);
  const out = [];
  let at = 0;
  for (const [s0, e0] of spans) {
    const s = Math.max(s0, at);
    const e = Math.min(e0, text.length);
    if (e <= s) continue;
    if (s > at) out.push(text.slice(at, s));
    out.push(el("mark", { text: text.slice(s, e) }));
    at = e;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

export class SearchBox {
  constructor(ctx, input, results) {
    this.ctx = ctx; // {api, events}
    this.input = input;
    this.results = results;
    this.seq = 0; // latest request number; answers to older ones are dropped
    this.shownSeq = 0;
    this.timer = null;
    this.controller = null;
    this.options = []; // [{node, kind: "suggestion"|"product", value}]
    this.active = -1;
    this.build();
  }

  build() {
    const input = this.input;
    const listId = nextId("sm-ac-list");
    const wrap = el("div", { class: "sm-combo" });
    input.replaceWith(wrap);
    wrap.append(input);
    input.classList.add("sm-search-input");
    if (!input.dataset.testid) input.setAttribute("data-testid", "search-input");
    if (!input.getAttribute("aria-label") && !input.labels?.length) input.setAttribute("aria-label", "Search products");
    Object.entries({ role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": listId,
      autocomplete: "off", autocapitalize: "off", spellcheck: "false" }).forEach(([k, v]) => input.setAttribute(k, v));
    this.suggestGroup = el("div", { role: "group", "aria-label": "Suggestions", class: "sm-ac-group" });
    this.productGroup = el("div", { role: "group", "aria-label": "Products", class: "sm-ac-group sm-ac-products" });
    this.listbox = el("div", { role: "listbox", id: listId, class: "sm-ac-list", "aria-label": "Search suggestions",
      "data-testid": "autocomplete-list" }, this.suggestGroup, this.productGroup);
    this.status = el("div", { class: "sm-ac-status", role: "status", "data-testid": "autocomplete-status" });
    this.popup = el("div", { class: "sm-ac-popup", hidden: true }, this.listbox, this.status);
    wrap.append(this.popup);

    input.addEventListener("input", () => this.schedule());
    input.addEventListener("focus", () => {
      if (!this.options.length) this.schedule();
      else this.open();
    });
    input.addEventListener("blur", () => this.close());
    input.addEventListener("keydown", (e) => this.onKey(e));
    const form = input.form;
    if (form) form.addEventListener("submit", (e) => { e.preventDefault(); this.submit(); });
  }

  schedule() {
    clearTimeout(this.timer);
    const seq = ++this.seq;
    this.timer = setTimeout(() => this.fetch(seq), DEBOUNCE_MS);
  }

  async fetch(seq) {
    const q = this.input.value;
    if (this.controller) this.controller.abort();
    const controller = (this.controller = new AbortController());
    let data;
    try {
      data = await this.ctx.api.request(`/api/autocomplete?q=${encodeURIComponent(q)}&k=8`, { signal: controller.signal });
    } catch (e) {
      if (e.name === "AbortError" || seq !== this.seq) return;
      this.render([], [], q);
      this.status.textContent = `Suggestions are unavailable (${e.message}). Press Enter to search.`;
      this.status.classList.add("sm-ac-error");
      this.popup.dataset.state = "error";
      this.open();
      return;
    }
    if (seq !== this.seq) return; // a newer keystroke is in flight: never show an older answer
    this.shownSeq = seq;
    this.status.classList.remove("sm-ac-error");
    this.popup.dataset.state = "ok";
    this.render(data.suggestions || [], data.products || [], q);
  }

  render(suggestions, products, q) {
    const opt = (kind, value, attrs, ...children) => {
      const node = el("div", { role: "option", id: nextId("sm-opt"), "aria-selected": "false", ...attrs }, ...children);
      node.addEventListener("mousedown", (e) => e.preventDefault()); // keep focus in the input
      node.addEventListener("click", () => this.choose(this.options.findIndex((o) => o.node === node)));
      this.options.push({ node, kind, value });
      return node;
    };
    this.options = [];
    this.active = -1;
    this.listbox.dataset.q = q; // which keystroke's answer is on screen (tests wait on it)
    this.input.removeAttribute("aria-activedescendant");
    this.suggestGroup.replaceChildren(...suggestions.map((s) => opt("suggestion", s.text, {
      class: "sm-ac-item", "data-testid": "autocomplete-item", "data-kind": s.kind || "query",
    }, el("span", { class: "sm-ac-text" }, highlighted(s.text, s.highlight, q)),
    s.kind && s.kind !== "query" ? el("span", { class: "sm-ac-kind", text: s.kind }) : null)));
    this.productGroup.replaceChildren(...products.slice(0, 3).map((p) => opt("product", p, {
      class: "sm-ac-product", "data-testid": "autocomplete-product", "data-product-id": p.id,
    }, productImage(p, "sm-thumb"), el("span", { class: "sm-ac-ptitle" }, highlighted(p.title, null, q)),
    el("span", { class: "sm-ac-price", text: formatPrice(p.price, p.currency || "INR") }))));
    this.productGroup.hidden = !products.length;
    this.suggestGroup.hidden = !suggestions.length;
    if (!this.popup.dataset.state || this.popup.dataset.state === "ok") {
      this.status.textContent = this.options.length ? `${suggestions.length} suggestions, ${Math.min(products.length, 3)} products` : "";
    }
    if (this.options.length || this.popup.dataset.state === "error") this.open();
    else this.close();
  }

  open() {
    if (!this.options.length && this.popup.dataset.state !== "error") return;
    this.popup.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  }

  close() {
    this.popup.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.setActive(-1);
  }

  setActive(i) {
    this.options.forEach((o, j) => o.node.setAttribute("aria-selected", String(j === i)));
    this.active = i;
    if (i >= 0) {
      const node = this.options[i].node;
      this.input.setAttribute("aria-activedescendant", node.id);
      node.scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  }

  onKey(e) {
    const n = this.options.length;
    switch (e.key) {
      case "ArrowDown":
      case "ArrowUp": {
        e.preventDefault();
        if (this.popup.hidden) {
          this.open();
          if (!n) { this.schedule(); return; }
        }
        if (!n) return;
        const step = e.key === "ArrowDown" ? 1 : -1;
        // -1 (the typed text) sits between the last and the first option, as in native comboboxes.
        let next = this.active + step;
        if (next >= n) next = -1;
        if (next < -1) next = n - 1;
        this.setActive(next);
        break;
      }
      case "Enter":
        e.preventDefault();
        if (!this.popup.hidden && this.active >= 0) this.choose(this.active);
        else this.submit();
        break;
      case "Escape":
        if (!this.popup.hidden) {
          e.preventDefault();
          this.close();
        } else if (this.input.value) {
          e.preventDefault();
          this.input.value = "";
        }
        break;
      case "Tab":
        this.close();
        break;
      default:
    }
  }

  choose(i) {
    const o = this.options[i];
    if (!o) return;
    this.close();
    if (o.kind === "suggestion") {
      const typed = this.listbox.dataset.q || this.input.value; // the letters these suggestions answered
      this.input.value = o.value;
      // The accept call both teaches autocomplete (what was picked after typing what) and logs the search
      // for this shopper: no second event.
      this.ctx.api.request("/api/autocomplete/accept", { method: "POST", body: { text: o.value, typed } })
        .catch((e) => console.warn("shopmate: accept not recorded:", e.message));
      this.submit({ track: false });
    } else {
      this.results.openProduct(o.value.id);
    }
  }

  submit({ track = true } = {}) {
    clearTimeout(this.timer);
    this.seq += 1; // any suggestion request still in flight is now stale
    if (this.controller) this.controller.abort();
    this.close();
    const q = this.input.value.trim();
    this.results.search(q, { track });
    try {
      const url = new URL(window.location.href);
      url.searchParams.set("q", q);
      window.history.replaceState(null, "", url);
    } catch { /* sandboxed frames may refuse; the search still runs */ }
  }
}
