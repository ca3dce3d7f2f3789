from django.urls import path
from rest_framework.routers import DefaultRouter

from catalog.api.views import ListingViewSet, ProductViewSet, VariantViewSet
from connectors.api.views import ConnectionViewSet
from inventory.api.views import (
    LocationViewSet,
    StockAdjustmentViewSet,
    StockLevelViewSet,
    StockMovementViewSet,
    WarehouseViewSet,
)
from oms.api.views import TokenView
from orders.api.views import OrderViewSet
from returns.api.views import ClaimViewSet, ReturnViewSet

router = DefaultRouter()
router.register("products", ProductViewSet, basename="product")
router.register("variants", VariantViewSet, basename="variant")
router.register("listings", ListingViewSet, basename="listing")
router.register("warehouses", WarehouseViewSet, basename="warehouse")
router.register("locations", LocationViewSet, basename="location")
router.register("stock-levels", StockLevelViewSet, basename="stock-level")
router.register("stock-movements", StockMovementViewSet, basename="stock-movement")
router.register("stock-adjustments", StockAdjustmentViewSet, basename="stock-adjustment")
router.register("orders", OrderViewSet, basename="order")
router.register("connections", ConnectionViewSet, basename="connection")
router.register("returns", ReturnViewSet, basename="return")
router.register("claims", ClaimViewSet, basename="claim")

urlpatterns = [path("auth/token/", TokenView.as_view(), name="api-token")]
urlpatterns += router.urls
