"""Upload content types: the declared type when the bytes agree, else what the bytes or the name say."""

from __future__ import annotations

import pytest

from masteria.media import (
    UnsupportedMediaTypeError,
    check_content_type,
    guess_content_type,
    normalize_content_type,
    sniff_content_type,
)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n" + b"\x00" * 32
OGG = b"OggS\x00\x02" + b"\x00" * 32
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32
ZIP = b"PK\x03\x04" + b"\x00" * 32
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 32
TEXT = b"Ola, tudo bem?"


@pytest.mark.parametrize(
    ("data", "sniffed"),
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (PDF, "application/pdf"),
        (OGG, "audio/ogg"),
        (MP4, "video/mp4"),
        (ZIP, "application/zip"),
        (WEBP, "image/webp"),
        (b"ID3\x04", "audio/mpeg"),
        (b"#!AMR\n", "audio/amr"),
        (TEXT, None),
        (b"", None),
    ],
)
def test_the_first_bytes_identify_common_formats(data: bytes, sniffed: str | None) -> None:
    assert sniff_content_type(data) == sniffed


@pytest.mark.parametrize(
    ("data", "declared", "filename", "chosen"),
    [
        (JPEG, "image/jpeg", None, "image/jpeg"),
        (JPEG, "image/jpg", None, "image/jpeg"),  # a common misspelling, stored under the registered name
        (OGG, "audio/ogg; codecs=opus", None, "audio/ogg; codecs=opus"),  # WhatsApp voice notes
        (MP4, "audio/mp4", "nota.m4a", "audio/mp4"),  # one container for sound and video
        (JPEG, "application/octet-stream", "x.bin", "image/jpeg"),  # generic declared: the bytes decide
        (PNG, None, None, "image/png"),
        (ZIP, None, "planilha.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            ZIP,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "c.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (ZIP, None, None, "application/zip"),
        (TEXT, None, "notas.txt", "text/plain"),
        (TEXT, "text/csv", "contatos.csv", "text/csv"),
        (TEXT, None, None, "application/octet-stream"),
    ],
)
def test_the_type_to_store(data: bytes, declared: str | None, filename: str | None, chosen: str) -> None:
    assert guess_content_type(data, declared=declared, filename=filename) == chosen


@pytest.mark.parametrize(
    ("data", "declared", "filename", "message"),
    [
        (PDF, "image/png", None, "declared image/png but its bytes are application/pdf"),
        (PNG, "text/plain", None, "declared text/plain but its bytes are image/png"),
        (TEXT, "text/html", None, "text/html files are not accepted: a browser would run them"),
        (TEXT, None, "logo.svg", "image/svg+xml files are not accepted"),
        (TEXT, "model/gltf+json", None, "model/gltf+json files are not accepted (accepted: application, audio"),
        (TEXT, "not a type", None, "is not a content type"),
        (TEXT, "text/plain; charset=\u00e9", None, "non-printable"),
    ],
)
def test_untrustworthy_types_are_refused_with_a_reason(
    data: bytes, declared: str | None, filename: str | None, message: str
) -> None:
    with pytest.raises(UnsupportedMediaTypeError) as caught:
        guess_content_type(data, declared=declared, filename=filename)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_xml_dialects_are_scriptable_unless_the_caller_allows_them() -> None:
    with pytest.raises(UnsupportedMediaTypeError, match="a browser would run them"):
        guess_content_type(b"<rss/>", declared="application/rss+xml")
    assert guess_content_type(b"<svg/>", filename="logo.svg", allow_scriptable=True) == "image/svg+xml"


def test_opus_voice_notes_keep_their_declared_ogg_spelling() -> None:
    assert guess_content_type(OGG, declared="audio/opus") == "audio/opus"


def test_a_caller_can_narrow_the_accepted_families() -> None:
    assert guess_content_type(JPEG, declared="image/jpeg", allowed_families={"image"}) == "image/jpeg"
    with pytest.raises(UnsupportedMediaTypeError, match="accepted: image"):
        guess_content_type(PDF, declared="application/pdf", allowed_families={"image"})
    with pytest.raises(UnsupportedMediaTypeError):
        check_content_type("video/mp4", allowed_families={"image", "audio"})


def test_normalize_lowercases_and_keeps_parameters() -> None:
    assert normalize_content_type(" Image/JPEG ") == "image/jpeg"
    assert normalize_content_type("audio/ogg;codecs=opus") == "audio/ogg; codecs=opus"
    assert normalize_content_type("text/plain;") == "text/plain"
    with pytest.raises(UnsupportedMediaTypeError):
        normalize_content_type("text/plain\r\nX-Injected: 1")
