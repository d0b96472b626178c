from django.urls import reverse


def test_login_page_renders_in_chinese(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_chinese_whatever_the_browser_asks_for_until_switched(client, db):
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in page.content.decode() and page["Content-Language"] == "zh-hans"
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert switched.status_code == 302
    page = client.get(reverse("accounts:login"))
    assert "Log in" in page.content.decode() and page["Content-Language"] == "en"
