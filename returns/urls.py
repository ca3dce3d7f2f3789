from django.urls import path

from returns import views

app_name = "returns"

urlpatterns = [path("", views.return_list, name="return_list")]
