"""Customer content: the moderation queue (approve, reject, in bulk), product tags with
suggestions from the uploader's orders, imports (review-app CSV, social posts), creators'
removal requests, and the gallery preview per persona with the reason for each place."""

from __future__ import annotations

import importlib
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from personalization.decisions.catalog import catalog_snapshot
from personalization.decisions.context import PERSONAS, persona_context
from personalization.ugc import imports, selectors, services, storage
from personalization.ugc.models import Kind, RemovalStatus, Source, Status
from shopapp.adminui.views.base import AdminPage, app_url, is_htmx
from shopapp.languages.text import lazy_text as _lazy
from shopapp.shops.models import Platform, Shop

MAX_CSV_BYTES = imports.MAX_BYTES
PAGE_SIZE = 60
MAX_ROW_ERRORS_SHOWN = 100


def _item(content: Any) -> dict[str, Any]:
    return {
        "content": content,
        # A video has no thumbnail (nothing decodes it): the page shows the neutral poster tile.
        "thumb": ""
        if content.kind == Kind.VIDEO
        else storage.file_url(content.thumbnail_name or content.media_name),
        "poster": selectors.VIDEO_POSTER if content.kind == Kind.VIDEO else "",
        "media": storage.file_url(content.media_name) if content.kind == Kind.VIDEO else "",
        "tagged": [t.product for t in content.tags.all()],
    }


