from django.contrib.auth import views as auth_views
from django.urls import include, path

from oms import views
from oms.web import EmailAuthenticationForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("organization/", views.switch_organization, name="switch_organization"),
    path("orders/", include("orders.urls")),
    path("returns/", include("returns.urls")),
    path("products/", include("catalog.urls")),
    path("stock/", include("inventory.urls")),
    path("connections/", include("connectors.urls")),
    path("analytics/", include("analytics.urls")),
]
