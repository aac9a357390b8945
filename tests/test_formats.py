"""News archives as they come: JSONL, CSV, saved pages, feeds and web crawls in one folder,
every article cited with its URL, outlet and date; bad files and records reported, never
losing what is indexed."""

from __future__ import annotations

import json
import subprocess

import pytest

from index.articles import Article, ReadOptions, Skip, read_corpus
from index.settings import Settings
from qa.engine import Engine
from tests.archive_files import BRIDGE, FERRY, LIBRARY, write_archive, write_warc, truncate_gzip
from tests.conftest import CountingEmbedder, cli_env, qa_command

EXPECTED = {
    "bridge.html": ("Bridge closed", "2024-03-04", "https://gazette.example/news/bridge-closed", "Valley Gazette",
                    "Tom Reed"),
    "crawl.warc.gz#https://gazette.example/news/bridge-closed-copy": (
        "Bridge closed", "2024-03-04", "https://gazette.example/news/bridge-closed-copy", "Valley Gazette", "Tom Reed"),
    "export.jsonl#ferry-1": ("New ferry for Harwick", "2024-03-01", "https://coast.example/ferry", "Coast Herald",
                             "Mia Holt"),
    "export.jsonl#orchard-7": ("Record apple harvest expected", "2024-03-02", "https://coast.example/apples",
                               "Coast Herald", None),
    "harbour.rss#https://harbour.example/museum-models": (
        "Harbour Museum buys ship models", "2024-03-12", "https://harbour.example/museum-models",
        "Elston Harbour News", "Ann Lowe"),
    "wire.csv#row1": ("Marlow library reopens", "2024-03-09", "https://wire.example/library", "County Wire",
                      "Sam Price"),
}


def read_all(root, **options):
    return {e.id: e for e in read_corpus(root, ReadOptions(**options))}


def test_every_format_is_read_with_its_metadata(tmp_path):
    folder = write_archive(tmp_path / "archive")
    (folder / "report.pdf").write_bytes(b"%PDF-1.4\n%binary")
    got = read_all(folder)
    articles = {k: v for k, v in got.items() if isinstance(v, Article)}
    assert {k: (a.headline, a.date, a.url, a.outlet, a.author) for k, a in articles.items()} == EXPECTED
    assert got["report.pdf"].reason == "unsupported_pdf"
    page = articles["bridge.html"].text
    assert page == BRIDGE  # menus, the newsletter box and the footer are left out
    assert articles["wire.csv#row1"].text == LIBRARY and articles["export.jsonl#ferry-1"].text == FERRY


def test_fields_found_by_other_names_or_set_by_the_user(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"articles": [
        {"Title": "One", "Content": "<p>First paragraph.</p><p>Second one.</p>", "pubDate": "Tue, 05 Mar 2024 10:00:00 GMT",
         "permalink": "https://x.example/1", "publisher": "X Daily", "authors": ["A. Writer", "B. Writer"]}]}))
    (tmp_path / "b.tsv").write_text("head\tstory\twhen\nTwo\tThe story text.\t2024-03-06\n")
    got = read_all(tmp_path, fields={"headline": "head", "text": "story", "date": "when"})
    one, two = got["a.json#0"], got["b.tsv#row1"]
    assert (one.headline, one.date, one.url, one.outlet, one.author) == (
        "One", "2024-03-05", "https://x.example/1", "X Daily", "A. Writer, B. Writer")
    assert one.text == "First paragraph.\n\nSecond one."
    assert (two.headline, two.text, two.date) == ("Two", "The story text.", "2024-03-06")


