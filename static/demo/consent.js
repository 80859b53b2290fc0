/* The demo shop's consent banner. Real stores use the platform's own consent (Shopify's customer
   privacy API, a WordPress consent plugin); the storefront script reads those first. */
(function () {
  "use strict";
  var bar = document.querySelector("[data-pz-consent]");
  if (!bar) return;
  var choice = null;
  try { choice = localStorage.getItem("pz_consent"); } catch (e) { return; }
  if (choice !== null) return;
  bar.hidden = false;
  bar.addEventListener("click", function (event) {
    var value = event.target.getAttribute && event.target.getAttribute("data-consent");
    if (value === null) return;
    try { localStorage.setItem("pz_consent", value); } catch (e) { /* private mode */ }
    bar.hidden = true;
  });
})();
