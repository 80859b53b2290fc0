/* pz.js: the storefront script of every platform (contract: docs/storefront-slots.md).
   Deferred, no dependencies, one decision call per page, events only with consent. */
(function () {
  "use strict";
  var me = document.currentScript || document.querySelector("script[data-shop-key]");
  if (!me) return;
  var KEY = me.getAttribute("data-shop-key");
  var API = me.getAttribute("data-api-base") || "/api/v1/";
  var params = new URLSearchParams(location.search);
  var persona = params.get("pz_persona");
  var queue = [];

  function meta(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute("content") || "" : "";
  }
  function list(key) {
    try { return JSON.parse(sessionStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function keep(key, value) {
    try { sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0;
      return (c === "x" ? r : (r & 3 | 8)).toString(16);
    });
  }
  /* Consent: the platform's signal first, else the shop's banner. */
  function consented() {
    if (typeof window.pzConsent === "boolean") return window.pzConsent;
    var cp = window.Shopify && Shopify.customerPrivacy;
    if (cp && cp.analyticsProcessingAllowed) return !!cp.analyticsProcessingAllowed();
    if (typeof window.wp_has_consent === "function") return !!window.wp_has_consent("statistics");
    try { return localStorage.getItem("pz_consent") === "1"; } catch (e) { return false; }
  }
  function visitorId() {
    if (!consented()) return null;
    try {
      var id = localStorage.getItem("pz_vid");
      if (!id) { id = uuid(); localStorage.setItem("pz_vid", id); }
      return id;
    } catch (e) { return null; }
  }

  /* Events: batched; sent every 5 s and when the page goes away. */
  function track(type, fields) {
    if (!consented() || persona) return;
    var e = { id: uuid(), type: type, ts: Date.now() };
    for (var k in fields) if (fields[k] != null && fields[k] !== "") e[k] = fields[k];
    queue.push(e);
    if (queue.length >= 20) flush();
  }
  function flush() {
    var vid = visitorId();
    if (!queue.length || !vid) { queue = []; return; }
    var body = JSON.stringify({ visitor_id: vid, consent: true, events: queue.splice(0, 50),
      context: { url: location.href, referrer: document.referrer } });
    var url = API + "events?key=" + encodeURIComponent(KEY);
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, new Blob([body], { type: "text/plain" })))) {
      fetch(url, { method: "POST", body: body, keepalive: true, headers: { "Content-Type": "text/plain" } });
    }
  }
  setInterval(flush, 5000);
  addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () { if (document.hidden) flush(); });

  var page = meta("pz-page") || "other";
  var product = meta("pz-product-id");
  var recent = list("pz_recent");
  var cart = (meta("pz-cart-product-ids") || "").split(",").filter(Boolean);
  if (page === "cart") keep("pz_cart", cart); else cart = list("pz_cart");

  track("page_view", { url: location.pathname });
  if (product) {
    track("product_view", { product_id: product });
    recent = [product].concat(recent.filter(function (p) { return p !== product; })).slice(0, 20);
  }
  if (page === "collection") track("collection_view", { collection_id: meta("pz-collection-id") });

  var slots = [].slice.call(document.querySelectorAll("[data-pz-slot]"));
  var names = slots.map(function (s) { return s.getAttribute("data-pz-slot"); })
    .filter(function (n) { return ["nav", "search-results", "collection-products", "home-categories"].indexOf(n) < 0; });
  var navItems = [].slice.call(document.querySelectorAll("[data-pz-nav] [data-pz-collection-id]"));
  var results = document.querySelector('[data-pz-slot="search-results"]');
  var resultCards = results ? [].slice.call(results.querySelectorAll("[data-pz-product-id]")) : [];
  var resultIds = resultCards.map(function (c) { return c.getAttribute("data-pz-product-id"); });
  if (page === "search") track("search", { query: meta("pz-search-query") || "-", result_ids: resultIds.slice(0, 100) });

  var q = new URLSearchParams({ key: KEY, page: pageType(page) });
  if (names.length) q.set("slots", names.join(","));
  if (product) q.set("product", product);
  if (recent.length) q.set("recent", recent.filter(function (p) { return p !== product; }).join(","));
  if (cart.length) q.set("cart", cart.join(","));
  if (navItems.length) q.set("nav", navItems.map(function (li) { return li.getAttribute("data-pz-collection-id"); }).join(","));
  if (resultIds.length) q.set("results", resultIds.join(","));
  var vid = visitorId();
  if (vid) q.set("visitor", vid);
  if (persona) { q.set("persona", persona); q.set("explain", "1"); }
  keep("pz_recent", recent);

  function pageType(p) {
    return { home: "home", product: "product", cart: "cart", search: "search", collection: "collection" }[p] || "other";
  }

  fetch(API + "decide?" + q.toString(), { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (d) { if (d) apply(d); })
    .catch(function () { /* the fallback stays */ });

  function apply(d) {
    slots.forEach(function (slot) {
      var name = slot.getAttribute("data-pz-slot");
      var dec = d.slots && d.slots[name];
      if (dec && dec.items.length) render(slot, name, dec);
    });
    if (d.nav) reorder(navItems, d.nav, "data-pz-collection-id");
    if (d.search) reorder(resultCards, d.search, "data-pz-product-id");
    if (persona) badge(d.visitor);
  }

  function reorder(nodes, order, attr) {
    if (!nodes.length) return;
    var byId = {};
    nodes = nodes.map(function (n) { var p = n.parentNode; return p.tagName === "LI" && p.children.length === 1 ? p : n; });
    nodes.forEach(function (n) { byId[n.getAttribute(attr) || n.firstElementChild.getAttribute(attr)] = n; });
    var parent = nodes[0].parentNode;
    var anchor = nodes[nodes.length - 1].nextSibling;
    order.forEach(function (id) { if (byId[id]) parent.insertBefore(byId[id], anchor); });
    var slot = parent.closest("[data-pz-slot]");
    if (slot) slot.setAttribute("data-pz-state", "rendered");
  }

  function render(slot, name, dec) {
    var cards = [].slice.call(slot.querySelectorAll("[data-pz-product-id]"));
    var template = cards[0] || document.querySelector("article.card[data-pz-product-id]");
    var head = slot.querySelector(".section__title") || slot.querySelector(".kicker");
    if (head && dec.title) head.textContent = dec.title;
    if (!template) return;
    var limit = parseInt(slot.getAttribute("data-pz-limit") || cards.length || 4, 10);
    var items = dec.items.slice(0, cards.length || limit);
    var container = cards.length ? cards[0].parentNode : null;
    if (!container) return;
    var wrap = cards[0].parentNode !== slot && container.tagName === "LI" ? container.parentNode : null;
    /* Clone the card being replaced: per-position classes survive. */
    var fresh = items.map(function (it, i) { return fill((cards[i] || template).cloneNode(true), it); });
    if (wrap) {
      var lis = [].slice.call(wrap.children);
      fresh.forEach(function (node, i) { if (lis[i]) { lis[i].innerHTML = ""; lis[i].appendChild(node); } });
    } else {
      cards.forEach(function (c, i) { if (fresh[i]) c.parentNode.replaceChild(fresh[i], c); });
    }
    slot.setAttribute("data-pz-state", "rendered");
    track("impression", { placement: name, model_version: dec.strategy, result_ids: items.map(function (i) { return i.id; }) });
    slot.addEventListener("click", function (ev) {
      var card = ev.target.closest && ev.target.closest("[data-pz-product-id]");
      if (card) { track("click", { placement: name, product_id: card.getAttribute("data-pz-product-id"), model_version: dec.strategy }); flush(); }
    });
  }

  function fill(node, it) {
    node.setAttribute("data-pz-product-id", it.id);
    node.removeAttribute("data-pz-handle");
    [].forEach.call(node.querySelectorAll("a[href]"), function (a) { a.href = it.url; });
    if (node.tagName === "A") node.href = it.url;
    var img = node.querySelector("img");
    if (img && it.image) { img.src = it.image; img.alt = ""; }
    var title = node.querySelector(".card__title");
    if (title) title.textContent = it.title;
    var price = node.querySelector(".card__price");
    if (price && it.price) price.textContent = money(it.price);
    /* The theme's cart form names its own product: link instead. */
    var form = node.querySelector("form");
    if (form) {
      var a = document.createElement("a");
      a.className = "button button--small"; a.href = it.url; a.textContent = meta("pz-t-view") || "View";
      form.parentNode.replaceChild(a, form);
    }
    var badgeEl = node.querySelector(".card__badge");
    if (badgeEl) badgeEl.remove();
    if (it.reason) {
      var why = document.createElement("p");
      why.className = "pz-reason"; why.textContent = it.reason;
      (node.querySelector(".card__footer") || node).appendChild(why);
    }
    return node;
  }

  function money(amount) {
    var cur = meta("pz-currency") || "USD";
    try { return new Intl.NumberFormat(document.documentElement.lang || undefined, { style: "currency", currency: cur }).format(+amount); }
    catch (e) { return amount + " " + cur; }
  }

  function badge(v) {
    var b = document.createElement("div");
    b.className = "pz-preview";
    b.setAttribute("role", "status");
    b.textContent = (meta("pz-t-preview") || "Preview") + ": " + v.label + " · " + v.lifecycle + (v.segments.length ? " · " + v.segments.join(", ") : "");
    document.body.appendChild(b);
  }
})();
