from __future__ import annotations

from typing import Any

from django.urls import reverse

from smartunion.notifications import services
from smartunion.notifications.models import Notification


def test_inbox_lists_own_messages_with_unread_count(client: Any, tree: Any, make_user: Any) -> None:
    alice, bob = make_user(), make_user()
    services.notify(recipients=[alice], kind="test", title="活动报名已开放")
    services.notify(recipients=[bob], kind="test", title="别人的消息")
    client.force_login(alice)
    response = client.get(reverse("notifications:portal_inbox"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "活动报名已开放" in body
    assert "别人的消息" not in body
    assert response.context["unread_notifications"] == 1
    assert 'class="bell-count">1<' in body


def test_empty_inbox_says_what_will_appear(client: Any, make_user: Any) -> None:
    client.force_login(make_user())
    response = client.get(reverse("notifications:portal_inbox") + "?unread=1")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert "empty-state" in response.content.decode()


def test_opening_marks_read_and_follows_only_local_links(client: Any, make_user: Any) -> None:
    alice = make_user()
    [local] = services.notify(recipients=[alice], kind="test", title="本站链接", link="/m/me/")
    [external] = services.notify(
        recipients=[alice], kind="test", title="外部链接", link="https://evil.example.com/"
    )
    client.force_login(alice)
    response = client.get(reverse("notifications:open", args=[local.pk]))
    assert response.status_code == 302 and response["Location"] == "/m/me/"
    response = client.get(reverse("notifications:open", args=[external.pk]))
    assert response.status_code == 302 and "evil" not in response["Location"]
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 0


def test_someone_elses_notification_is_not_found(client: Any, make_user: Any) -> None:
    alice, bob = make_user(), make_user()
    [note] = services.notify(recipients=[alice], kind="test", title="私信")
    client.force_login(bob)
    assert client.get(reverse("notifications:open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read(client: Any, make_user: Any) -> None:
    alice = make_user()
    services.notify(recipients=[alice], kind="test", title="一")
    services.notify(recipients=[alice], kind="test", title="二")
    client.force_login(alice)
    response = client.post(reverse("notifications:mark_all_read"), {"next": "/m/notifications/"})
    assert response.status_code == 302 and response["Location"] == "/m/notifications/"
    assert not Notification.objects.filter(read_at__isnull=True).exists()
