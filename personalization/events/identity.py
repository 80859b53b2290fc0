"""Device class and traffic source from what a browser tells us. Pure Python, no Django."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

SESSION_GAP_SECONDS = 30 * 60

SEARCH_ENGINES = {
    "google": "google",
    "bing": "bing",
    "duckduckgo": "duckduckgo",
    "yahoo": "yahoo",
    "ecosia": "ecosia",
    "baidu": "baidu",
    "yandex": "yandex",
    "qwant": "qwant",
}
SOCIAL_NETWORKS = {
    "facebook": "facebook",
    "fb": "facebook",
    "instagram": "instagram",
    "t": "twitter",
    "twitter": "twitter",
    "x": "twitter",
    "pinterest": "pinterest",
    "pin": "pinterest",
    "tiktok": "tiktok",
    "linkedin": "linkedin",
    "lnkd": "linkedin",
    "reddit": "reddit",
    "youtube": "youtube",
    "whatsapp": "whatsapp",
    "snapchat": "snapchat",
    "threads": "threads",
}
EMAIL_HOSTS = ("mail.google", "outlook.live", "mail.yahoo", "webmail", "mail.")
PAID_MEDIUMS = frozenset(
    {"cpc", "ppc", "paid", "paidsocial", "paid_social", "display", "cpm", "affiliate", "shopping"}
)


def device_class(user_agent: str) -> str:
    ua = user_agent.lower()
    if not ua:
        return "unknown"
    if any(word in ua for word in ("bot", "crawler", "spider", "headlesschrome", "lighthouse")):
        return "bot"
    if "ipad" in ua or "tablet" in ua or ("android" in ua and "mobile" not in ua):
        return "tablet"
    if "mobi" in ua or "iphone" in ua or "android" in ua:
        return "mobile"
    return "desktop"


def _site_name(host: str) -> str:
    """The registrable name: 'www.google.co.uk' -> 'google', 'l.facebook.com' -> 'facebook'."""
    parts = [p for p in host.lower().split(".") if p and p != "www"]
    if len(parts) >= 3 and parts[-2] in ("co", "com", "org", "net", "ac") and len(parts[-1]) == 2:
        parts = parts[:-2]
    elif len(parts) >= 2:
        parts = parts[:-1]
    return parts[-1] if parts else ""


def traffic_source(
    *,
    url: str = "",
    referrer: str = "",
    shop_hosts: tuple[str, ...] = (),
    utm: dict[str, str] | None = None,
) -> tuple[str, str]:
    """(source, detail): UTM tags win over the referrer; no referrer means direct."""
    tags = dict(utm or {})
    if url and not tags:
        query = parse_qs(urlsplit(url).query)
        tags = {k: v[0] for k, v in query.items() if k.startswith("utm_") and v}
        # Click ids: Google adds gclid only to ad clicks; Facebook adds fbclid to every link.
        if "gclid" in query and not tags:
            return "paid", "google"
        if "fbclid" in query and not tags:
            return "social", "facebook"
    medium = tags.get("utm_medium", "").lower()
    source = tags.get("utm_source", "").lower()
    if medium or source:
        if medium in PAID_MEDIUMS:
            return "paid", SOCIAL_NETWORKS.get(source, SEARCH_ENGINES.get(source, source))
        if medium in ("email", "e-mail", "newsletter") or source in (
            "newsletter",
            "klaviyo",
            "mailchimp",
        ):
            return "email", source or medium
        if (
            medium in ("social", "social-network", "social-media", "sm")
            or source in SOCIAL_NETWORKS
        ):
            return "social", SOCIAL_NETWORKS.get(source, source)
        if medium == "organic" or source in SEARCH_ENGINES:
            return "search", SEARCH_ENGINES.get(source, source)
        return "referral", source or medium
    if not referrer:
        return "direct", ""
    host = (urlsplit(referrer).hostname or "").lower()
    if not host:
        return "direct", ""
    if host in shop_hosts:
        return "internal", ""
    name = _site_name(host)
    if name in SEARCH_ENGINES:
        return "search", SEARCH_ENGINES[name]
    if name in SOCIAL_NETWORKS:
        return "social", SOCIAL_NETWORKS[name]
    if any(host.startswith(prefix) or prefix in host for prefix in EMAIL_HOSTS):
        return "email", name
    return "referral", host[:64]


def is_new_session(last_event_at: float | None, event_at: float) -> bool:
    return last_event_at is None or event_at - last_event_at > SESSION_GAP_SECONDS
