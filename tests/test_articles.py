"""Reading articles: headers, dates, and every kind of messy file."""

from __future__ import annotations

import os

from index.articles import Article, ReadOptions, Skip, read_corpus


def read_all(root, **options):
    return {e.id: e for e in read_corpus(root, ReadOptions(**options))}


def test_seed_format_with_and_without_leading_space(tmp_path):
    (tmp_path / "a.txt").write_text(" date 2023-11-08 Patel rebuts reports\n\nBody one.\n")
    (tmp_path / "b.txt").write_text("date 2024-02-29 Leap day story\n\nBody two.\n")
    got = read_all(tmp_path)
    assert got["a.txt"].headline == "Patel rebuts reports"
    assert got["a.txt"].date == "2023-11-08" and got["a.txt"].date_int == 20231108
    assert got["a.txt"].text == "Body one.\n"
    assert got["b.txt"].date == "2024-02-29"


def test_headline_line_then_blank_line_like_bbc(tmp_path):
    (tmp_path / "001.txt").write_text("Ad sales boost Time Warner profit\n\nQuarterly profits rose.\n")
    article = read_all(tmp_path)["001.txt"]
    assert article.headline == "Ad sales boost Time Warner profit"
    assert article.date is None and article.date_int == 0
    assert article.text.startswith("Quarterly")


def test_no_header_uses_file_name(tmp_path):
    (tmp_path / "notes-on-budget.md").write_text("The budget was set on Monday. It rose 3%.\nMore text.\n")
    article = read_all(tmp_path)["notes-on-budget.md"]
    assert article.headline == "notes-on-budget"
    assert article.text.startswith("The budget")


def test_malformed_date_is_indexed_without_date_and_warned(tmp_path):
    (tmp_path / "x.txt").write_text(" date 2023-13-45 Impossible month\n\nBody.\n")
    (tmp_path / "y.txt").write_text(" date yesterday Vague timing\n\nBody.\n")
    got = read_all(tmp_path)
    assert got["x.txt"].date is None and "bad_date" in got["x.txt"].warnings
    assert got["x.txt"].headline == "Impossible month"
    assert got["y.txt"].date is None and got["y.txt"].headline == "yesterday Vague timing"


def test_bad_files_become_reported_skips(tmp_path):
    (tmp_path / "empty.txt").write_text("   \n\n")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" + bytes(200))
    (tmp_path / "huge.txt").write_text("Big\n\n" + "word " * 3000)
    (tmp_path / "good.txt").write_text("Fine\n\nA normal article.\n")
    (tmp_path / "image.png").write_bytes(b"not an article")
    (tmp_path / "README.TXT").write_text("About this folder\n\nNot an article.\n")
    got = read_all(tmp_path, max_bytes=10_000)
    assert isinstance(got["empty.txt"], Skip) and got["empty.txt"].reason == "empty"
    assert got["binary.txt"].reason == "binary"
    assert got["huge.txt"].reason == "too_large"
    assert isinstance(got["good.txt"], Article)
    assert got["image.png"].reason == "unsupported_png"  # reported by kind, like every file no reader takes
    assert "README.TXT" not in got


def test_cp1252_and_undecodable_bytes_are_read_and_reported(tmp_path):
    (tmp_path / "win.txt").write_bytes("Caf\xe9 owners\n\nPrices rose \x80 5 at the caf\xe9.\n".encode("latin-1"))
    (tmp_path / "mixed.txt").write_bytes(b"Mixed\n\nValid then \x81\x8d undefined in cp1252.\n")
    (tmp_path / "bom.txt").write_bytes("\ufeffBOM headline\n\nBody.\n".encode("utf-8"))
    got = read_all(tmp_path)
    assert got["win.txt"].headline == "Café owners" and "€" in got["win.txt"].text
    assert got["win.txt"].warnings == ("decoded_cp1252",)
    assert "replaced_bytes" in got["mixed.txt"].warnings and "undefined" in got["mixed.txt"].text
    assert got["bom.txt"].headline == "BOM headline" and not got["bom.txt"].warnings


def test_crlf_is_normalised(tmp_path):
    (tmp_path / "dos.txt").write_bytes(b"Dos headline\r\n\r\nLine one.\r\nLine two.\r\n")
    article = read_all(tmp_path)["dos.txt"]
    assert article.headline == "Dos headline" and "\r" not in article.text


def test_symlinks_leaving_the_corpus_are_skipped(tmp_path):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret\n\nDo not index.\n")
    (corpus / "real.txt").write_text("Real\n\nIndexed.\n")
    os.symlink(outside / "secret.txt", corpus / "leak.txt")
    os.symlink(outside, corpus / "leakdir")
    os.symlink(corpus / "real.txt", corpus / "alias.txt")
    got = read_all(corpus)
    assert got["leak.txt"].reason == "symlink_outside"
    assert got["leakdir"].reason == "symlink_outside"
    assert got["alias.txt"].reason == "symlink_alias"  # read once, as real.txt
    assert isinstance(got["real.txt"], Article)
    (corpus / ".drafts").mkdir()
    (corpus / ".drafts" / "final.txt").write_text("Final\n\nPublished from the drafts folder.\n")
    os.symlink(corpus / ".drafts" / "final.txt", corpus / "final.txt")
    assert isinstance(read_all(corpus)["final.txt"], Article)  # its target is in no folder the walk reads
    assert not any("secret" in k for k in got)


def test_symlink_loops_are_reported_skips_and_the_run_goes_on(tmp_path, embedder):
    from index.settings import Settings
    from qa.engine import Engine

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "real.txt").write_text("Real\n\nThe harbour reopened on Monday.\n")
    os.symlink(corpus / "loop2.txt", corpus / "loop1.txt")
    os.symlink(corpus / "loop1.txt", corpus / "loop2.txt")
    os.symlink(corpus / "self", corpus / "self")  # a folder-like loop, no suffix
    got = read_all(corpus)
    assert {k: v.reason for k, v in got.items() if isinstance(v, Skip)} == {
        "loop1.txt": "symlink_loop", "loop2.txt": "symlink_loop", "self": "symlink_loop"}
    assert isinstance(got["real.txt"], Article)
    report = Engine(Settings(index_dir=tmp_path / "idx", corpus_dir=corpus), embedder=embedder).index()
    assert report.added == 1 and report.skipped == {"symlink_loop": 3}


def test_ids_are_relative_paths_and_recursive(tmp_path):
    (tmp_path / "sport" / "2024").mkdir(parents=True)
    (tmp_path / "sport" / "2024" / "match.txt").write_text("Match\n\nA goal.\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("Hidden\n\nNo.\n")
    assert list(read_all(tmp_path)) == ["sport/2024/match.txt"]


def test_a_stray_nul_byte_is_removed_and_reported_and_a_date_line_alone_is_empty(tmp_path):
    (tmp_path / "late_nul.txt").write_bytes(b"Headline\n\n" + b"A sentence. " * 1000 + b"\x00 after the byte.\n")
    (tmp_path / "early_nul.txt").write_bytes(b"Head\n\n\x00\x01 binary")
    (tmp_path / "date_only.txt").write_text(" date 2024-01-01 \n")
    got = read_all(tmp_path)
    late = got["late_nul.txt"]
    assert isinstance(late, Article) and "\x00" not in late.text and "after the byte" in late.text
    assert "nul_bytes_removed" in late.warnings
    assert got["early_nul.txt"].reason == "binary"
    assert got["date_only.txt"].reason == "empty"
