// Web pixel (strict sandbox): standard events -> POST /api/v1/events, only with analytics consent.
import { register } from "@shopify/web-pixels-extension";
import { SUBSCRIBED, toBatch, toEvent } from "./events.js";

const FLUSH_MS = 1500;
const MAX_BATCH = 20;

register(({ analytics, browser, init, settings }) => {
  let allowed = Boolean(init.customerPrivacy && init.customerPrivacy.analyticsProcessingAllowed);
  let queue = [];
  let timer = null;

  analytics.subscribe("visitorConsentCollected", (event) => {
    allowed = Boolean(event.customerPrivacy && event.customerPrivacy.analyticsProcessingAllowed);
    if (!allowed) queue = [];
  });

  async function visitorId() {
    let value = await browser.localStorage.getItem("pz_vid");
    if (!value || !/^[A-Za-z0-9-]{8,64}$/.test(value)) {
      value = crypto.randomUUID();
      await browser.localStorage.setItem("pz_vid", value);
    }
    return value;
  }

  async function flush() {
    timer = null;
    if (!allowed || !queue.length) return;
    const events = queue.splice(0, MAX_BATCH);
    const url = settings.endpoint + "?key=" + encodeURIComponent(settings.storefrontKey);
    try {
      // text/plain keeps it a simple request (no preflight); the API reads the JSON body.
      await fetch(url, {
        method: "POST",
        body: JSON.stringify(toBatch(await visitorId(), events)),
        headers: { "Content-Type": "text/plain" },
        keepalive: true,
      });
    } catch (error) {
      // Dropped, not retried: analytics must never slow the storefront.
    }
    if (queue.length) timer = setTimeout(flush, FLUSH_MS);
  }

  for (const name of SUBSCRIBED) {
    analytics.subscribe(name, (event) => {
      if (!allowed) return;
      const mapped = toEvent(event);
      if (!mapped) return;
      queue.push(mapped);
      if (queue.length >= MAX_BATCH || name === "checkout_completed") flush();
      else if (!timer) timer = setTimeout(flush, FLUSH_MS);
    });
  }
});
