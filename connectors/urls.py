from django.urls import path

from connectors import views

app_name = "connectors"

urlpatterns = [
    path("", views.connection_list, name="connection_list"),
    path("add/", views.connection_add, name="connection_add"),
    path("add/<str:marketplace>/", views.connection_add_form, name="connection_add_form"),
    path("<int:pk>/", views.connection_detail, name="connection_detail"),
    path("<int:pk>/edit/", views.connection_edit, name="connection_edit"),
    path("<int:pk>/check/", views.connection_check, name="connection_check"),
    path("<int:pk>/toggle/", views.connection_toggle, name="connection_toggle"),
    path("<int:pk>/jobs/", views.connection_jobs, name="connection_jobs"),
    path("<int:pk>/jobs/<str:job>/run/", views.connection_run, name="connection_run"),
    path("<int:pk>/warehouses/", views.warehouse_link_add, name="warehouse_link_add"),
    path("<int:pk>/warehouses/<int:link_pk>/remove/", views.warehouse_link_remove, name="warehouse_link_remove"),
    path("<int:pk>/policy/", views.stock_policy_save, name="stock_policy_save"),
    path("<int:pk>/errors/", views.connection_errors, name="connection_errors"),
    path("<int:pk>/errors/<int:error_pk>/replay/", views.ingest_error_replay, name="ingest_error_replay"),
    path("<int:pk>/errors/<int:error_pk>/resolve/", views.ingest_error_resolve, name="ingest_error_resolve"),
]
