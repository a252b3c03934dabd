// Product cards: the one rendering of the server's card JSON (assistant/cards.py) wherever a product shows.
let uid = 0;
export const nextId = (prefix) => `${prefix}-${++uid}`;

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function formatPrice(value, currency = "INR") {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "";
  const v = Number(value);
  const locale = currency === "INR" ? "en-IN" : undefined;
  try {
    return new Intl.NumberFormat(locale, {
      style: "currency", currency, maximumFractionDigits: Number.isInteger(v) ? 0 : 2,
    }).format(v);
  } catch {
    return `${v} ${currency}`; // an unknown currency code must not break the card
  }
}

export function discountPercent(price, listPrice) {
  if (!price || !listPrice || listPrice <= price) return 0;
  return Math.round((1 - price / listPrice) * 100);
}

function hue(text) {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.codePointAt(0)) % 360;
  return h;
}

/** The category's initial on a tinted tile: stands in for a missing or broken image. */
export function placeholder(card, size = "") {
  const root = (card.category || "").split(">")[0].trim();
  const label = root || card.product_type || card.title || "?"; // the letter and the word shown agree
  const initial = label.trim().charAt(0).toUpperCase() || "?";
  return el("div", {
    class: `sm-ph ${size}`, "data-testid": "image-placeholder", "aria-hidden": "true",
    style: `--sm-ph-hue:${hue(root || label)}`, title: root || label,
  }, el("span", { class: "sm-ph-letter", text: initial }), el("span", { class: "sm-ph-cat", text: root || label }));
}

/** An <img> that swaps itself for the placeholder if it fails to load (tests run offline). */
export function productImage(card, size = "") {
  if (!card.image_url) return placeholder(card, size);
  const img = el("img", {
    class: `sm-img ${size}`, src: card.image_url, alt: "", loading: "lazy", referrerpolicy: "no-referrer",
    decoding: "async",
  });
  img.addEventListener("error", () => img.replaceWith(placeholder(card, size)), { once: true });
  return img;
}

export function priceBlock(card) {
  const pct = discountPercent(card.price, card.list_price);
  return el("p", { class: "sm-price" },
    el("span", { class: "sm-price-now", "data-testid": "price", text: formatPrice(card.price, card.currency) }),
    pct ? el("s", { class: "sm-price-was", "aria-label": `was ${formatPrice(card.list_price, card.currency)}`,
      text: formatPrice(card.list_price, card.currency) }) : null,
    pct ? el("span", { class: "sm-discount", "data-testid": "discount", text: `${pct}% off` }) : null);
}

export function whyText(card) {
  const why = Array.isArray(card.why) ? card.why.filter(Boolean) : card.why ? [String(card.why)] : [];
  return why.length ? why.join(" · ") : "No specific reason was given for this item.";
}

/**
 * A product card. handlers: {open(card), addToCart(card), completeLook(card), why(card)}; a missing handler
 * hides its button. Buttons report back through the handlers so the same card works in chat and in grids.
 */
export function productCard(card, handlers = {}, { compact = false } = {}) {
  const titleId = nextId("sm-title");
  const whyId = nextId("sm-why");
  const open = (e) => {
    e.preventDefault();
    handlers.open && handlers.open(card);
  };
  const title = el("h3", { class: "sm-card-title", id: titleId },
    handlers.open ? el("a", { href: card.url || "#", onclick: open, text: card.title }) : card.title);
  const why = el("p", { class: "sm-why", id: whyId, "data-testid": "why-text", hidden: true });
  const actions = el("div", { class: "sm-card-actions" });
  if (handlers.addToCart) {
    const b = el("button", { type: "button", class: "sm-btn sm-btn-primary", "data-testid": "add-to-cart",
      text: "Add to cart", "aria-describedby": titleId }); // the name stays the visible text (WCAG 2.5.3)
    b.addEventListener("click", () => {
      handlers.addToCart(card);
      b.textContent = "Added ✓";
      b.disabled = true;
    });
    actions.append(b);
  }
  if (handlers.completeLook) {
    actions.append(el("button", { type: "button", class: "sm-btn", "data-testid": "complete-look",
      text: "Complete the look", "aria-describedby": titleId,
      onclick: () => handlers.completeLook(card) }));
  }
  const whyBtn = el("button", { type: "button", class: "sm-btn sm-btn-link", "data-testid": "why-button",
    "aria-expanded": "false", "aria-controls": whyId, "aria-describedby": titleId, text: "Why am I seeing this?" });
  whyBtn.addEventListener("click", () => {
    const show = why.hidden;
    if (show) why.textContent = whyText(card);
    why.hidden = !show;
    whyBtn.setAttribute("aria-expanded", String(show));
    if (show && handlers.why) handlers.why(card);
  });
  actions.append(whyBtn);
  const media = el("div", { class: "sm-card-media" }, productImage(card));
  if (handlers.open) media.addEventListener("click", () => handlers.open(card));
  return el("article", {
    class: `sm-card${compact ? " sm-card-compact" : ""}${card.in_stock === false ? " sm-out" : ""}`,
    "data-testid": "product-card", "data-product-id": card.id, "aria-labelledby": titleId,
  }, media, el("div", { class: "sm-card-body" }, title,
    card.brand ? el("p", { class: "sm-brand", text: card.brand }) : null,
    priceBlock(card),
    Number(card.variants) > 1 ? el("p", { class: "sm-variants", "data-testid": "variants",
      text: `${Number(card.variants)} variants` }) : null,
    card.in_stock === false ? el("p", { class: "sm-stock", text: "Out of stock" }) : null,
    actions, why));
}

/** A visible error box (role=alert) in place of a silent failure. */
export function errorBox(message, retry) {
  return el("div", { class: "sm-error", role: "alert", "data-testid": "error" },
    el("span", { text: message }),
    retry ? el("button", { type: "button", class: "sm-btn", text: "Try again", onclick: retry }) : null);
}