class UgcView(AdminPage):
    nav_key = "ugc"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request)

    def render_page(
        self,
        request: HttpRequest,
        *,
        notice: str = "",
        errors: dict[str, str] | None = None,
        import_errors: list[imports.RowError] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        shop = self.get_shop()
        state = request.GET.get("status", Status.PENDING)
        if state not in Status.values:
            state = Status.PENDING
        contents = selectors.content_list(shop=shop, status=state)[:PAGE_SIZE]
        counts = {
            value: selectors.content_list(shop=shop, status=value).count()
            for value in Status.values
        }
        context = {
            "items": [_item(c) for c in contents],
            "state": state,
            "states": [(value, label, counts[value]) for value, label in Status.choices],
            "removals": selectors.removal_request_list(shop=shop, status=RemovalStatus.OPEN)[:50],
            "notice": notice or request.GET.get("notice", ""),
            "errors": errors or {},
            "import_errors": (import_errors or [])[:MAX_ROW_ERRORS_SHOWN],
            "import_errors_more": max(0, len(import_errors or []) - MAX_ROW_ERRORS_SHOWN),
            "personas": PERSONAS,
            **_reviews_context(shop),
        }
        return self.page("adminui/ugc/page.html", context, status=status)


def _reviews_context(shop: Shop) -> dict[str, Any]:
    is_woocommerce = shop.platform == Platform.WOOCOMMERCE
    return {
        "can_import_reviews": is_woocommerce,
        "reviews_run": selectors.import_run_latest(shop=shop, source=Source.WOOCOMMERCE)
        if is_woocommerce
        else None,
    }


def _reviews_queue(shop: Shop) -> Any:
    """The platform's "queue a reviews import" function, or None (only WooCommerce has one);
    looked up by name so the admin does not import an integration it may not have."""
    try:
        module = importlib.import_module(f"integrations.{shop.platform}.tasks")
    except ImportError:
        return None
    return getattr(module, f"{shop.platform}_reviews_import_queue", None)


class UgcModerateView(UgcView):
    def post(self, request: HttpRequest) -> HttpResponse:
        ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
        try:
            changed = services.content_moderate(
                shop=self.get_shop(), content_ids=ids, action=request.POST.get("action", "")
            )
        except services.UgcInputInvalid as exc:
            return self.render_page(request, errors={exc.field: str(exc)}, status=422)
        return self._back(
            f"{changed} item(s) {'approved' if request.POST.get('action') == 'approve' else 'rejected'}."
        )

    def _back(self, notice: str) -> HttpResponse:
        """After a write, back to the queue the merchant was on (303, or HX-Redirect)."""
        url = app_url(self.request, "adminui:ugc")
        query = urlencode({"status": self.request.POST.get("status", "pending"), "notice": notice})
        url += ("&" if "?" in url else "?") + query
        if is_htmx(self.request):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return HttpResponse(status=303, headers={"Location": url})


class UgcTagView(UgcModerateView):
    # POST only: the inherited page GET takes no id and would crash on this route.
    http_method_names = ["post"]

    def post(self, request: HttpRequest, content_id: int) -> HttpResponse:  # type: ignore[override]
        shop = self.get_shop()
        content = selectors.content_get(shop=shop, content_id=content_id)
        if content is None:
            raise Http404("No such content.")
        product = request.POST.get("product", "")
        try:
            if request.POST.get("remove"):
                services.content_untag(shop=shop, content=content, product_platform_id=product)
                return self._back(f"Untagged {product}.")
            tag = services.content_tag(shop=shop, content=content, product_platform_id=product)
        except services.UgcInputInvalid as exc:
            return self.render_page(request, errors={f"product-{content.pk}": str(exc)}, status=422)
        return self._back(f"Tagged {tag.product.title}.")


class UgcImportView(UgcModerateView):
    def post(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        kind = request.POST.get("kind", "")
        try:
            if kind == "social_url":
                content = imports.social_post_import(
                    shop=shop,
                    url=request.POST.get("url", ""),
                    handle=request.POST.get("handle", ""),
                    caption=request.POST.get("caption", ""),
                    product_ids=[
                        p for p in request.POST.get("products", "").replace(",", " ").split() if p
                    ],
                    has_rights=request.POST.get("rights") == "on",
                )
                return self._back(f"Post from {content.attribution} added to the queue.")
            upload = request.FILES.get("file")
            if upload is None:
                raise services.UgcInputInvalid("file", _lazy("Choose a CSV file."))
            if (upload.size or 0) > MAX_CSV_BYTES:
                raise services.UgcInputInvalid(
                    "file", f"The file is larger than {MAX_CSV_BYTES // 2**20} MB."
                )
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise services.UgcInputInvalid(
                    "file", _lazy("The file is not UTF-8 text (save it as CSV UTF-8).")
                ) from None
            if kind == "reviews_csv":
                result = imports.reviews_csv_import(shop=shop, text=text)
            elif kind == "social_csv":
                result = imports.social_csv_import(shop=shop, text=text)
            else:
                raise services.UgcInputInvalid("kind", _lazy("Choose what the file holds."))
        except imports.ImportRowsInvalid as exc:
            return self.render_page(
                request,
                errors={f"import-{exc.field}": str(exc)},
                import_errors=exc.errors,
                status=422,
            )
        except services.UgcInputInvalid as exc:
            return self.render_page(request, errors={f"import-{exc.field}": str(exc)}, status=422)
        return self._back(f"Import ({result.source}): {result.summary}.")


class UgcReviewsImportView(UgcModerateView):
    """ "Import reviews now" (WooCommerce): POST queues the import task; GET is the status
    partial the page polls while the run is queued or running."""

    def get(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        return self.page(
            "adminui/ugc/_reviews_run.html", {**_reviews_context(shop), "is_partial": True}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        queue = _reviews_queue(shop)
        if queue is None or shop.platform != Platform.WOOCOMMERCE:
            return self.render_page(
                request,
                errors={
                    "reviews-import": _(
                        "Reviews are imported from a WooCommerce store; on Shopify, import "
                        "your review app's CSV export."
                    )
                },
                status=422,
            )
        with transaction.atomic():
            run_id = queue(shop.pk, is_fetch=True)
        if run_id is None:
            return self.render_page(
                request,
                errors={"reviews-import": _("Connect your store again to import its reviews.")},
                status=422,
            )
        return self._back(_("Importing reviews from your store…"))


class UgcRemovalView(UgcModerateView):
    # POST only: the inherited page GET takes no id and would crash on this route.
    http_method_names = ["post"]

    def post(self, request: HttpRequest, request_id: int) -> HttpResponse:  # type: ignore[override]
        shop = self.get_shop()
        removal = selectors.removal_request_list(shop=shop).filter(pk=request_id).first()
        if removal is None:
            raise Http404("No such request.")
        services.removal_request_fulfil(shop=shop, request=removal)
        return self._back("The content was removed and its files deleted.")


class UgcPreviewView(AdminPage):
    """The gallery as one persona sees it: order, score parts and the reason for each place."""

    nav_key = "ugc"

    def get(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        persona = request.GET.get("persona", "new_visitor")
        product = request.GET.get("product", "")[:64]
        kind = request.GET.get("kind", "gallery")
        snapshot = catalog_snapshot(shop)
        error = ""
        context = None
        if persona not in PERSONAS and not persona.startswith("customer:"):
            error = _lazy("Choose a persona, or customer:<id>.")
        else:
            context = persona_context(shop, snapshot, persona)
            if context is None:
                error = f"No {persona} in this shop."
        ranked = []
        if context is not None:
            kinds = (Kind.REVIEW,) if kind == "highlights" else selectors.GALLERY_KINDS
            ranked = selectors.ranked_content(
                shop=shop,
                context=context,
                kinds=kinds,
                product_id=product,
                limit=12,
                snapshot=snapshot,
            )
        return self.page(
            "adminui/ugc/preview.html",
            {
                "persona": persona,
                "personas": PERSONAS,
                "product": product,
                "kind": kind,
                "visitor": context,
                "ranked": [{"rank": r, **_item(r.content)} for r in ranked],
                "error": error,
            },
            status=200 if not error else 404,
        )