def test_bad_files_and_records_are_reported_and_the_rest_read(tmp_path):
    good = json.dumps({"id": "a", "title": "Fine", "text": "A fine article about the harbour."})
    (tmp_path / "mixed.jsonl").write_text(good + "\n{\"id\": \"b\", \"title\": \"Broken\n"
                                          + json.dumps({"id": "c", "title": "No text"}) + "\n")
    (tmp_path / "notext.csv").write_text("headline,summary_id\nA,1\n")
    (tmp_path / "empty.rss").write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
                                        "</channel></rss>")
    (tmp_path / "menu.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    (tmp_path / "sitemap.xml").write_text('<?xml version="1.0"?><urlset><url><loc>https://a/</loc></url></urlset>')
    write_warc(tmp_path / "cut.warc.gz", [(f"https://g.example/{i}", f"<html><body><article><p>{BRIDGE} {i}</p>"
                                           "</article></body></html>") for i in range(40)])
    truncate_gzip(tmp_path / "cut.warc.gz")
    got = read_all(tmp_path)
    reasons = {k: v.reason for k, v in got.items() if isinstance(v, Skip)}
    assert isinstance(got["mixed.jsonl#a"], Article)
    assert reasons["mixed.jsonl#L2"] == "bad_record" and "line 2" in got["mixed.jsonl#L2"].detail
    assert reasons["mixed.jsonl#L3"] == "bad_record"
    assert reasons["notext.csv"] == "no_text_field"
    assert reasons["empty.rss"] == "no_items"
    assert reasons["menu.html"] == "no_article_text"
    assert reasons["sitemap.xml"] == "unsupported_xml"
    assert reasons["cut.warc.gz"] == "truncated"
    assert 0 < sum(k.startswith("cut.warc.gz#") and isinstance(v, Article) for k, v in got.items()) < 40


@pytest.fixture(scope="module")
def archive_engine(tmp_path_factory, embedder):
    tmp = tmp_path_factory.mktemp("archive")
    folder = write_archive(tmp / "archive")
    engine = Engine(Settings(index_dir=tmp / "idx", corpus_dir=tmp / "unused"), embedder=CountingEmbedder(embedder))
    report = engine.index(folder)
    return engine, folder, report


def test_one_run_indexes_the_folder_and_cites_url_outlet_and_date(archive_engine):
    engine, _folder, report = archive_engine
    assert report.added == len(EXPECTED) and report.skipped == {}
    answer = engine.ask("How long will the ferry crossing between Harwick and Elston take?")
    assert not answer.abstained, answer.answer
    c = answer.citations[0]
    assert (c.article_id, c.url, c.outlet, c.date) == ("export.jsonl#ferry-1", "https://coast.example/ferry",
                                                       "Coast Herald", "2024-03-01")
    assert engine.article(c.article_id).text[c.start:c.end] == c.quote
    assert answer.to_dict()["citations"][0]["url"] == "https://coast.example/ferry"
    assert answer.passages[0].to_dict()["outlet"] == "Coast Herald"


def test_a_changed_record_re_embeds_alone_and_a_damaged_file_keeps_its_records(archive_engine):
    engine, folder, _report = archive_engine
    lines = (folder / "export.jsonl").read_text().splitlines()
    row = json.loads(lines[1])
    row["body"] += " Cider makers welcomed the news."
    (folder / "export.jsonl").write_text(lines[0] + "\n" + json.dumps(row) + "\n")
    engine.embedder.embedded.clear()
    report = engine.index()
    assert (report.updated, report.added, report.removed) == (1, 0, 0)
    assert engine.embedder.embedded and all("apple" in t.lower() or "harvest" in t.lower()
                                            for t in engine.embedder.embedded)
    (folder / "export.jsonl").write_text(lines[0] + "\n{broken\n")  # a bad line where a record was
    report = engine.index()
    assert report.removed == 0 and report.skipped == {"bad_record": 1}
    (folder / "export.jsonl").write_text(lines[0] + "\n" + json.dumps({"id": "orchard-7", "title": "x"}) + "\n")
    report = engine.index()  # the record lost its text: reported, its indexed version kept
    assert report.removed == 0 and report.skipped == {"bad_record": 1}
    assert engine.article("export.jsonl#orchard-7").text.endswith("Cider makers welcomed the news.")
    (folder / "export.jsonl").write_text(lines[0] + "\n" + json.dumps(row) + "\n")


def test_a_file_is_a_source_too_and_qa_ask_json_carries_the_links(tmp_path, embedder):
    folder = write_archive(tmp_path / "archive")
    env = cli_env(tmp_path)
    out = subprocess.run(qa_command() + ["index", str(folder / "wire.csv"), "--json"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["added"] == 1
    out = subprocess.run(qa_command() + ["ask", "--json", "When did the Marlow library reopen?"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    citation = json.loads(out.stdout)["citations"][0]
    assert (citation["article_id"], citation["url"], citation["outlet"], citation["author"]) == (
        "wire.csv#row1", "https://wire.example/library", "County Wire", "Sam Price")
    out = subprocess.run(qa_command() + ["article", citation["article_id"], "--json"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    article = json.loads(out.stdout)
    assert article["text"][citation["start"]:citation["end"]] == citation["quote"]
    assert (article["url"], article["outlet"]) == ("https://wire.example/library", "County Wire")
    out = subprocess.run(qa_command() + ["article", "wire.csv#row9"], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode != 0 and len(out.stderr.strip().splitlines()) == 1 and "row9" in out.stderr


def test_a_second_file_source_is_labelled_by_its_folder_and_cards_link_the_original(archive_engine, tmp_path):
    engine, _folder, _report = archive_engine
    other = tmp_path / "exports"
    other.mkdir()
    (other / "late.jsonl").write_text(json.dumps({"id": "x1", "title": "Late story", "text": LIBRARY,
                                                  "url": "https://late.example/x1"}) + "\n")
    report = engine.index(other / "late.jsonl")
    assert report.added == 1 and engine.article("exports/late.jsonl#x1").url == "https://late.example/x1"
    from ui.render import sources_html

    answer = engine.ask("How long will the ferry crossing between Harwick and Elston take?").to_dict()
    html = sources_html(answer, 0, {})
    assert 'class="qa-link" href="https://coast.example/ferry"' in html and "Coast Herald" in html
