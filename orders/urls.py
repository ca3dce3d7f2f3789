from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("export.xlsx", views.order_export, name="order_export"),
    path("scan/", views.scan, name="scan"),
    path("<int:pk>/", views.order_detail, name="order_detail"),
    path("<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("<int:pk>/confirm/", views.order_confirm, name="order_confirm"),
    path("<int:pk>/batch/", views.order_add_to_batch, name="order_add_to_batch"),
    path("<int:pk>/packing-slip/", views.order_packing_slip, name="order_packing_slip"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/create/", views.batch_create, name="batch_create"),
    path("batches/auto/", views.batch_auto, name="batch_auto"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/status/", views.batch_status, name="batch_status"),
    path("batches/<int:pk>/picker/", views.batch_picker, name="batch_picker"),
    path("batches/<int:pk>/remove/", views.batch_remove, name="batch_remove"),
    path("batches/<int:pk>/hand-over/", views.batch_hand_over, name="batch_hand_over"),
    path("batches/<int:pk>/documents/", views.batch_document, name="batch_document"),
    path("batches/<int:pk>/wms/", views.batch_wms_send, name="batch_wms_send"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
]
