from django.urls import path
from rest_framework.routers import DefaultRouter

from oms.api.views import TokenView

router = DefaultRouter()

urlpatterns = [path("auth/token/", TokenView.as_view(), name="api-token")]
urlpatterns += router.urls
