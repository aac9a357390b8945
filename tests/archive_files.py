"""Small archives of every format the indexer reads, written by the tests themselves."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

BRIDGE = ("The city council voted on Monday to close the Old Mill bridge after engineers found cracks in two "
          "of its supports. Repairs are expected to cost 2.5m pounds and to last until next summer, the "
          "council's report said.")
FERRY = ("A new ferry service between Harwick and Elston will start in April, the port authority announced. "
         "The crossing will take forty minutes and run every hour from six in the morning.")
ORCHARD = ("Apple growers in the Vale of Ester expect a record harvest this autumn after a warm spring. "
           "The growers' association said yields could rise by a fifth compared with last year.")
LIBRARY = ("The county library in Marlow reopened on Saturday after a two-year refurbishment funded by a "
           "lottery grant of 1.2m pounds. Visitors queued from early morning to see the new reading rooms.")
MUSEUM = ("The Harbour Museum in Elston has bought a collection of 300 ship models from a private collector, "
          "its director Ruth Calder said. The models will go on show next spring.")

PAGE = """<!doctype html><html><head><title>Bridge closed | Valley Gazette</title>
<link rel="canonical" href="https://gazette.example/news/bridge-closed">
<meta property="og:site_name" content="Valley Gazette"><meta name="author" content="Tom Reed">
<meta property="article:published_time" content="2024-03-04T09:00:00Z"></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<article><h1>Bridge closed</h1><p>{body}</p></article>
<aside class="newsletter">Subscribe to our newsletter for the latest local news!</aside>
<footer>Copyright Valley Gazette 2024. All rights reserved.</footer></body></html>"""

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Elston Harbour News</title><link>https://harbour.example/</link>
<description>News from Elston</description>
<item><title>Harbour Museum buys ship models</title><link>https://harbour.example/museum-models</link>
<guid>https://harbour.example/museum-models</guid><pubDate>Tue, 12 Mar 2024 10:00:00 GMT</pubDate>
<author>desk@harbour.example (Ann Lowe)</author><description><![CDATA[<p>{museum}</p>]]></description></item>
</channel></rss>"""


def write_archive(folder: Path) -> Path:
    """One folder holding a JSONL export, a CSV, a saved page, an RSS feed and a WARC crawl."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [{"id": "ferry-1", "title": "New ferry for Harwick", "body": FERRY, "published": "2024-03-01",
             "url": "https://coast.example/ferry", "source": "Coast Herald", "author": "Mia Holt"},
            {"id": "orchard-7", "title": "Record apple harvest expected", "body": ORCHARD,
             "published": "2024-03-02T08:30:00Z", "url": "https://coast.example/apples", "source": "Coast Herald"}]
    (folder / "export.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with (folder / "wire.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["headline", "text", "date", "link", "publisher", "byline"])
        writer.writerow(["Marlow library reopens", LIBRARY, "2024-03-09", "https://wire.example/library",
                         "County Wire", "Sam Price"])
    (folder / "bridge.html").write_text(PAGE.format(body=BRIDGE))
    (folder / "harbour.rss").write_text(FEED.format(museum=MUSEUM))
    write_warc(folder / "crawl.warc.gz", [("https://gazette.example/news/bridge-closed-copy",
                                           PAGE.format(body=BRIDGE.replace("Monday", "Monday evening")))])
    return folder


def write_warc(path: Path, pages: list[tuple[str, str]]) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for url, html in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode()),
                                                          http_headers=headers))
    return path


def truncate_gzip(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


__all__ = ["write_archive", "write_warc", "truncate_gzip", "gzip"]
