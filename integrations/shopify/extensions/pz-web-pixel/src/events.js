// Shopify standard events -> the events API's batch schema (personalization/events/schema.py).
// Pure: no pixel API, so node tests can run it.

const TYPES = {
  page_viewed: "page_view",
  product_viewed: "product_view",
  collection_viewed: "collection_view",
  search_submitted: "search",
  product_added_to_cart: "add_to_cart",
  product_removed_from_cart: "remove_from_cart",
  checkout_started: "checkout_started",
  checkout_completed: "purchase",
};
export const SUBSCRIBED = Object.keys(TYPES);

// Numeric ids, whatever shape they come in (gid://shopify/Product/12 or "12").
function id(value) {
  if (value === null || value === undefined || value === "") return undefined;
  const text = String(value).split("/").pop().split("?")[0];
  return /^[A-Za-z0-9_\-:.]{1,64}$/.test(text) ? text : undefined;
}

function text(value, limit) {
  return typeof value === "string" && value ? value.slice(0, limit) : undefined;
}

function money(value) {
  const amount = Number(value && value.amount !== undefined ? value.amount : value);
  return Number.isFinite(amount) && amount >= 0 ? amount : undefined;
}

function line(cartLine) {
  const merchandise = (cartLine && cartLine.merchandise) || {};
  return {
    product_id: id(merchandise.product && merchandise.product.id),
    variant_id: id(merchandise.id),
    quantity: cartLine && Number.isInteger(cartLine.quantity) ? cartLine.quantity : undefined,
    price: money(merchandise.price),
  };
}

export function toEvent(event) {
  const type = TYPES[event.name];
  if (!type) return null;
  const data = event.data || {};
  const out = {
    id: String(event.id || "").replace(/[^A-Za-z0-9-]/g, "-").slice(0, 64),
    type,
    ts: Date.parse(event.timestamp) || Date.now(),
  };
  if (out.id.length < 8) return null;
  const location = event.context && event.context.document && event.context.document.location;
  out.url = text(location && location.href, 2048);
  if (type === "product_view") {
    const variant = data.productVariant || {};
    out.product_id = id(variant.product && variant.product.id);
    out.variant_id = id(variant.id);
    out.price = money(variant.price);
  } else if (type === "collection_view") {
    out.collection_id = id(data.collection && data.collection.id);
  } else if (type === "search") {
    out.query = text(data.searchResult && data.searchResult.query, 200);
  } else if (type === "add_to_cart" || type === "remove_from_cart") {
    Object.assign(out, line(data.cartLine));
  } else if (type === "checkout_started" || type === "purchase") {
    const checkout = data.checkout || {};
    out.value = money(checkout.totalPrice);
    out.currency = text(checkout.currencyCode, 3);
    if (type === "purchase") out.order_id = text(String((checkout.order && checkout.order.id) || ""), 64);
  }
  if ((type === "product_view" || type === "add_to_cart" || type === "remove_from_cart") && !out.product_id) return null;
  if (type === "collection_view" && !out.collection_id) return null;
  if (type === "search" && !out.query) return null;
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

export function toBatch(visitorId, events) {
  return { visitor_id: visitorId, consent: true, events: events.slice(0, 50) };
}
