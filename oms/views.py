from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog.selectors import active_product_count
from connectors.selectors import failing_connection_count
from inventory.selectors import LOW_STOCK_THRESHOLD, low_stock_variant_count
from oms.models import Membership
from oms.organizations import SESSION_KEY
from oms.web import member_required
from orders.choices import OPEN_STATUSES
from orders.selectors import open_order_count, orders_to_ship


@member_required
def home(request):
    """The dashboard: what needs attention in the active organization, counted from real rows."""
    context = {
        "open_orders": open_order_count(),
        "products": active_product_count(),
        "low_stock": low_stock_variant_count(),
        "low_stock_threshold": LOW_STOCK_THRESHOLD,
        "failing_connections": failing_connection_count(),
        "orders_to_ship": orders_to_ship(),
        "open_statuses": OPEN_STATUSES,
    }
    return render(request, "oms/home.html", context)


@require_POST
def switch_organization(request):
    """Make another of the user's organizations the active one. An organization they are not in does not exist."""
    if not request.user.is_authenticated:
        return redirect("login")
    requested = request.POST.get("organization", "")
    membership = (
        Membership.objects.for_user(request.user).filter(organization_id=int(requested)).first()
        if requested.isdigit()
        else None
    )
    if membership is None:
        raise Http404
    request.session[SESSION_KEY] = membership.organization_id
    # Back to the dashboard, not the current page: an open object of the previous organization would be a 404.
    return redirect("home")
