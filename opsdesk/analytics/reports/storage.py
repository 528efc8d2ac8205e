"""Private file storage for generated exports: files on disk with no URL at all.

A file is served only through ``reports:job_download`` (or the API's download action),
to the user who asked for it. ``url()`` raises, so no template can link to it publicly.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    """``OPSDESK_PRIVATE_MEDIA_ROOT`` (read when used, so tests may override it)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return settings.OPSDESK_PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(str(self.base_location))

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no URL; they are served through a view.")


private_storage = PrivateStorage()
