from django.urls import path

from inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.stock_list, name="stock_list"),
    path("variants/<int:pk>/ledger/", views.variant_ledger, name="variant_ledger"),
]
