"""Attachment references and the in-memory attachment store.

Wire types from ``lash-sansio/src/attachment.rs`` (identical at @003, @000
and @002): ``ImageMediaType``, ``MediaType``, ``AttachmentRef``,
``AttachmentMeta``, ``AttachmentCreateMeta``. ``AttachmentId`` is a
transparent string newtype and is spelled ``str``.

The store follows ``lash-core/src/attachments.rs`` ``InMemoryAttachmentStore``
(@000): an attachment's id is the lowercase hex SHA-256 of its bytes
(``content_id``), ``byte_len`` is the byte count, and the caller's metadata
(media type, width, height, label) is copied onto the reference. It is the
store seed 000's ``attachment_spec_from_attachment`` writes inline attachment
bytes to; configuring it to fail lets the ``runtime_effect_attachment_store``
rule be exercised.
"""

from __future__ import annotations

import enum
import hashlib

import attrs

from lash_spec.rust import rust_trim
from lash_spec.wire.codec import skip_none, tagged, variant
from lash_spec.wire.types import U32, U64

__all__ = [
    "AttachmentCreateMeta",
    "AttachmentMeta",
    "AttachmentRef",
    "AttachmentStoreError",
    "ImageMediaType",
    "InMemoryAttachmentStore",
    "MediaType",
    "MediaTypeImage",
    "StoredAttachment",
    "content_id",
    "media_type_from_mime",
]

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class ImageMediaType(enum.Enum):
    """``attachment.rs`` ``ImageMediaType`` (unit enum, snake_case)."""

    PNG = "png"
    JPEG = "jpeg"
    GIF = "gif"
    WEBP = "webp"
    BMP = "bmp"

    @classmethod
    def from_mime(cls, mime: str) -> ImageMediaType | None:
        """``ImageMediaType::from_mime``: trim (Unicode whitespace), lowercase
        ASCII letters only, then match exactly; ``image/jpg`` is JPEG."""
        key = rust_trim(mime).translate(_ASCII_LOWER)
        return _IMAGE_MIMES.get(key)

    def canonical_mime(self) -> str:
        """``ImageMediaType::canonical_mime``."""
        return f"image/{self.value}"


_IMAGE_MIMES = {
    "image/png": ImageMediaType.PNG,
    "image/jpeg": ImageMediaType.JPEG,
    "image/jpg": ImageMediaType.JPEG,
    "image/gif": ImageMediaType.GIF,
    "image/webp": ImageMediaType.WEBP,
    "image/bmp": ImageMediaType.BMP,
}


@tagged(tag="kind", content="type")
@attrs.frozen(kw_only=True)
class MediaType:
    """``attachment.rs`` ``MediaType``: adjacently tagged ``kind``/``type``.

    Its only variant is ``image``: ``{"kind":"image","type":"png"}``.
    """

    def canonical_mime(self) -> str:
        """``MediaType::canonical_mime``."""
        assert isinstance(self, MediaTypeImage)
        return self.image.canonical_mime()

    def is_image(self) -> bool:
        """``MediaType::is_image``."""
        return isinstance(self, MediaTypeImage)


@variant("image", newtype=True)
@attrs.frozen(kw_only=True)
class MediaTypeImage(MediaType):
    image: ImageMediaType


def media_type_from_mime(mime: str) -> MediaType | None:
    """``MediaType::from_mime``: an image media type, or ``None`` when the MIME
    string is not one of the five image types (after trimming, ASCII
    case-insensitively)."""
    image = ImageMediaType.from_mime(mime)
    return None if image is None else MediaTypeImage(image=image)


@attrs.frozen(kw_only=True)
class AttachmentCreateMeta:
    """``attachment.rs`` ``AttachmentCreateMeta``: what a caller tells the store."""

    media_type: MediaType
    width: U32 | None = skip_none()
    height: U32 | None = skip_none()
    label: str | None = skip_none()


@attrs.frozen(kw_only=True)
class AttachmentMeta:
    """``attachment.rs`` ``AttachmentMeta`` (same wire shape as ``AttachmentRef``)."""

    id: str
    media_type: MediaType
    byte_len: U64
    width: U32 | None = skip_none()
    height: U32 | None = skip_none()
    label: str | None = skip_none()

    def as_ref(self) -> AttachmentRef:
        """``AttachmentMeta::as_ref`` (the same fields, another Rust type)."""
        return AttachmentRef(**attrs.asdict(self, recurse=False))


@attrs.frozen(kw_only=True)
class AttachmentRef:
    """``attachment.rs`` ``AttachmentRef``: a durable pointer to stored bytes."""

    id: str
    media_type: MediaType
    byte_len: U64
    width: U32 | None = skip_none()
    height: U32 | None = skip_none()
    label: str | None = skip_none()

    def meta(self) -> AttachmentMeta:
        """``AttachmentRef::meta`` (the same fields, another Rust type)."""
        return AttachmentMeta(**attrs.asdict(self, recurse=False))

    def canonical_mime(self) -> str:
        """``AttachmentRef::canonical_mime``."""
        return self.media_type.canonical_mime()


def content_id(data: bytes) -> str:
    """``attachments.rs`` ``content_id``: lowercase hex SHA-256 of the bytes."""
    return hashlib.sha256(data).hexdigest()


class AttachmentStoreError(Exception):
    """``attachments.rs`` ``AttachmentStoreError`` (its message only)."""


@attrs.frozen(kw_only=True)
class StoredAttachment:
    """``attachments.rs`` ``StoredAttachment``: metadata plus bytes (not a wire type)."""

    meta: AttachmentMeta
    data: bytes


@attrs.define(kw_only=True)
class InMemoryAttachmentStore:
    """``attachments.rs`` ``InMemoryAttachmentStore``: content-addressed, in memory.

    ``fail_with`` set → every :meth:`put` raises :class:`AttachmentStoreError`
    with that message (a backend failure, as a host store may report).
    """

    fail_with: str | None = None
    attachments: dict[str, StoredAttachment] = attrs.field(factory=dict)

    def put(self, data: bytes, meta: AttachmentCreateMeta) -> AttachmentRef:
        """Store ``data``; the id is :func:`content_id` (the same bytes always
        get the same id, and a second put replaces the stored metadata)."""
        if self.fail_with is not None:
            raise AttachmentStoreError(self.fail_with)
        stored = AttachmentMeta(
            id=content_id(data),
            media_type=meta.media_type,
            byte_len=len(data),
            width=meta.width,
            height=meta.height,
            label=meta.label,
        )
        self.attachments[stored.id] = StoredAttachment(meta=stored, data=bytes(data))
        return stored.as_ref()

    def get(self, attachment_id: str) -> StoredAttachment:
        """The stored attachment, or :class:`AttachmentStoreError` ("not found")."""
        found = self.attachments.get(attachment_id)
        if found is None:
            raise AttachmentStoreError(f"attachment `{attachment_id}` was not found")
        return found
