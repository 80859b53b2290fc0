from django.urls import path

from shopapp.adminui.views import home, segments

app_name = "adminui"

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("partials/counts/", home.CountsPartialView.as_view(), name="counts"),
    path("sign-in/", home.SignInView.as_view(), name="sign-in"),
    path("sign-out/", home.SignOutView.as_view(), name="sign-out"),
    path("segments/", segments.SegmentListView.as_view(), name="segments"),
    path("segments/refresh/", segments.SegmentRefreshView.as_view(), name="segments-refresh"),
    path("segments/new/", segments.SegmentEditorView.as_view(), name="segment-new"),
    path("segments/<int:pk>/", segments.SegmentEditorView.as_view(), name="segment"),
    path("segments/builder/count/", segments.SegmentCountView.as_view(), name="segment-count"),
    path("segments/builder/rows/", segments.SegmentRowsView.as_view(), name="segment-rows"),
]
