from django.urls import path

from returns import views

app_name = "returns"

urlpatterns = [
    path("", views.return_list, name="return_list"),
    path("export.xlsx", views.return_export, name="return_export"),
    path("receive/", views.receive_scan, name="receive_scan"),
    path("<int:pk>/", views.return_detail, name="return_detail"),
    path("<int:pk>/receive/", views.receive, name="receive"),
    path("<int:pk>/inspect/", views.inspect, name="inspect"),
    path("<int:pk>/restock/", views.restock, name="restock"),
    path("<int:pk>/write-off/", views.write_off, name="write_off"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/badge/", views.claims_badge, name="claims_badge"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/answer/", views.claim_answer, name="claim_answer"),
    path("products/<int:pk>/rates/", views.product_return_rates, name="product_return_rates"),
]
