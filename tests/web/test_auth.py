import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import UserFactory

PAGES = [
    reverse("home"),
    reverse("orders:order_list"),
    reverse("returns:return_list"),
    reverse("catalog:product_list"),
    reverse("inventory:stock_list"),
    reverse("connectors:connection_list"),
    reverse("analytics:overview"),
]


def test_a_member_logs_in_with_email_and_password_and_lands_on_the_overview(client, owner, org):
    response = client.post(reverse("login"), {"username": "owner@alpha.test", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert org.name in response.content.decode()


def test_the_email_is_matched_whatever_its_capitalisation(client, owner):
    response = client.post(reverse("login"), {"username": "Owner@Alpha.TEST", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_a_wrong_password_shows_an_error_and_does_not_log_in(client, owner):
    response = client.post(reverse("login"), {"username": "owner@alpha.test", "password": "not-the-password"})

    assert response.status_code == 200
    assert 'class="form-error"' in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_logout_does_not_happen_on_a_get(logged_in):
    response = logged_in.get(reverse("logout"))

    assert response.status_code == 405
    assert "_auth_user_id" in logged_in.session


def test_logout_by_post_ends_the_session(logged_in):
    response = logged_in.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert logged_in.get(reverse("home")).status_code == 302


def test_a_post_without_a_csrf_token_is_refused(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(reverse("logout"))

    assert response.status_code == 403
    assert "_auth_user_id" in client.session


def test_a_login_without_a_csrf_token_is_refused(owner):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "owner@alpha.test", "password": PASSWORD})

    assert response.status_code == 403


def test_a_user_without_an_organization_sees_a_clear_message(client, db):
    client.force_login(UserFactory(email="lonely@example.test"))

    response = client.get(reverse("catalog:product_list"))

    assert response.status_code == 403
    assert "lonely@example.test" in response.content.decode()
    assert 'action="/logout/"' in response.content.decode()
