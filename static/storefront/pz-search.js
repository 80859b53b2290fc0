/* Search merchandising on the storefront, loaded on search pages only, after pz.js (both defer).
   It asks for the decision with the query itself (pz.js sends none, and a cross-origin call
   carries no search page URL), then orders the results by the shop's query rules, hides the
   ones they hide, and writes the query's synonyms on the results (data-pz-terms). pz.js may
   reorder the same cards later, without the query when the call is cross-origin, so this order
   is applied again. The visitor id (with consent, as pz.js) and a preview persona go along, so
   segment rules hold. docs/admin.md, "Search and navigation". No dependencies. */
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
  var ATTR = "data-pz-product-id";
  var cards = [].slice.call(box.querySelectorAll("[" + ATTR + "]"));
  if (!cards.length) return;
  var ids = cards.map(function (c) { return c.getAttribute(ATTR); });
  var params = new URLSearchParams({ key: key, page: "search", q: query.slice(0, 200),
    results: ids.slice(0, 200).join(",") });
  var persona = new URLSearchParams(location.search).get("pz_persona");
  if (persona) params.set("persona", persona);
  else if (consented()) {
    try { var vid = localStorage.getItem("pz_vid"); if (vid) params.set("visitor", vid); } catch (e) { /* private mode */ }
  }

  /* The same consent signals as pz.js, in the same order. */
  function consented() {
    if (typeof window.pzConsent === "boolean") return window.pzConsent;
    var cp = window.Shopify && Shopify.customerPrivacy;
    if (cp && cp.analyticsProcessingAllowed) return !!cp.analyticsProcessingAllowed();
    if (typeof window.wp_has_consent === "function") return !!window.wp_has_consent("statistics");
    try { return localStorage.getItem("pz_consent") === "1"; } catch (e) { return false; }
  }

  /* The card, or the list item that holds only it, so grid items move and hide whole. */
  function holder(card) {
    var p = card.parentNode;
    return p && p.tagName === "LI" && p.children.length === 1 ? p : card;
  }

  function apply(d) {
    var byId = {};
    var nodes = cards.map(function (c) { var n = holder(c); byId[c.getAttribute(ATTR)] = n; return n; });
    var parent = nodes[0].parentNode;
    var last = null;
    [].forEach.call(parent.children, function (child) { if (nodes.indexOf(child) >= 0) last = child; });
    var anchor = last ? last.nextSibling : null;
    (d.search || []).forEach(function (id) { if (byId[id]) parent.insertBefore(byId[id], anchor); });
    var hidden = d.search_hidden || [];
    nodes.forEach(function (n, i) {
      var gone = hidden.indexOf(ids[i]) >= 0;
      n.hidden = gone;
      if (gone) n.setAttribute("data-pz-hidden", "query-rule");
    });
  }

  fetch(api + "decide?" + params.toString(), { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (d) {
      if (!d) return;
      apply(d);
      if (d.search_terms) box.setAttribute("data-pz-terms", d.search_terms.join(","));
      box.setAttribute("data-pz-merchandised", "1");
      /* pz.js marks the slot rendered after its own reorder: put the rules' order back. */
      if (window.MutationObserver) {
        new MutationObserver(function (changes, observer) {
          if (box.getAttribute("data-pz-state") === "rendered") { observer.disconnect(); apply(d); }
        }).observe(box, { attributes: true, attributeFilter: ["data-pz-state"] });
      }
    })
    .catch(function () { /* the platform's results stay as they are */ });
})();
