"""The shared browser helper works: system Chromium loads a loopback page and runs it."""

import http.server
import threading

import pytest
from browser import chromium_page


@pytest.mark.browser
@pytest.mark.needs("chromium")
def test_chromium_runs_a_loopback_page_and_reports_its_console_errors(tmp_path):
    (tmp_path / "index.html").write_text(
        "<title>t</title><link rel=icon href=\"data:,\"><p id=p>static</p>"
        "<script>document.getElementById('p').textContent = 'scripted';"
        "console.error('boom');</script>")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = lambda *a: Quiet(*a, directory=str(tmp_path))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with chromium_page(screenshots=tmp_path / "shots") as page:
            page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
            assert page.text_content("#p") == "scripted"
            assert page.console_errors == ["boom"]
        assert (tmp_path / "shots" / "last.png").stat().st_size > 0
    finally:
        server.shutdown()
        server.server_close()
