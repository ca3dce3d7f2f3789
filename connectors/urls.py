from django.urls import path

from connectors import views

app_name = "connectors"

urlpatterns = [
    path("", views.connection_list, name="connection_list"),
    path("<int:pk>/", views.connection_detail, name="connection_detail"),
]
