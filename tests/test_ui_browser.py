"""The page in a real headless Chromium: ask, read the answer and sources, open the article."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED_QUESTION
from tests.ui_fixtures import QUIET_GRADIO, indexed_engine, running_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SEED_FILE = "000_c516d1f4fd7c086b.txt"
TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="/usr/bin/chromium is not installed (scripts/ensure-chromium installs it as root)"),
    *QUIET_GRADIO,
]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, embedder):
    engine = indexed_engine(tmp_path_factory.mktemp("ui_browser"), embedder)
    with running_app(engine) as app:
        yield app.local_url


@pytest.fixture(scope="module")
def page(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(app_url)
        page.wait_for_selector("#qa-ask")
        yield page
        browser.close()
        assert not errors, errors


def bot_messages(page) -> list[str]:
    return page.locator("#qa-chat [data-testid=bot]").all_inner_texts()


def wait_for_bots(page, n: int) -> None:
    """Until the n-th answer is complete (its message final)."""
    try:
        _wait_for_bots(page, n)
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"ui_failed_{n}.png"), full_page=True)
        raise AssertionError(f"no answer {n}; chat: {bot_messages(page)}") from None


def _wait_for_bots(page, n: int) -> None:
    page.wait_for_function(
        """n => {
            const bots = document.querySelectorAll('#qa-chat [data-testid=bot]');
            const ask = document.querySelector('#qa-ask');
            return bots.length >= n && ask && !ask.disabled && !bots[n - 1].innerText.includes('Searching');
        }""", arg=n)
    page.wait_for_timeout(300)


def test_first_screen_offers_examples(page):
    # the examples are the indexed articles' headlines, not a fixed list
    assert page.get_by_text("A State Department representative rebutted media reports").first.is_visible()
    assert page.get_by_text(SEED_QUESTION).count() == 0
    assert page.get_by_role("button", name="Ask").is_visible()
    assert page.get_by_role("tab", name="Index").is_visible()


RECORD_STREAM = """() => {
    window.qaSeen = new Set();
    const chat = document.querySelector('#qa-chat');
    new MutationObserver(() => {
        const bot = chat.querySelector('[data-testid=bot]');
        if (bot) window.qaSeen.add(bot.innerText.length);
    }).observe(chat, {subtree: true, childList: true, characterData: true});
}"""


def test_answer_sources_and_article_view(page):
    page.evaluate(RECORD_STREAM)
    page.fill("#qa-message textarea", SEED_QUESTION)
    page.click("#qa-ask")
    page.wait_for_selector("#qa-sources .qa-src")
    wait_for_bots(page, 1)
    answer = bot_messages(page)[0]
    lengths = page.evaluate("() => Array.from(window.qaSeen)")
    assert len([n for n in lengths if 40 < n < len(answer)]) >= 3, f"the answer was not streamed: {lengths}"
    assert "Patel" in answer and "are up to Ukraine" in answer and "[1]" in answer, answer
    marker = page.locator("#qa-chat a.qa-cite").first
    assert marker.inner_text() == "[1]"

    card = page.locator("#qa-sources .qa-src").first
    assert "State Department" in card.locator(".qa-headline").inner_text()
    meta = card.locator(".qa-meta").inner_text()
    assert "2023-11-08" in meta and SEED_FILE in meta, meta
    quote = card.locator("mark.qa-quote").inner_text()
    assert "Patel" in quote
    context = card.locator(".qa-context").inner_text()
    assert quote in context, "the quote is shown inside its paragraph"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui_answer.png"), full_page=True)

    # the marker leads to its source: from the Article tab it brings the Sources tab back
    page.get_by_role("tab", name="Article").click()
    marker.click()
    page.wait_for_selector("#qa-src-0-1.qa-flash", state="attached")
    assert page.get_by_role("tab", name="Sources").get_attribute("aria-selected") == "true"

    # clicking the source opens its article with the quote marked
    card.click()
    mark = page.wait_for_selector("#qa-article #qa-article-mark")
    assert mark.inner_text() == quote
    assert "State Department" in page.locator("#qa-article .qa-article-title").inner_text()
    assert page.get_by_role("tab", name="Article").get_attribute("aria-selected") == "true"
    body = page.locator("#qa-article .qa-article-body").inner_text()
    assert "Zelensky" in body and "1991 borders" in body  # the whole article, not just the chunk
    page.screenshot(path=str(ARTIFACTS / "ui_article.png"), full_page=True)


def test_follow_up_and_abstention(page):
    page.fill("#qa-message textarea", "And what did Zelensky say?")
    page.press("#qa-message textarea", "Enter")
    wait_for_bots(page, 2)
    assert not bot_messages(page)[1].startswith("⚠"), bot_messages(page)[1]
    page.fill("#qa-message textarea", "Who won the 2022 World Cup?")
    page.click("#qa-ask")
    wait_for_bots(page, 3)
    page.wait_for_selector("#qa-sources .qa-note")
    assert "do not answer" in bot_messages(page)[2] or "No answer" in bot_messages(page)[2]
    assert "closest passages" in page.locator("#qa-sources .qa-note").inner_text()
    assert page.locator("#qa-sources .qa-passage").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "ui_abstention.png"), full_page=True)


def test_search_only_lists_passages(page):
    page.get_by_label("Search only (list passages, no answer)").check()
    try:
        page.fill("#qa-message textarea", "Valmora harbour storm repairs")
        page.click("#qa-ask")
        wait_for_bots(page, 4)
        assert bot_messages(page)[3].startswith("Search only")
        page.wait_for_selector("#qa-sources .qa-passage")
        assert "Valmora harbour" in page.locator("#qa-sources .qa-passage .qa-headline").first.inner_text()
        assert page.locator("#qa-sources .qa-src").count() == 0
    finally:
        page.get_by_label("Search only (list passages, no answer)").uncheck()


def test_too_long_question_gets_a_message(page):
    page.fill("#qa-message textarea", "why " * 200)
    page.click("#qa-ask")
    wait_for_bots(page, 5)
    assert "the limit is 500" in bot_messages(page)[4]


def test_crafted_article_id_is_refused(page):
    """A tampered source card (as a hostile page could send) only ever gets an error."""
    card = page.locator("#qa-sources .qa-card").first
    card.evaluate("el => { el.dataset.article = '../../etc/passwd'; }")
    card.click()
    error = page.wait_for_selector("#qa-article .qa-error")
    assert "no indexed article" in error.inner_text()
    assert "root:" not in page.locator("#qa-article").inner_text()


def test_index_panel(page):
    page.get_by_role("tab", name="Index").click()
    status = page.locator("#qa-status")
    status.get_by_text("Articles:").wait_for()
    assert "all-MiniLM-L6-v2" in status.inner_text()
    page.click("#qa-update")
    note = page.locator("#qa-update-note")
    note.get_by_text("Index up to date").wait_for()
    assert "4 unchanged" in note.inner_text()
    if os.environ.get("QA_UI_SCREENSHOTS"):
        page.screenshot(path=str(ARTIFACTS / "ui_index.png"), full_page=True)
