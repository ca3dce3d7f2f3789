from django.urls import path

from connectors import webhooks

urlpatterns = [
    path("<str:marketplace>/<int:connection_id>/<str:token>/", webhooks.receive, name="connector-webhook"),
    # Yandex Market posts to the configured URL + "/notification".
    path("<str:marketplace>/<int:connection_id>/<str:token>/notification", webhooks.receive),
]
