/* Admin pages: the little script htmx needs around it. No framework, no build step.
 *
 * Inside the Shopify admin, App Bridge (window.shopify) hands out short-lived session tokens.
 * It adds them to fetch() calls by itself, but htmx uses XMLHttpRequest: so each htmx request
 * waits for a fresh token and carries it as `Authorization: Bearer`. Outside Shopify this does
 * nothing, and the admin session cookie (with the CSRF header on <body>) is the credential.
 */
(function () {
  "use strict";

  var token = null;

  function appBridge() {
    var bridge = window.shopify;
    return bridge && typeof bridge.idToken === "function" ? bridge : null;
  }

  document.addEventListener("htmx:confirm", function (event) {
    var bridge = appBridge();
    if (!bridge) return;
    event.preventDefault();
    bridge.idToken().then(
      function (fresh) { token = fresh; event.detail.issueRequest(true); },
      function () { token = null; event.detail.issueRequest(true); }
    );
  });

  document.addEventListener("htmx:configRequest", function (event) {
    if (token && appBridge()) event.detail.headers["Authorization"] = "Bearer " + token;
  });

  /* A request that failed (server error, network) says so where the admin is looking, instead of
     failing silently. The message goes into the page's one status region. */
  function announce(text) {
    var region = document.getElementById("request-status");
    if (!region) return;
    region.textContent = text;
    region.hidden = false;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    announce(status === 401 ? "Your session ended. Reload the page to sign in again."
      : "Something went wrong (" + status + "). Try again in a moment.");
  });

  document.addEventListener("htmx:sendError", function () {
    announce("The server could not be reached. Check your connection and try again.");
  });

  /* A swap that replaced the element holding focus (a section redrawn after a save or a delete)
     would drop keyboard users at the top of the page: focus the first field the server marked
     invalid, else the swapped section's [data-focus-after-swap] (its heading). A swap that kept
     focus (typing in the segment builder) is left alone. */
  document.addEventListener("htmx:afterSettle", function (event) {
    var active = document.activeElement;
    if (active && active !== document.body && document.body.contains(active)) return;
    var root = event.detail.elt;
    if (!root || !root.querySelector) return;
    var next = root.querySelector('[aria-invalid="true"]') || root.querySelector("[data-focus-after-swap]");
    if (next) next.focus();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var region = document.getElementById("request-status");
    if (region && event.detail.successful && !region.hidden) region.hidden = true;
  });
})();
