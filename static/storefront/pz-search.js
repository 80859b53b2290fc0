/* Search merchandising on the storefront, loaded on search pages only, after pz.js (both defer).
   pz.js reorders the results; this hides the ones the shop's query rules hide, which pz.js
   leaves at the end, and writes the query's synonyms on the results (data-pz-terms) for themes
   that use them. Same decision as pz.js's, without a visitor id: segment-only hide rules stay
   with pz.js's order. No dependencies. docs/admin.md, "Search and navigation". */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.fetch) return;
  var key = me.getAttribute("data-shop-key");
  var api = me.getAttribute("data-api-base") || "/api/v1/";
  var meta = document.querySelector('meta[name="pz-search-query"]');
  var query = meta ? (meta.getAttribute("content") || "").trim() : "";
  var box = document.querySelector('[data-pz-slot="search-results"]');
  if (!key || !query || !box) return;
  var cards = [].slice.call(box.querySelectorAll("[data-pz-product-id]"));
  var ids = cards.map(function (c) { return c.getAttribute("data-pz-product-id"); });
  if (!ids.length) return;
  var params = new URLSearchParams({ key: key, page: "search", q: query.slice(0, 200),
    results: ids.slice(0, 200).join(",") });

  function hide(card) {
    /* The card, or the list item that holds only it, so the grid closes the gap. */
    var holder = card.parentNode;
    var node = holder && holder.tagName === "LI" && holder.children.length === 1 ? holder : card;
    node.hidden = true;
    node.setAttribute("data-pz-hidden", "query-rule");
  }

  fetch(api + "decide?" + params.toString(), { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (d) {
      if (!d) return;
      var hidden = d.search_hidden || [];
      cards.forEach(function (card) {
        if (hidden.indexOf(card.getAttribute("data-pz-product-id")) >= 0) hide(card);
      });
      if (d.search_terms) box.setAttribute("data-pz-terms", d.search_terms.join(","));
      box.setAttribute("data-pz-merchandised", "1");
    })
    .catch(function () { /* the platform's results stay as they are */ });
})();
