/* Customer content for every platform: the shoppable photo gallery and review highlights,
   ranked for this visitor, and the photo upload and removal forms. Loaded (defer) only where a
   UGC block is on the page. No dependencies; renders into the block's reserved space. */
(function () {
  "use strict";
  if (window.pzUgc) return;
  window.pzUgc = 1;
  var me = document.currentScript || document.querySelector("script[data-pz-ugc]");
  if (!me) return;
  var KEY = me.getAttribute("data-shop-key") || "";
  var API = me.getAttribute("data-api-base") || "/api/v1/";
  var params = new URLSearchParams(location.search);
  var persona = params.get("pz_persona");

  function stored(store, key) {
    try { return store.getItem(key); } catch (e) { return null; }
  }
  function ids(key) {
    try { return JSON.parse(stored(sessionStorage, key) || "[]").slice(0, 20); } catch (e) { return []; }
  }
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }
  function query(block, limit) {
    var q = new URLSearchParams({ key: KEY, limit: String(limit) });
    var product = block.getAttribute("data-pz-product-id");
    if (product) q.set("product", product);
    var recent = ids("pz_recent"), cart = ids("pz_cart");
    if (recent.length) q.set("recent", recent.join(","));
    if (cart.length) q.set("cart", cart.join(","));
    /* pz.js keeps a visitor id only for shoppers who consented. */
    var vid = stored(localStorage, "pz_vid");
    if (vid) q.set("visitor", vid);
    if (persona) { q.set("persona", persona); q.set("explain", "1"); }
    return q.toString();
  }
  /* Impressions and clicks, like pz.js's slots: only with consent, never in previews. */
  function consented() {
    if (typeof window.pzConsent === "boolean") return window.pzConsent;
    var cp = window.Shopify && Shopify.customerPrivacy;
    if (cp && cp.analyticsProcessingAllowed) return !!cp.analyticsProcessingAllowed();
    if (typeof window.wp_has_consent === "function") return !!window.wp_has_consent("statistics");
    return stored(localStorage, "pz_consent") === "1";
  }
  function track(type, fields) {
    var vid = stored(localStorage, "pz_vid");
    if (persona || !vid || !consented()) return;
    var e = { id: crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2), type: type, ts: Date.now() };
    for (var k in fields) e[k] = fields[k];
    var body = JSON.stringify({ visitor_id: vid, consent: true, events: [e], context: { url: location.href, referrer: document.referrer } });
    var url = API + "events?key=" + encodeURIComponent(KEY);
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, new Blob([body], { type: "text/plain" })))) {
      fetch(url, { method: "POST", body: body, keepalive: true, headers: { "Content-Type": "text/plain" } }).catch(function () {});
    }
  }
  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function cartForm(p) {
    var a = p.add_to_cart;
    var form = el("form", "ugc-card__cart");
    form.method = a.method; form.action = a.action;
    var fields = a.fields || {};
    if (a.method === "post" && a.action.indexOf("/demo/") === 0) fields.csrfmiddlewaretoken = csrf();
    for (var k in fields) {
      var i = document.createElement("input");
      i.type = "hidden"; i.name = k; i.value = fields[k];
      form.appendChild(i);
    }
    var b = el("button", "button button--small", "Add to cart");
    b.type = "submit";
    form.appendChild(b);
    return form;
  }

  function products(list) {
    var ul = el("ul", "ugc-card__products");
    list.forEach(function (p) {
      var li = el("li");
      li.setAttribute("data-pz-product-id", p.id);
      var a = el("a", "ugc-card__product", p.title);
      a.href = p.url;
      li.appendChild(a);
      if (p.add_to_cart) li.appendChild(cartForm(p));
      ul.appendChild(li);
    });
    return ul;
  }

  function byline(it) {
    var by = el("p", "ugc-card__by");
    by.appendChild(el("span", "ugc-card__author", it.attribution));
    if (it.verified_buyer) by.appendChild(el("span", "ugc-card__badge", "Verified buyer"));
    return by;
  }

  function why(node, it) {
    if (it.reason) node.appendChild(el("p", "pz-reason", it.reason));
  }

  function photoCard(it) {
    var li = el("li", "ugc-card");
    li.setAttribute("data-ugc-id", it.id);
    var media = el("div", "ugc-card__media");
    if (it.kind === "video" && it.media) {
      var v = el("video");
      v.src = it.media; v.poster = it.poster; v.controls = true; v.preload = "none"; v.muted = true;
      v.setAttribute("playsinline", "");
      media.appendChild(v);
    } else if (it.image) {
      var img = el("img");
      img.src = it.image; img.alt = "Photo by " + it.attribution;
      img.loading = "lazy"; img.decoding = "async";
      img.width = 480; img.height = 480;
      media.appendChild(img);
    } else if (it.source_url) {
      var link = el("a", "ugc-card__post", "View the post on " + (it.title || "social media"));
      link.href = it.source_url; link.rel = "noopener noreferrer"; link.target = "_blank";
      media.appendChild(link);
    }
    li.appendChild(media);
    li.appendChild(byline(it));
    if (it.text) li.appendChild(el("p", "ugc-card__text", it.text));
    if (it.products.length) li.appendChild(products(it.products));
    why(li, it);
    var rm = el("a", "ugc-card__remove", "Remove my photo");
    rm.href = "#ugc-removal"; rm.dataset.pzUgcRemove = it.id; li.appendChild(rm);
    return li;
  }

  function quoteCard(it) {
    var li = el("li", "ugc-quote");
    li.setAttribute("data-ugc-id", it.id);
    if (it.rating) {
      var stars = el("p", "ugc-quote__stars", "★★★★★".slice(0, it.rating) + "☆☆☆☆☆".slice(it.rating));
      stars.setAttribute("aria-label", it.rating + " out of 5 stars");
      li.appendChild(stars);
    }
    if (it.title) li.appendChild(el("p", "ugc-quote__title", it.title));
    li.appendChild(el("blockquote", "ugc-quote__text", it.text));
    li.appendChild(byline(it));
    if (it.products.length) li.appendChild(products(it.products));
    why(li, it);
    var rm = el("a", "ugc-card__remove", "Remove my photo");
    rm.href = "#ugc-removal"; rm.dataset.pzUgcRemove = it.id; li.appendChild(rm);
    return li;
  }

  function fill(block, path, card) {
    var list = block.querySelector("[data-pz-ugc-items]");
    if (!list) return;
    var limit = parseInt(block.getAttribute("data-pz-limit") || "6", 10);
    fetch(API + path + "?" + query(block, limit), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d || !d.items.length) return; /* the server-rendered content stays */
        var fresh = document.createDocumentFragment();
        d.items.forEach(function (it) { fresh.appendChild(card(it)); });
        list.innerHTML = "";
        list.appendChild(fresh);
        block.hidden = false;
        block.setAttribute("data-pz-state", "rendered");
        var placement = "ugc-" + block.getAttribute("data-pz-ugc");
        track("impression", { placement: placement, model_version: "ugc-rank" });
        block.addEventListener("click", function (ev) {
          var p = ev.target.closest && ev.target.closest("[data-pz-product-id]");
          if (p) track("click", { placement: placement, product_id: p.getAttribute("data-pz-product-id"), model_version: "ugc-rank" });
        });
        if (persona) block.setAttribute("data-pz-visitor", d.visitor);
      })
      .catch(function () { /* keep what is there */ });
  }

  /* The upload and removal forms post to the API and say what happened, next to the form. */
  function wire(form, path) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var status = form.querySelector("[data-pz-ugc-status]") || form.appendChild(el("p"));
      [].forEach.call(form.querySelectorAll("[aria-invalid]"), function (n) { n.removeAttribute("aria-invalid"); });
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      status.textContent = "Sending…";
      fetch(API + path + "?key=" + encodeURIComponent(KEY), { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (res) {
          status.textContent = res.body.message || (res.ok ? "Thank you." : "Something went wrong.");
          status.setAttribute("data-state", res.ok ? "done" : "error");
          if (res.ok) form.reset();
          else if (res.body.field) {
            var field = form.querySelector("[name=" + res.body.field + "]");
            if (field) { field.setAttribute("aria-invalid", "true"); field.focus(); }
          }
        })
        .catch(function () { status.textContent = "Could not send. Please try again."; status.setAttribute("data-state", "error"); })
        .then(function () { if (button) button.disabled = false; });
    });
  }

  [].forEach.call(document.querySelectorAll('[data-pz-ugc="gallery"]'), function (b) { fill(b, "ugc/gallery", photoCard); });
  [].forEach.call(document.querySelectorAll('[data-pz-ugc="highlights"]'), function (b) { fill(b, "ugc/highlights", quoteCard); });
  [].forEach.call(document.querySelectorAll('form[data-pz-ugc="upload"]'), function (f) { wire(f, "ugc/uploads"); });
  [].forEach.call(document.querySelectorAll('form[data-pz-ugc="removal"]'), function (f) { wire(f, "ugc/removal-requests"); });
  document.addEventListener("click", function (e) {
    var a = e.target.closest("[data-pz-ugc-remove]"), f = document.querySelector('[data-pz-ugc="removal"]');
    if (!a || !f) return;
    f.content_id.value = a.dataset.pzUgcRemove; f.parentNode.open = true; f.email.focus();
  });
})();
