import pytest

from dms.core.testing.factories import ProductFactory, bearer, tier
from dms.marketing.models import Feedback

from .factories import make_feedback, make_material, png

pytestmark = pytest.mark.django_db


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_distributor_creates_feedback_as_json_and_reads_it_back(client, distributor, dist_admin):
    product = ProductFactory()
    response = client.post("/api/v1/feedback/", {"category": "price", "title": "调价反馈", "details": "批发价偏高",
                                                  "rating": 4, "product": product.pk, "competitor_price": "8.50"},
                           content_type="application/json", **bearer(dist_admin))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "new" and body["region_code"] == "4403" and body["competitor_price"] == "8.50"
    assert client.get(f"/api/v1/feedback/{body['id']}/", **bearer(dist_admin)).json()["title"] == "调价反馈"


def test_create_with_attachments_as_multipart(client, dist_admin):
    response = client.post("/api/v1/feedback/", {"category": "competitor", "title": "竞品陈列", "details": "见照片",
                                                  "rating": "3", "attachments": [png("a.png"), png("b.png")]},
                           **bearer(dist_admin))
    assert response.status_code == 201, response.content
    files = response.json()["attachments"]
    assert len(files) == 2
    download = client.get(files[0]["url"], **bearer(dist_admin))
    assert download.status_code == 200 and _body(download).startswith(b"\x89PNG")


def test_invalid_feedback_is_a_400_with_fields_and_creates_nothing(client, dist_admin):
    response = client.post("/api/v1/feedback/", {"category": "price", "title": "x", "details": "y", "rating": 9,
                                                  "region_code": "000000"},
                           content_type="application/json", **bearer(dist_admin))
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"rating", "region_code"}
    assert not Feedback.objects.exists()


def test_staff_cannot_create_and_see_only_their_scope(client, channel_manager, distributor, other_distributor):
    mine, theirs = make_feedback(distributor), make_feedback(other_distributor)
    headers = bearer(channel_manager)
    assert client.post("/api/v1/feedback/", {}, content_type="application/json", **headers).status_code == 403
    listed = client.get("/api/v1/feedback/", {"ordering": "-rating"}, **headers).json()
    assert [r["id"] for r in listed["results"]] == [mine.pk]
    assert client.get(f"/api/v1/feedback/{theirs.pk}/", **headers).status_code == 404


def test_another_distributors_feedback_is_404(client, distributor, other_dist_admin):
    fb = make_feedback(distributor)
    headers = bearer(other_dist_admin)
    assert client.get(f"/api/v1/feedback/{fb.pk}/", **headers).status_code == 404
    assert client.get("/api/v1/feedback/", **headers).json()["count"] == 0


def test_materials_by_tier_with_counted_downloads(client, dist_admin, second_tier_user):
    mine = make_material(title="一级手册", tiers=[tier(1).pk])
    other = make_material(title="二级手册", tiers=[tier(2).pk])
    headers = bearer(dist_admin)
    listed = client.get("/api/v1/materials/", **headers).json()
    assert [m["title"] for m in listed["results"]] == ["一级手册"]
    assert client.get(f"/api/v1/materials/{other.pk}/", **headers).status_code == 404
    assert client.get(f"/api/v1/materials/{other.pk}/download/", **headers).status_code == 404
    download = client.get(listed["results"][0]["download_url"], **headers)
    assert download.status_code == 200 and _body(download).startswith(b"%PDF")
    assert client.get(f"/api/v1/materials/{mine.pk}/", **headers).json()["download_count"] == 1
    assert client.get("/api/v1/materials/", **bearer(second_tier_user)).json()["results"][0]["title"] == "二级手册"
