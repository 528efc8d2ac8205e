"""Photos: the content must really be an image of at most 10 MB; it is re-encoded (no
EXIF, so no GPS position), given a thumbnail and stored under an unguessable name. It is
served only by the scoped view in ``views.py``, never as a public media URL."""

from __future__ import annotations

import datetime
import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from stores.access import ensure_store_in_scope

from ..models import ChecklistPhoto, ChecklistRun

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 60_000_000  # refuse decompression bombs long before Pillow's own limit
MAX_SIDE = 2560  # originals are kept at most this wide or high
THUMB_SIDE = 320
FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP", "TIFF"}


def _not_an_image() -> ValidationError:
    return ValidationError(
        {"photo": [_("This file is not a photo we can read (use JPEG, PNG or WebP).")]}
    )


def _load(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise _not_an_image()
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError({"photo": [_("This photo has too many pixels.")]})
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _not_an_image() from None
    return image


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # A fresh RGB image carries no EXIF, XMP or GPS block: only the pixels are saved.
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def photo_create(
    *,
    user,
    store,
    upload,
    run: ChecklistRun | None = None,
    now: datetime.datetime | None = None,
) -> ChecklistPhoto:
    """Check, clean and store an uploaded photo; nothing is saved when it is refused."""
    ensure_store_in_scope(user, store)
    if run is not None and run.store_id != store.pk:
        raise ValidationError({"run": [_("This run belongs to another store.")]})
    size = getattr(upload, "size", None)
    if size is None or size > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": [_("The photo is larger than 10 MB.")]})
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": [_("The photo is larger than 10 MB.")]})
    if not data:
        raise _not_an_image()
    image = _load(data)
    image = ImageOps.exif_transpose(image)  # keep the way it was held, then drop the EXIF
    clean = Image.new("RGB", image.size, "white")
    clean.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
    clean.thumbnail((MAX_SIDE, MAX_SIDE))
    thumb = clean.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    original_bytes, thumb_bytes = _jpeg(clean, 85), _jpeg(thumb, 80)

    now = now or timezone.now()
    stem = f"{PHOTO_ROOT}/{now:%Y/%m}/{uuid.uuid4().hex}"
    saved = []
    try:
        saved.append(default_storage.save(f"{stem}.jpg", ContentFile(original_bytes)))
        saved.append(default_storage.save(f"{stem}.thumb.jpg", ContentFile(thumb_bytes)))
        return ChecklistPhoto.objects.create(
            store=store,
            run=run,
            image=saved[0],
            thumbnail=saved[1],
            width=clean.width,
            height=clean.height,
            size=len(original_bytes),
            uploaded_at=now,
            uploaded_by=user,
        )
    except Exception:
        for name in saved:
            default_storage.delete(name)
        raise


def photo_open(photo: ChecklistPhoto, *, thumbnail: bool = False):
    """The stored file, opened for reading (the caller has checked scope)."""
    return default_storage.open(photo.thumbnail if thumbnail else photo.image, "rb")


PHOTO_ROOT = "checklists/photos"


def _stored_files(directory: str):
    try:
        directories, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{directory}/{name}"
    for sub in directories:
        yield from _stored_files(f"{directory}/{sub}")


def photo_orphans_delete(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Delete stored photo files that no photo row points at (an upload whose
    transaction was rolled back, or a worker that died between the file and the row).

    Only files older than ``older_than`` go, so an upload still being saved is never
    touched. Idempotent; returns the number of files deleted.
    """
    cutoff = timezone.now() - older_than
    known = set(ChecklistPhoto.objects.values_list("image", flat=True))
    known |= set(ChecklistPhoto.objects.values_list("thumbnail", flat=True))
    deleted = 0
    for name in list(_stored_files(PHOTO_ROOT)):
        if name in known or default_storage.get_modified_time(name) > cutoff:
            continue
        default_storage.delete(name)
        deleted += 1
    return deleted
