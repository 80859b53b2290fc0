from django.urls import path

from shopapp.adminui.views import campaigns as campaign_views
from shopapp.adminui.views import dashboard, home, onboarding, placements, privacy, segments
from shopapp.adminui.views import experiments as experiment_views

app_name = "adminui"

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("partials/counts/", home.CountsPartialView.as_view(), name="counts"),
    path("sign-in/", home.SignInView.as_view(), name="sign-in"),
    path("sign-out/", home.SignOutView.as_view(), name="sign-out"),
    path("onboarding/", onboarding.OnboardingView.as_view(), name="onboarding"),
    path("onboarding/progress/", onboarding.SyncProgressView.as_view(), name="sync-progress"),
    path("onboarding/retry/", onboarding.SyncRetryView.as_view(), name="sync-retry"),
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("segments/", segments.SegmentListView.as_view(), name="segments"),
    path("segments/refresh/", segments.SegmentRefreshView.as_view(), name="segments-refresh"),
    path("segments/new/", segments.SegmentEditorView.as_view(), name="segment-new"),
    path("segments/<int:pk>/", segments.SegmentEditorView.as_view(), name="segment"),
    path("segments/builder/count/", segments.SegmentCountView.as_view(), name="segment-count"),
    path("segments/builder/rows/", segments.SegmentRowsView.as_view(), name="segment-rows"),
    path("placements/", placements.PlacementListView.as_view(), name="placements"),
    path("placements/lookup/", placements.ProductLookupView.as_view(), name="product-lookup"),
    path("placements/<slug:key>/", placements.PlacementView.as_view(), name="placement"),
    path(
        "placements/<slug:key>/toggle/",
        placements.PlacementToggleView.as_view(),
        name="placement-toggle",
    ),
    path(
        "placements/<slug:key>/preview/",
        placements.PlacementPreviewView.as_view(),
        name="placement-preview",
    ),
    path("campaigns/", campaign_views.CampaignListView.as_view(), name="campaigns"),
    path("campaigns/new/", campaign_views.CampaignNewView.as_view(), name="campaign-new"),
    path("campaigns/<int:pk>/", campaign_views.CampaignEditView.as_view(), name="campaign"),
    path(
        "campaigns/from-idea/<int:idea_id>/",
        campaign_views.IdeaToCampaignView.as_view(),
        name="campaign-from-idea",
    ),
    path("privacy/", privacy.PrivacyView.as_view(), name="privacy"),
    path("privacy/settings/", privacy.PrivacySettingsView.as_view(), name="privacy-settings"),
    path("privacy/requests/", privacy.PrivacyRequestView.as_view(), name="privacy-requests"),
    path(
        "privacy/requests/<int:request_id>/export.json",
        privacy.PrivacyExportDownloadView.as_view(),
        name="privacy-export",
    ),
    path("experiments/", experiment_views.ExperimentListView.as_view(), name="experiments"),
    path("experiments/new/", experiment_views.ExperimentNewView.as_view(), name="experiment-new"),
    path(
        "experiments/<int:pk>/", experiment_views.ExperimentDetailView.as_view(), name="experiment"
    ),
    path(
        "experiments/<int:pk>/<slug:action>/",
        experiment_views.ExperimentActionView.as_view(),
        name="experiment-action",
    ),
]
