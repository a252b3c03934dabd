// Mounts the widget: search boxes, results area, chat launcher and privacy panel, sharing one API client.
import { Api } from "./api.js";
import { el } from "./cards.js";
import { ChatPanel } from "./chat.js";
import { EventQueue } from "./events.js";
import { PrivacyPanel } from "./privacy.js";
import { Results } from "./results.js";
import { SearchBox } from "./search.js";

const SEARCH_SELECTOR = "input[data-shopmate-search]";

export function mount({ apiUrl } = {}) {
  const api = new Api(apiUrl);
  const events = new EventQueue(api);
  const ctx = { api, events };
  const root = el("div", { class: "sm-root", "data-shopmate-widget": "" });
  document.body.append(root);

  let resultsEl = document.querySelector("[data-shopmate-results]");
  const results = () => {
    if (!resultsEl) {
      // The shop has no results area: put one right after the first search box.
      resultsEl = el("section", { class: "sm-results-fallback", "aria-label": "Search results", "data-shopmate-results": "" });
      const box = document.querySelector(".sm-combo") || root;
      box.after(resultsEl);
    }
    if (!ctx.results) ctx.results = new Results(ctx, resultsEl);
    return ctx.results;
  };
  if (resultsEl) results();

  const boxes = [];
  const upgrade = (input) => {
    if (input.dataset.shopmateUpgraded) return;
    input.dataset.shopmateUpgraded = "true";
    boxes.push(new SearchBox(ctx, input, results()));
  };
  document.querySelectorAll(SEARCH_SELECTOR).forEach(upgrade);
  // Shops that render their header late still get the upgrade.
  new MutationObserver(() => document.querySelectorAll(SEARCH_SELECTOR).forEach(upgrade))
    .observe(document.body, { childList: true, subtree: true });

  ctx.privacy = new PrivacyPanel({ api, onForgotten: () => ctx.chat.reset() }, root);
  ctx.chat = new ChatPanel(ctx, root);
  api.ensureSession();

  // A results page link (?q=...) or the shop's chosen first query fills the results area on load.
  const q = new URLSearchParams(window.location.search).get("q");
  const initial = q ?? (resultsEl && resultsEl.dataset.shopmateInitialQuery);
  if (initial !== undefined && initial !== null && resultsEl) {
    if (q && boxes[0]) boxes[0].input.value = q;
    results().search(initial, { track: !!q }); // the shop's own first query is not the shopper's search
  }

  const instance = { api, events, chat: ctx.chat, privacy: ctx.privacy, boxes,
    get results() { return ctx.results; }, search: (query) => results().search(query) };
  window.Shopmate = instance;
  document.documentElement.dataset.shopmateReady = "true";
  return instance;
}
