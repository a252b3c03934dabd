// The results area: search grid, product page and complete-the-look, each with loading and error states.
import { el, errorBox, productCard, productImage, priceBlock } from "./cards.js";

// Look items are cards with `why`; tolerate the {product, why} nesting too.
const lookCard = (it) => (it && it.product ? { ...it.product, why: it.why ?? it.product.why } : it);

export class Results {
  constructor(ctx, container) {
    this.ctx = ctx; // {api, events}
    this.container = container;
    this.container.classList.add("sm-results");
    this.container.setAttribute("aria-live", "polite");
    this.searchSeq = 0;
  }

  handlers() {
    return {
      open: (card) => this.openProduct(card.id),
      addToCart: (card) => this.ctx.events.track("add_to_cart", { product_id: card.id }),
      completeLook: (card) => this.showLook(card),
    };
  }

  setBusy(busy, label) {
    this.container.setAttribute("aria-busy", String(busy));
    if (busy) this.container.replaceChildren(el("p", { class: "sm-loading", role: "status", text: label }));
  }

  /** Search and show the grid. autocorrect=false: the words as typed ("Search instead for ..."). */
  async search(q, { k = 12, track = true, autocorrect = true } = {}) {
    const seq = ++this.searchSeq;
    const query = String(q || "").trim();
    if (query && track) this.ctx.events.track("search", { query });
    this.setBusy(true, query ? `Searching for “${query}”…` : "Loading products…");
    let data;
    const params = new URLSearchParams({ q: query, k: String(k) });
    if (!autocorrect) params.set("autocorrect", "false");
    try {
      data = await this.ctx.api.request(`/api/search?${params}`);
    } catch (e) {
      if (seq !== this.searchSeq) return;
      this.container.setAttribute("aria-busy", "false");
      this.container.replaceChildren(errorBox(`Search failed: ${e.message}`, () => this.search(q, { k, track: false, autocorrect })));
      return;
    }
    if (seq !== this.searchSeq) return; // a newer search owns the area now
    const items = data.results || [];
    const corrected = typeof data.corrected_query === "string" && data.corrected_query ? data.corrected_query : null;
    const heading = el("h2", { class: "sm-results-title", "data-testid": "results-title" },
      query ? `Results for “${corrected || query}”` : "Products");
    const count = el("p", { class: "sm-results-count", text: items.length ? `${items.length} products` :
      "No products match. Try fewer words or another spelling." });
    const grid = el("div", { class: "sm-grid", "data-testid": "results-grid", "data-query": query,
      "data-autocorrect": String(autocorrect) }, items.map((c) => productCard(c, this.handlers())));
    this.container.setAttribute("aria-busy", "false");
    this.container.replaceChildren(heading, this.correction(query, corrected, k), this.notice(data.notice), count, grid);
  }

  /** "Showing results for <corrected> · Search instead for <typed>": the second re-runs without correction. */
  correction(query, corrected, k) {
    if (!corrected || !query) return null;
    return el("p", { class: "sm-correction", "data-testid": "correction" },
      "Showing results for ", el("strong", { "data-testid": "corrected-query", text: corrected }),
      " · Search instead for ",
      el("button", { type: "button", class: "sm-btn-link sm-instead", "data-testid": "search-instead", text: query,
        onclick: () => this.search(query, { k, track: false, autocorrect: false }) }));
  }

  /** The server's word when nothing fits what was asked, or what it relaxed. */
  notice(text) {
    if (typeof text !== "string" || !text) return null;
    return el("p", { class: "sm-notice", role: "note", "data-testid": "search-notice", text });
  }

  async openProduct(id) {
    const seq = ++this.searchSeq;
    this.ctx.events.track("click", { product_id: id });
    this.setBusy(true, "Loading product…");
    let p;
    try {
      p = await this.ctx.api.request(`/api/products/${encodeURIComponent(id)}`);
    } catch (e) {
      if (seq !== this.searchSeq) return;
      this.container.setAttribute("aria-busy", "false");
      this.container.replaceChildren(errorBox(`Could not load this product: ${e.message}`, () => this.openProduct(id)));
      return;
    }
    if (seq !== this.searchSeq) return;
    this.ctx.events.track("view", { product_id: id });
    const h = this.handlers();
    const detail = el("article", { class: "sm-detail", "data-testid": "product-detail", "data-product-id": p.id },
      el("div", { class: "sm-detail-media" }, productImage(p, "sm-large")),
      el("div", { class: "sm-detail-body" },
        el("h2", { class: "sm-detail-title", text: p.title }),
        p.brand ? el("p", { class: "sm-brand", text: p.brand }) : null,
        priceBlock(p),
        p.category ? el("p", { class: "sm-crumbs", text: p.category }) : null,
        el("div", { class: "sm-card-actions" },
          el("button", { type: "button", class: "sm-btn sm-btn-primary", "data-testid": "add-to-cart",
            text: "Add to cart", onclick: (e) => { h.addToCart(p); e.target.textContent = "Added ✓"; e.target.disabled = true; } })),
        p.description ? el("p", { class: "sm-desc", text: p.description.slice(0, 600) }) : null));
    const look = el("section", { class: "sm-look", "aria-label": "Complete the look" });
    this.container.setAttribute("aria-busy", "false");
    this.container.replaceChildren(detail, look);
    this.fillLook(look, p);
  }

  async showLook(card) {
    const seq = ++this.searchSeq;
    const look = el("section", { class: "sm-look", "aria-label": "Complete the look" });
    this.container.replaceChildren(look);
    await this.fillLook(look, card, seq);
  }

  async fillLook(section, anchor, seq = this.searchSeq) {
    section.replaceChildren(el("p", { class: "sm-loading", role: "status", text: "Finding items that go with it…" }));
    let data;
    try {
      data = await this.ctx.api.request(`/api/products/${encodeURIComponent(anchor.id)}/complete-the-look?k=3`);
    } catch (e) {
      if (seq !== this.searchSeq) return;
      section.replaceChildren(errorBox(`Complete the look is unavailable: ${e.message}`, () => this.fillLook(section, anchor)));
      return;
    }
    if (seq !== this.searchSeq) return;
    const slots = (data && data.slots) || [];
    const parts = [el("h2", { class: "sm-results-title", text: `Complete the look: ${anchor.title}` })];
    if (!slots.length) parts.push(el("p", { text: "Nothing in the catalog goes with this item yet." }));
    for (const slot of slots) {
      parts.push(el("h3", { class: "sm-slot-title", "data-testid": "look-slot", text: slot.label || slot.slot }),
        el("div", { class: "sm-grid" }, (slot.items || []).map((it) => productCard(lookCard(it), this.handlers()))));
    }
    section.replaceChildren(...parts);
  }
}
