"""A request whose declared body is over the limit is answered 413 before anything reads the body.

The requests go to the project's real WSGI application with a body that counts every read (and
holds nothing): an anonymous 300 MB POST used to be read and spooled to disk in full (the CSRF
middleware reads a POST's form) before the redirect to sign in.
"""

import io
import json

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

from census.request_limits import MULTIPART_OVERHEAD

HUGE = 300 * 1024 * 1024


class CountedBody(io.RawIOBase):
    """A request body that counts how often it is read (it ends at once: the test only asks whether it was read)."""

    def __init__(self):
        self.reads = 0

    def readable(self):
        return True

    def read(self, size=-1):
        self.reads += 1
        return b""

    def readline(self, size=-1):
        return self.read(size)


def send(path: str, length: int, content_type: str = "multipart/form-data; boundary=xyz", **headers):
    """A POST to the WSGI application declaring `length` bytes; (status, headers, body, times the body was read)."""
    body = CountedBody()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(length),
        "wsgi.input": body,
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **headers,
    }
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = int(status.split()[0]), dict(response_headers)

    chunks = WSGIHandler()(environ, start_response)
    try:
        content = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return seen["status"], seen["headers"], content.decode(), body.reads


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/ru/entry/import/", "Запрос слишком велик"),
        ("/kk/entry/import/", "Сұраныс тым үлкен"),
        ("/en/entry/district/351000000/", "The request is too large"),
        ("/en/login/", "The request is too large"),
    ],
)
def test_an_anonymous_300_mb_post_to_a_page_is_a_413_without_reading_the_body(db, path, message):
    status, headers, content, reads = send(path, HUGE)

    assert status == 413
    assert reads == 0
    assert headers["Content-Type"].startswith("text/html")
    assert message in content


def test_an_anonymous_300_mb_post_to_the_api_is_a_413_in_the_error_shape_without_reading_the_body(db):
    status, headers, content, reads = send("/api/v1/daily-counts/", HUGE, content_type="application/json")

    assert status == 413
    assert reads == 0
    assert headers["Content-Type"].startswith("application/json")
    body = json.loads(content)
    assert set(body) == {"status", "code", "detail", "errors"}
    assert (body["status"], body["code"]) == (413, "too_large")


def test_the_import_page_takes_a_body_the_size_of_the_largest_file_it_accepts_and_other_pages_do_not(db):
    # given: a body just over the ordinary limit, within the upload's
    length = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    assert length <= settings.CENSUS_IMPORT_MAX_BYTES

    # then: an ordinary page refuses it unread ...
    assert send("/en/entry/district/351000000/", length)[0] == 413
    # ... the import page lets it through (to the CSRF check, which refuses this anonymous post)
    assert send("/en/entry/import/", length)[0] != 413
    # and the import page refuses a body above the file limit plus a multipart form's own parts
    over = settings.CENSUS_IMPORT_MAX_BYTES + MULTIPART_OVERHEAD + 1
    assert send("/en/entry/import/", over)[0] == 413
