"""Pages need an active membership; write actions will ask for a capability of the member's role."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from oms.choices import Capability, Role
from oms.web import capability_required
from tests.factories import MembershipFactory, UserFactory
from tests.web.conftest import login_as


@capability_required(Capability.MOVE_STOCK)
def move_stock_view(request):
    return HttpResponse("moved")


def member_of(org, role):
    user = UserFactory(email=f"{role}@alpha.test")
    return user, MembershipFactory(user=user, organization=org, role=role)


def request_for(user, membership=None):
    request = RequestFactory().post("/stock/adjust/")
    request.user = user
    request.membership = membership
    request.session = {}
    return request


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.WAREHOUSE])
def test_a_role_with_the_capability_may_act(org, role):
    user, membership = member_of(org, role)

    response = move_stock_view(request_for(user, membership))

    assert response.content == b"moved"


def test_a_viewer_is_refused_a_write_action(org):
    user, membership = member_of(org, Role.VIEWER)

    with pytest.raises(PermissionDenied):
        move_stock_view(request_for(user, membership))


def test_an_anonymous_request_is_sent_to_log_in(db):
    response = move_stock_view(request_for(AnonymousUser()))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ["catalog:product_list", "inventory:stock_list", "orders:order_list"])
def test_a_viewer_may_read_every_list(client, org, shop, name):
    login_as(client, org, Role.VIEWER, "viewer@alpha.test")

    assert client.get(reverse(name)).status_code == 200
