from django.urls import path

from inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.stock_list, name="stock_list"),
    path("drift/", views.drift_list, name="drift_list"),
    path("variants/<int:pk>/ledger/", views.variant_ledger, name="variant_ledger"),
    path("variants/<int:pk>/receive/", views.variant_receive, name="variant_receive"),
    path("variants/<int:pk>/adjust/", views.variant_adjust, name="variant_adjust"),
    path("variants/<int:pk>/push/", views.variant_push, name="variant_push"),
    path("variants/<int:pk>/verify/", views.variant_verify, name="variant_verify"),
]
