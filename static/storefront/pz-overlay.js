/* Campaign overlays and embedded blocks, deferred after pz.js where a shop runs campaigns.
   Nothing without consent. Overlays are fixed, blocks fill reserved space: no layout shift.
   Popups are modal (focus trap, Escape, focus returns); slide-ins and bars close on Escape. */
(function () {
  "use strict";
  var me = document.currentScript || document.querySelector("script[data-pz-overlay]");
  if (!me) return;
  var KEY = me.getAttribute("data-shop-key");
  var API = me.getAttribute("data-api-base") || "/api/v1/";
  if (new URLSearchParams(location.search).get("pz_persona")) return;

  function consented() {
    if (typeof window.pzConsent === "boolean") return window.pzConsent;
    var cp = window.Shopify && Shopify.customerPrivacy;
    if (cp && cp.analyticsProcessingAllowed) return !!cp.analyticsProcessingAllowed();
    if (typeof window.wp_has_consent === "function") return !!window.wp_has_consent("statistics");
    try { return localStorage.getItem("pz_consent") === "1"; } catch (e) { return false; }
  }
  function store(s, k, v) { try { if (v === undefined) return s.getItem(k); s.setItem(k, v); } catch (e) { return null; } }
  function meta(n) { var m = document.querySelector('meta[name="' + n + '"]'); return m ? m.getAttribute("content") || "" : ""; }
  function uid() { return window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + "-" + Math.random().toString(16).slice(2, 10); }
  if (!consented()) return;
  var vid = store(localStorage, "pz_vid");
  if (!vid) { vid = uid(); store(localStorage, "pz_vid", vid); }
  /* A visit is a tab session. */
  var visit = parseInt(store(localStorage, "pz_visits") || "0", 10) || 0;
  if (!store(sessionStorage, "pz_visit_counted")) { visit += 1; store(localStorage, "pz_visits", String(visit)); store(sessionStorage, "pz_visit_counted", "1"); }
  var cart = (meta("pz-cart-product-ids") || "").split(",").filter(Boolean);
  if (!cart.length) { try { cart = JSON.parse(sessionStorage.getItem("pz_cart") || "[]"); } catch (e) { cart = []; } }
  var page = meta("pz-page") || "other";
  var q = new URLSearchParams({ key: KEY, visitor: vid, page: page, visit: String(Math.max(visit, 1)) });
  if (cart.length) q.set("cart", cart.slice(0, 50).join(","));
  if (meta("pz-product-id")) q.set("product", meta("pz-product-id"));

  function post(path, body) {
    var url = API + path + "?key=" + encodeURIComponent(KEY), data = JSON.stringify(body);
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, new Blob([data], { type: "text/plain" })))) {
      fetch(url, { method: "POST", body: data, keepalive: true, headers: { "Content-Type": "text/plain" } });
    }
  }
  /* Contacts (caps) and events (metrics; a call to action is a click without product). */
  function record(c, kind, pid) {
    post("campaigns/interactions", { visitor: vid, campaign: c.campaign, variant: c.variant, kind: kind });
    if (kind === "impression" || kind === "click") {
      post("events", { visitor_id: vid, consent: true, context: { url: location.href },
        events: [{ id: uid(), type: kind, ts: Date.now(), placement: c.campaign, model_version: c.variant, product_id: pid }] });
    }
  }

  /* Once, when the trigger fires. */
  function when(c, fn) {
    var done = false;
    function go() { if (!done) { done = true; fn(); } }
    if (c.trigger === "time_on_page") setTimeout(go, (c.trigger_value || 0) * 1000);
    else if (c.trigger === "exit_intent") {
      document.addEventListener("mouseout", function (e) { if (!e.relatedTarget && e.clientY <= 0) go(); });
    } else go();
  }

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text) n.textContent = text;
    return n;
  }
  function money(a) {
    var cur = meta("pz-currency") || "USD";
    try { return new Intl.NumberFormat(document.documentElement.lang || undefined, { style: "currency", currency: cur }).format(+a); } catch (e) { return a + " " + cur; }
  }

  function content(c, box) {
    var id = "pz-ov-" + c.campaign;
    var h = el(c.placement === "embedded" ? "h2" : "p", "pz-ov__title", c.headline);
    h.id = id + "-t";
    box.appendChild(h);
    if (c.body) { var b = el("p", "pz-ov__body", c.body); b.id = id + "-b"; box.appendChild(b); }
    if (c.coupon) box.appendChild(el("p", "pz-ov__code", c.coupon));
    if (c.products && c.products.length) {
      var ul = el("ul", "pz-ov__products");
      c.products.forEach(function (p) {
        var li = el("li"), a = el("a");
        a.href = p.url;
        a.setAttribute("data-pz-product-id", p.id);
        if (p.image) { var img = el("img"); img.src = p.image; img.alt = ""; img.width = 64; img.height = 64; a.appendChild(img); }
        a.appendChild(el("span", "pz-ov__name", p.title));
        if (p.price) a.appendChild(el("span", "pz-ov__price", money(p.price)));
        li.appendChild(a); ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    if (c.cta_label) { var cta = el("a", "pz-ov__cta", c.cta_label); cta.href = c.cta_url || "#"; box.appendChild(cta); }
    box.addEventListener("click", function (e) {
      var a = e.target.closest && e.target.closest("a[href]");
      if (a) record(c, "click", a.getAttribute("data-pz-product-id") || undefined);
    });
    return id;
  }

  function focusables(root) {
    return [].slice.call(root.querySelectorAll("a[href],button,input,[tabindex]:not([tabindex='-1'])"));
  }

  function overlay(c) {
    var modal = c.placement === "popup";
    var root = el("div", "pz-ov pz-ov--" + c.placement);
    var panel = el("div", "pz-ov__panel");
    var close = el("button", "pz-ov__close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", meta("pz-t-close") || "Close");
    panel.appendChild(close);
    var id = content(c, panel);
    root.appendChild(panel);
    panel.setAttribute("role", c.placement === "bar" ? "region" : "dialog");
    panel.setAttribute("aria-labelledby", id + "-t");
    if (c.body) panel.setAttribute("aria-describedby", id + "-b");
    if (modal) panel.setAttribute("aria-modal", "true");
    panel.setAttribute("data-pz-campaign", c.campaign);
    panel.setAttribute("data-pz-variant", c.variant);
    var before = document.activeElement;
    function dismiss() {
      root.remove();
      document.removeEventListener("keydown", onKey, true);
      record(c, "dismiss");
      if (modal && before && before.focus) before.focus();
    }
    function onKey(e) {
      if (e.key === "Escape" && (modal || panel.contains(document.activeElement))) { e.preventDefault(); dismiss(); return; }
      if (modal && e.key === "Tab") {
        var f = focusables(panel), first = f[0], last = f[f.length - 1];
        if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
        else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
        else if (!panel.contains(document.activeElement)) { e.preventDefault(); first.focus(); }
      }
    }
    close.addEventListener("click", dismiss);
    if (modal) root.addEventListener("click", function (e) { if (e.target === root) dismiss(); });
    document.addEventListener("keydown", onKey, true);
    document.body.appendChild(root);
    if (modal) (focusables(panel)[1] || close).focus();
    record(c, "impression");
  }

  function embedded(c) {
    var slot = document.querySelector("[data-pz-campaign-slot]");
    if (!slot) return;
    var box = el("div", "pz-ov-block");
    box.setAttribute("role", "region");
    box.setAttribute("aria-labelledby", content(c, box) + "-t");
    box.setAttribute("data-pz-campaign", c.campaign);
    box.setAttribute("data-pz-variant", c.variant);
    slot.textContent = "";
    slot.appendChild(box);
    slot.setAttribute("data-pz-state", "rendered");
    record(c, "impression");
  }

  function styles() {
    var s = el("style");
    s.textContent = ".pz-ov{position:fixed;z-index:2147483000;font:inherit}" +
      ".pz-ov--popup{inset:0;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center}" +
      ".pz-ov--slide_in{right:1rem;bottom:1rem;max-width:22rem}" +
      ".pz-ov--bar{left:0;right:0;bottom:0}" +
      ".pz-ov__panel{position:relative;background:#fff;color:#222;padding:1.25rem 2.5rem 1.25rem 1.25rem;border-radius:.5rem;box-shadow:0 8px 30px #0004;max-width:30rem;max-height:90vh;overflow:auto}" +
      ".pz-ov--bar .pz-ov__panel{max-width:none;border-radius:0;display:flex;gap:1rem;align-items:center;justify-content:center;flex-wrap:wrap;padding:.6rem 2.5rem}" +
      ".pz-ov--bar .pz-ov__title,.pz-ov--bar .pz-ov__body{margin:0}" +
      ".pz-ov__title{font-size:1.2rem;font-weight:700;margin:0 0 .5rem}" +
      ".pz-ov__close{position:absolute;top:.4rem;right:.5rem;border:0;background:none;font-size:1.5rem;cursor:pointer}" +
      ".pz-ov__code{font:700 1.1rem monospace;letter-spacing:.08em;border:2px dashed currentColor;padding:.3rem .6rem;display:inline-block}" +
      ".pz-ov__products{list-style:none;padding:0;margin:.75rem 0;display:grid;gap:.5rem}" +
      ".pz-ov__products a{display:grid;grid-template-columns:64px 1fr auto;gap:.75rem;align-items:center;color:inherit}" +
      ".pz-ov__cta{display:inline-block;padding:.5rem 1rem;background:#222;color:#fff;border-radius:.3rem;text-decoration:none}" +
      ".pz-ov a:focus-visible,.pz-ov button:focus-visible{outline:3px solid #1a73e8}";
    document.head.appendChild(s);
  }

  fetch(API + "campaigns/offer?" + q.toString(), { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (d) {
      if (!d) return;
      if (d.overlay || d.embedded) styles();
      if (d.overlay) when(d.overlay, function () { overlay(d.overlay); });
      if (d.embedded) embedded(d.embedded);
      (d.control || []).forEach(function (c) { when(c, function () { record(c, "exposure"); }); });
    })
    .catch(function () {});
})();
