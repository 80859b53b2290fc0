from django.urls import path

from personalization.preferences import api

app_name = "preferences"

urlpatterns = [
    path("quiz", api.QuizView.as_view(), name="quiz"),
    path("quiz/answers", api.QuizAnswersView.as_view(), name="quiz-answers"),
    path("preferences", api.PreferencesView.as_view(), name="preferences"),
    path("preferences/forget", api.ForgetView.as_view(), name="forget"),
]
