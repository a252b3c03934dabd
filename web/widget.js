/* shopmate widget loader. Embed with:
 *   <script src="https://shop.example/widget.js" data-shopmate-url="https://api.example"></script>
 * It adds a floating chat button and upgrades every <input data-shopmate-search> into an autocomplete
 * search box. The widget itself is plain ES modules under /web/widget/ (no build step), imported from
 * wherever this script was served. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__shopmateLoading) return;
  window.__shopmateLoading = true;
  var src = new URL(script.src, window.location.href);
  var assets = new URL("web/widget/", src).href;
  var apiUrl = script.getAttribute("data-shopmate-url") || src.origin;

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = assets + "widget.css";
  document.head.appendChild(css);

  function start() {
    import(assets + "main.js")
      .then(function (m) { m.mount({ apiUrl: apiUrl }); })
      .catch(function (err) {
        // Visible, not silent: the shop's page keeps working, and the shopper knows the assistant is down.
        var box = document.createElement("div");
        box.setAttribute("role", "alert");
        box.setAttribute("data-testid", "widget-error");
        box.className = "sm-load-error";
        box.textContent = "The shopping assistant could not load. Please refresh the page to try again.";
        document.body.appendChild(box);
        if (window.console) console.error("shopmate widget failed to load:", err);
      });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
