"""The preview server sends text compressed, as a static host does, and everything else as it is."""
from __future__ import annotations

import gzip
import io
import socket
import threading
import urllib.error
import urllib.request

import pytest

from storymap.inputs.project import Project
from storymap.tools.preview import serve
from storymap.tools.serving import make_server


@pytest.fixture
def server_url(tmp_path):
    (tmp_path / "chapter").mkdir()
    (tmp_path / "chapter" / "index.html").write_text("<p>" + "story " * 500 + "</p>", encoding="utf-8")
    (tmp_path / "map.png").write_bytes(b"\x89PNG not really")
    server = make_server(tmp_path, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def fetch(url: str, gzip_ok: bool = True):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    with urllib.request.urlopen(request) as response:
        return response.headers, response.read(), response.url


def test_a_page_is_sent_gzip_compressed_to_a_browser_that_accepts_it(server_url):
    headers, body, _ = fetch(server_url + "chapter/")
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"].split(";")[0] == "text/html"
    assert int(headers["Content-Length"]) == len(body) < 200
    assert gzip.decompress(body).decode() == "<p>" + "story " * 500 + "</p>"


def test_a_client_without_gzip_gets_the_file_as_it_is(server_url):
    headers, body, _ = fetch(server_url + "chapter/", gzip_ok=False)
    assert headers["Content-Encoding"] is None
    assert body.decode().startswith("<p>story")


def test_images_are_not_compressed_again_and_folders_get_their_slash(server_url):
    headers, body, _ = fetch(server_url + "map.png")
    assert headers["Content-Encoding"] is None and body == b"\x89PNG not really"
    _, _, final_url = fetch(server_url + "chapter")
    assert final_url == server_url + "chapter/"


def test_another_host_name_and_paths_that_climb_out_get_nothing(server_url, tmp_path):
    """DNS rebinding: a page of another site whose name now points at 127.0.0.1 reads nothing."""
    request = urllib.request.Request(server_url + "chapter/", headers={"Host": "attacker.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 400
    _, body, _ = fetch(server_url + "chapter/", gzip_ok=False)
    assert body.startswith(b"<p>story"), "127.0.0.1 itself is answered"
    for sneaky in ("%2e%2e/%2e%2e/etc/passwd", "chapter/..%2f..%2fetc%2fpasswd"):
        with pytest.raises(urllib.error.HTTPError) as missing:
            fetch(server_url + sneaky)
        assert missing.value.code == 404  # (a NUL byte is a bad request: tests/test_hostile_input.py)


def test_the_preview_names_a_port_in_use_and_another_to_try_before_building_anything(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = io.StringIO()
        assert serve(Project(tmp_path), port, out) == 1
    assert f"Cannot preview on port {port}" in out.getvalue()
    assert f"python build.py serve --port {port + 1}" in out.getvalue()
    assert not (tmp_path / "site").exists() and "Checking" not in out.getvalue()
