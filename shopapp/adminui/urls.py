from django.urls import path

from shopapp.adminui.views import campaigns as campaign_views
from shopapp.adminui.views import (
    dashboard,
    home,
    merchandising,
    onboarding,
    placements,
    privacy,
    quiz,
    segments,
    ugc,
)
from shopapp.adminui.views import evaluation as quality
from shopapp.adminui.views import experiments as experiment_views
from shopapp.adminui.views import ideas as idea_views

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
    path("merchandising/", merchandising.MerchandisingView.as_view(), name="merchandising"),
    path(
        "merchandising/rules/",
        merchandising.QueryRuleView.as_view(),
        name="merchandising-rules",
    ),
    path(
        "merchandising/rules/<int:pk>/",
        merchandising.QueryRuleView.as_view(),
        name="merchandising-rule",
    ),
    path(
        "merchandising/rules/<int:pk>/delete/",
        merchandising.QueryRuleDeleteView.as_view(),
        name="merchandising-rule-delete",
    ),
    path(
        "merchandising/rules/<int:pk>/up/",
        merchandising.QueryRuleMoveUpView.as_view(),
        name="merchandising-rule-up",
    ),
    path(
        "merchandising/synonyms/",
        merchandising.SynonymView.as_view(),
        name="merchandising-synonyms",
    ),
    path(
        "merchandising/synonyms/<int:pk>/",
        merchandising.SynonymView.as_view(),
        name="merchandising-synonym",
    ),
    path(
        "merchandising/synonyms/<int:pk>/delete/",
        merchandising.SynonymDeleteView.as_view(),
        name="merchandising-synonym-delete",
    ),
    path("merchandising/menu/", merchandising.NavRuleView.as_view(), name="merchandising-nav"),
    path(
        "merchandising/menu/<int:pk>/delete/",
        merchandising.NavRuleDeleteView.as_view(),
        name="merchandising-nav-delete",
    ),
    path(
        "merchandising/preview/",
        merchandising.SearchPreviewView.as_view(),
        name="merchandising-preview",
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
    path("privacy/retention/", privacy.PrivacyRetentionView.as_view(), name="privacy-retention"),
    path(
        "privacy/requests/<int:request_id>/export.json",
        privacy.PrivacyExportDownloadView.as_view(),
        name="privacy-export",
    ),
    path("ugc/", ugc.UgcView.as_view(), name="ugc"),
    path("ugc/moderate/", ugc.UgcModerateView.as_view(), name="ugc-moderate"),
    path("ugc/import/", ugc.UgcImportView.as_view(), name="ugc-import"),
    path("ugc/reviews-import/", ugc.UgcReviewsImportView.as_view(), name="ugc-reviews-import"),
    path("ugc/preview/", ugc.UgcPreviewView.as_view(), name="ugc-preview"),
    path("ugc/<int:content_id>/tags/", ugc.UgcTagView.as_view(), name="ugc-tag"),
    path("ugc/removals/<int:request_id>/", ugc.UgcRemovalView.as_view(), name="ugc-removal"),
    path("quiz/", quiz.QuizPage.as_view(), name="quiz"),
    path("quiz/edit/", quiz.QuizEditView.as_view(), name="quiz-edit"),
    path("shoppers/", quiz.ShopperListView.as_view(), name="shoppers"),
    path("shoppers/<int:pk>/", quiz.ShopperDetailView.as_view(), name="shopper"),
    path("audiences/", quiz.AudiencesView.as_view(), name="audiences"),
    path(
        "audiences/<int:pk>/<str:platform>.csv",
        quiz.AudienceDownloadView.as_view(),
        name="audience-download",
    ),
    path("experiments/", experiment_views.ExperimentListView.as_view(), name="experiments"),
    path("experiments/new/", experiment_views.ExperimentNewView.as_view(), name="experiment-new"),
    path("experiments/holdout/", experiment_views.HoldoutView.as_view(), name="holdout"),
    path("experiments/ideas/", idea_views.IdeaListView.as_view(), name="ideas"),
    path("experiments/ideas/<int:pk>/", idea_views.IdeaEditView.as_view(), name="idea"),
    path(
        "experiments/<int:pk>/", experiment_views.ExperimentDetailView.as_view(), name="experiment"
    ),
    path(
        "experiments/<int:pk>/<slug:action>/",
        experiment_views.ExperimentActionView.as_view(),
        name="experiment-action",
    ),
    path("quality/", quality.EvaluationView.as_view(), name="evaluation"),
    path("quality/report/", quality.EvaluationReportView.as_view(), name="evaluation-report"),
]
