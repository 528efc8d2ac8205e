"""Photos: real images only, at most 10 MB, EXIF/GPS stripped, thumbnails, served only
through the scoped view (404 out of scope), never as public media."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from stores.access import OutOfScope
from stores.checklists import services
from stores.checklists.models import Answer, ChecklistPhoto, ChecklistRun

from .conftest import jpeg_bytes, schedule


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (31.0, 13.0, 50.0)  # GPSLatitudeRef, GPSLatitude
    gps[3], gps[4] = "E", (121.0, 28.0, 10.0)
    return exif.tobytes()


@pytest.fixture
def run(world):
    schedule(world, stores=[world.sh])
    services.runs_create_for_business_day(store=world.sh, business_date=datetime.date(2026, 3, 10))
    return ChecklistRun.objects.get(store=world.sh)


def files_in(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def test_gps_exif_is_stripped_and_a_thumbnail_is_made(world, run, media):
    data = jpeg_bytes(size=(1200, 900), exif=gps_exif())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the upload has GPS
    photo = services.photo_create(user=world.staff, store=world.sh, run=run, upload=upload(data))
    original = Image.open(media / photo.image)
    thumb = Image.open(media / photo.thumbnail)
    assert not original.getexif() and not original.getexif().get_ifd(0x8825)
    assert not thumb.getexif()
    assert original.size == (1200, 900) and max(thumb.size) == 320
    assert b"PhoneMaker" not in (media / photo.image).read_bytes()
    # An unguessable name, not the uploaded one.
    assert "photo.jpg" not in photo.image and len(photo.image.rsplit("/", 1)[1]) >= 36


def test_a_text_file_renamed_jpg_is_refused_and_nothing_is_saved(world, run, media):
    with pytest.raises(ValidationError, match="not a photo"):
        services.photo_create(
            user=world.staff, store=world.sh, run=run, upload=upload(b"hello, not an image\n")
        )
    truncated = jpeg_bytes()[:200]
    with pytest.raises(ValidationError, match="not a photo"):
        services.photo_create(user=world.staff, store=world.sh, run=run, upload=upload(truncated))
    assert not ChecklistPhoto.objects.exists()
    assert files_in(media) == []


def test_a_file_over_10_mb_is_refused(world, run, media):
    big = jpeg_bytes() + b"\0" * (11 * 1024 * 1024)
    with pytest.raises(ValidationError, match="larger than 10 MB"):
        services.photo_create(user=world.staff, store=world.sh, run=run, upload=upload(big))
    assert not ChecklistPhoto.objects.exists() and files_in(media) == []


def test_photos_are_scoped(world, run):
    with pytest.raises(OutOfScope):
        services.photo_create(user=world.manager_ny, store=world.sh, upload=upload(jpeg_bytes()))


def test_photo_view_by_role_and_scope(world, run, client, settings):
    photo = services.photo_create(
        user=world.staff, store=world.sh, run=run, upload=upload(jpeg_bytes())
    )
    for name in ("checklists:photo", "checklists:photo_thumbnail"):
        url = reverse(name, kwargs={"pk": photo.pk})
        client.logout()
        assert client.get(url).status_code == 302  # login first
        for user in (world.staff, world.manager, world.regional, world.head):
            client.force_login(user)
            response = client.get(url)
            assert response.status_code == 200, user
            assert response["Content-Type"] == "image/jpeg"
            assert "private" in response["Cache-Control"]
            Image.open(io.BytesIO(b"".join(response.streaming_content))).verify()
        for user in (world.manager_ny, world.regional_us, world.manager_sh2):
            client.force_login(user)
            assert client.get(url).status_code == 404, user
        client.force_login(world.norole)
        assert client.get(url).status_code == 403
        client.force_login(world.head)
        assert client.get(reverse(name, kwargs={"pk": 10**9})).status_code == 404
    # Nothing is published under MEDIA_URL.
    client.force_login(world.head)
    assert client.get(f"/{settings.MEDIA_URL}{photo.image}").status_code == 404


def test_photo_answer_through_the_page(world, run, client, media):
    client.force_login(world.staff)
    item = world.tpl.items.photo
    url = reverse("checklists:answer_save", kwargs={"pk": run.pk, "item": item.pk})
    response = client.post(url, {"photo": upload(jpeg_bytes())}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    answer = Answer.objects.get(run=run, item=item)
    assert answer.photo is not None
    assert reverse("checklists:photo_thumbnail", kwargs={"pk": answer.photo_id}) in response.text
    # A non-image is refused in place, with the message; the answer keeps its photo.
    response = client.post(
        url, {"photo": upload(b"plain text", name="x.jpg")}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "not a photo" in response.text
    assert Answer.objects.get(run=run, item=item).photo_id == answer.photo_id
    assert ChecklistPhoto.objects.count() == 1


def test_photo_upload_api(world, run, api_as):
    api = api_as(world.staff)
    url = reverse("checklists-api:photo-list")
    response = api.post(
        url,
        {"store": world.sh.pk, "run": run.pk, "photo": upload(jpeg_bytes())},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["thumbnail_url"].endswith("/thumbnail/")
    response = api.post(
        url, {"store": world.sh.pk, "photo": upload(b"not an image")}, format="multipart"
    )
    assert response.status_code == 400 and "photo" in response.json()
    response = api.post(
        url, {"store": world.ny.pk, "photo": upload(jpeg_bytes())}, format="multipart"
    )
    assert response.status_code == 404


def test_photo_files_of_a_rolled_back_upload_are_swept(world, run, media):
    """A photo saved inside a transaction that then fails leaves files with no row; the
    daily sweep deletes them once they are a day old, and keeps every file in use."""
    import os

    from django.db import transaction

    kept = services.photo_create(
        user=world.staff, store=world.sh, run=run, upload=upload(jpeg_bytes())
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        services.photo_create(
            user=world.staff, store=world.sh, run=run, upload=upload(jpeg_bytes())
        )
        raise RuntimeError("the answer failed after the photo was stored")
    assert ChecklistPhoto.objects.count() == 1
    assert len(files_in(media)) == 4  # two rows' worth of files, one row
    assert services.photo_orphans_delete() == 0  # too fresh: might still be committing
    day_old = datetime.datetime.now().timestamp() - 2 * 24 * 3600
    for path in files_in(media):
        os.utime(path, (day_old, day_old))
    assert services.photo_orphans_delete() == 2
    assert {p.relative_to(media).as_posix() for p in files_in(media)} == {
        kept.image,
        kept.thumbnail,
    }
    assert services.photo_orphans_delete() == 0  # idempotent
