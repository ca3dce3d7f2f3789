from django.urls import reverse


def test_the_interface_is_russian_by_default(logged_in):
    html = logged_in.get(reverse("home")).content.decode()

    assert "Товары" in html
    assert "Заказы к отгрузке" in html


def test_switching_to_english_translates_the_interface(logged_in):
    response = logged_in.post(reverse("set_language"), {"language": "en", "next": reverse("home")})

    assert response.status_code == 302
    html = logged_in.get(reverse("home")).content.decode()
    assert "Products" in html
    assert "Товары" not in html


def test_the_login_page_is_russian_for_a_visitor(client, db):
    assert "Войти" in client.get(reverse("login")).content.decode()
