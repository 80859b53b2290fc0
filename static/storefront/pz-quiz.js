/* Product-finder quiz and preference center blocks. No dependencies, loaded with `defer` only on
   pages that hold [data-pz-quiz] or [data-pz-preferences]. Every string shown comes translated
   from the API. Answers are kept server-side only with consent; otherwise in this tab only. */
(function () {
  "use strict";
  /* A page with both blocks loads the script twice: the first copy binds every block. */
  if (window.pzQuizBound) return;
  window.pzQuizBound = true;
  var me = document.currentScript || document.querySelector("script[data-pz-quiz-key]");
  if (!me) return;
  var KEY = me.getAttribute("data-pz-quiz-key");
  var API = me.getAttribute("data-api-base") || "/api/v1/";

  function consented() {
    if (typeof window.pzConsent === "boolean") return window.pzConsent;
    var cp = window.Shopify && Shopify.customerPrivacy;
    if (cp && cp.analyticsProcessingAllowed) return !!cp.analyticsProcessingAllowed();
    if (typeof window.wp_has_consent === "function") return !!window.wp_has_consent("statistics");
    try { return localStorage.getItem("pz_consent") === "1"; } catch (e) { return false; }
  }
  function visitor() {
    if (!consented()) return "";
    try {
      var id = localStorage.getItem("pz_vid");
      if (!id && window.crypto && crypto.randomUUID) { id = crypto.randomUUID(); localStorage.setItem("pz_vid", id); }
      return id || "";
    } catch (e) { return ""; }
  }
  function recent() {
    try { return JSON.parse(sessionStorage.getItem("pz_recent") || "[]").slice(0, 20); } catch (e) { return []; }
  }
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }
  function call(path, body) {
    var url = API + path + (path.indexOf("?") < 0 ? "?" : "&") + "key=" + encodeURIComponent(KEY) + "&locale=" + encodeURIComponent(document.documentElement.lang);
    /* text/plain and the key in the query: a simple request, no CORS preflight. */
    var opts = { credentials: "same-origin" };
    if (body) { opts.method = "POST"; opts.body = JSON.stringify(body); opts.headers = { "Content-Type": "text/plain" }; }
    return fetch(url, opts).then(function (r) {
      return r.json().then(function (d) { if (!r.ok) throw d; return d; });
    });
  }

  /* --- the quiz --- */
  function quiz(root) {
    var out = root.querySelector("[data-pz-quiz-results]") || root;
    call("quiz").then(function (q) {
      var form = el("form", "pz-quiz__form");
      form.appendChild(el("h2", "section__title", q.title));
      if (q.intro) form.appendChild(el("p", "pz-quiz__intro", q.intro));
      q.questions.forEach(function (question) {
        var set = el("fieldset", "pz-quiz__question");
        set.appendChild(el("legend", "", question.text));
        question.answers.forEach(function (a) {
          var label = el("label", "pz-quiz__answer");
          var input = el("input");
          input.type = question.multiple ? "checkbox" : "radio";
          input.name = "q" + question.id;
          input.value = a.id;
          label.appendChild(input);
          label.appendChild(document.createTextNode(" " + a.text));
          set.appendChild(label);
        });
        form.appendChild(set);
      });
      var remember = null;
      if (consented()) {
        var line = el("label", "pz-quiz__remember");
        remember = el("input");
        remember.type = "checkbox";
        remember.checked = true;
        remember.name = "remember";
        line.appendChild(remember);
        line.appendChild(document.createTextNode(" " + q.labels.remember));
        form.appendChild(line);
      }
      var button = el("button", "button", q.labels.show);
      button.type = "submit";
      form.appendChild(button);
      var status = el("p", "pz-quiz__status");
      status.setAttribute("role", "status");
      form.appendChild(status);
      root.insertBefore(form, root.firstChild);
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var ids = [].slice.call(form.querySelectorAll("input:checked"))
          .filter(function (i) { return i.name !== "remember"; })
          .map(function (i) { return parseInt(i.value, 10); });
        var keep = !!(remember && remember.checked);
        var body = { quiz: q.id, answers: ids, consent: keep, recent: recent() };
        if (keep) body.visitor = visitor();
        button.disabled = true;
        call("quiz/answers", body).then(function (d) {
          try { sessionStorage.setItem("pz_quiz", JSON.stringify(ids)); } catch (e) { /* private mode */ }
          status.textContent = d.note;
          root.setAttribute("data-pz-quiz-stored", d.stored ? "1" : "0");
          show(out, q.labels, d.items);
        }).catch(function (e) {
          status.textContent = (e && e.message) || "";
        }).then(function () { button.disabled = false; });
      });
    }).catch(function () { /* no quiz: the block stays empty */ });
  }

  function show(out, labels, items) {
    var list = out.querySelector(".pz-quiz__grid") || el("div", "product-grid pz-quiz__grid");
    while (list.firstChild) list.removeChild(list.firstChild);
    var head = out.querySelector(".pz-quiz__results-title") || el("h2", "section__title pz-quiz__results-title");
    head.textContent = items.length ? labels.results : labels.none;
    out.appendChild(head);
    items.forEach(function (it) {
      var card = el("article", "card");
      card.setAttribute("data-pz-product-id", it.id);
      var a = el("a", "card__link");
      a.href = it.url;
      var media = el("div", "card__media");
      if (it.image) {
        var img = el("img");
        img.src = it.image; img.alt = ""; img.width = 600; img.height = 600; img.loading = "lazy";
        media.appendChild(img);
      }
      a.appendChild(media);
      a.appendChild(el("h3", "card__title", it.title));
      card.appendChild(a);
      var foot = el("div", "card__footer");
      foot.appendChild(el("p", "card__price", it.price_display || it.price));
      card.appendChild(foot);
      card.appendChild(el("p", "pz-reason", it.reason));
      list.appendChild(card);
    });
    out.appendChild(list);
    out.setAttribute("data-pz-state", "rendered");
  }

  /* --- the preference center --- */
  function prefs(root) {
    var vid = visitor();
    call("preferences" + (vid ? "?visitor=" + encodeURIComponent(vid) : "")).then(function (p) {
      var L = p.labels;
      var form = el("form", "pz-prefs__form");
      form.appendChild(el("h2", "section__title", L.title));
      function field(label, name, value, type) {
        var wrap = el("label", "pz-prefs__field", label);
        var input = el("input");
        input.name = name; input.type = type || "text"; input.value = value || "";
        wrap.appendChild(input);
        form.appendChild(wrap);
        return input;
      }
      var interests = field(L.interests, "interests", (p.interests.category || []).join(", "));
      var sizes = field(L.sizes, "sizes", p.sizes.join(", "));
      var birthday = field(L.birthday, "birthday", p.birthday);
      birthday.placeholder = L.birthday_hint || "MM-DD";
      var set = el("fieldset", "pz-prefs__channels");
      set.appendChild(el("legend", "", L.channels));
      Object.keys(L.channel_names).forEach(function (c) {
        var lab = el("label");
        var box = el("input");
        box.type = "checkbox"; box.name = "channel"; box.value = c;
        box.checked = p.channels.indexOf(c) >= 0;
        lab.appendChild(box);
        lab.appendChild(document.createTextNode(" " + L.channel_names[c]));
        set.appendChild(lab);
      });
      form.appendChild(set);
      var phone = field(L.phone, "phone", p.phone, "tel");
      var status = el("p", "pz-prefs__status");
      status.setAttribute("role", "status");
      var save = el("button", "button", L.save);
      save.type = "submit";
      var forget = el("button", "button button--ghost", L.forget);
      forget.type = "button";
      form.appendChild(save);
      form.appendChild(forget);
      form.appendChild(status);
      root.appendChild(form);
      function split(v) { return v.split(",").map(function (s) { return s.trim(); }).filter(Boolean); }
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var cats = split(interests.value);
        call("preferences", {
          visitor: visitor(), sizes: split(sizes.value), birthday: birthday.value.trim(), phone: phone.value.trim(),
          interests: cats.length ? { category: cats } : {},
          channels: [].slice.call(set.querySelectorAll("input:checked")).map(function (b) { return b.value; })
        }).then(function () { status.textContent = L.saved; })
          .catch(function (e) { status.textContent = (e && e.message) || ""; });
      });
      forget.addEventListener("click", function () {
        if (!window.confirm(L.forget_confirm)) return;
        call("preferences/forget", { visitor: visitor() }).then(function () {
          try { localStorage.removeItem("pz_vid"); localStorage.removeItem("pz_consent"); sessionStorage.clear(); } catch (e) { /* ignore */ }
          status.textContent = L.forgotten;
        }).catch(function (e) { status.textContent = (e && e.message) || ""; });
      });
    }).catch(function () { /* no preference center */ });
  }

  [].slice.call(document.querySelectorAll("[data-pz-quiz]")).forEach(quiz);
  [].slice.call(document.querySelectorAll("[data-pz-preferences]")).forEach(prefs);
})();
