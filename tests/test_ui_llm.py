"""The chat with a language model configured (scripted on loopback): gradio_client and a real browser."""

from __future__ import annotations

import pytest
from gradio_client import Client

from index.settings import Settings
from qa.engine import Engine
from tests.conftest import SEED_QUESTION
from tests.fake_llm import Reply
from tests.test_ui_browser import ARGS, ARTIFACTS, CHROMIUM, TIMEOUT_MS, bot_messages, wait_for_bots
from tests.ui_fixtures import QUIET_GRADIO, build_corpus, running_app

pytestmark = QUIET_GRADIO

GOOD = "Patel said any such talks are up to Ukraine [{n:Patel}]."
UNSUPPORTED = "Patel said 90,000 troops were moving [{n:Patel}]."


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, embedder, fake):
    tmp = tmp_path_factory.mktemp("ui_llm")
    corpus = build_corpus(tmp / "corpus")
    settings = Settings(index_dir=tmp / "idx", corpus_dir=corpus, llm_base_url=f"{fake.url}/v1",
                        llm_model="scripted", llm_timeout=10)
    engine = Engine(settings, embedder=embedder)
    engine.index()
    with running_app(engine) as app:
        yield app.local_url


def test_chat_endpoint_takes_the_answer_mode(app_url, fake):
    client = Client(app_url, verbose=False)
    fake.say(f"{GOOD} {UNSUPPORTED}")
    reply = client.predict(SEED_QUESTION, answer_mode="llm", api_name="/chat")
    assert reply["mode"] == "answer" and reply["answer_mode"] == "llm"
    assert reply["answer"].startswith("Patel said any such talks are up to Ukraine.")
    assert len(reply["notes"]) == 1 and "90000 is in none" in reply["notes"][0]
    fake.say(GOOD)
    plain = client.predict(SEED_QUESTION, api_name="/chat")  # the server's default: extractive
    assert plain["answer_mode"] == "extractive" and plain["notes"] == [] and fake.requests == []


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_chat_streams_the_model_then_shows_the_checked_answer(app_url, fake):
    from playwright.sync_api import sync_playwright

    fake.say(Reply(f"{GOOD} {UNSUPPORTED}", pace=0.15))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(app_url)
        page.wait_for_selector("#qa-answer-mode")
        page.evaluate("""() => {
            window.qaSeen = [];
            const chat = document.querySelector('#qa-chat');
            new MutationObserver(() => {
                const bot = chat.querySelector('[data-testid=bot]');
                if (bot) window.qaSeen.push(bot.innerText);
            }).observe(chat, {subtree: true, childList: true, characterData: true});
        }""")
        page.get_by_label("Language model, checked").check()
        page.fill("#qa-message textarea", SEED_QUESTION)
        page.click("#qa-ask")
        wait_for_bots(page, 1)
        page.wait_for_selector("#qa-sources .qa-src")
        seen = page.evaluate("() => window.qaSeen")
        streaming = [t for t in seen if "Checking each sentence" in t]
        assert len({len(t) for t in streaming}) >= 3, f"the model's reply was not streamed: {seen[:5]}"
        final = bot_messages(page)[0]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "ui_llm_answer.png"), full_page=True)
        assert "are up to Ukraine" in final and "Checking each sentence" not in final
        assert "Written by the language model" in final
        assert "removed" in final and "90,000 troops" in final and "90000 is in none" in final
        browser.close()
