"""The Gradio page: layout and event wiring (`build_app`) and a safe `launch`.

Formatting lives in `ui.render`, engine calls in `ui.service`, handlers in
`ui.chat`, script endpoints in `ui.api`.
"""

from __future__ import annotations

import socket

import index  # noqa: F401, I001 - offline settings (Gradio analytics off) before Gradio is imported

import gradio as gr
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from index.errors import UserError
from qa.engine import Engine
from ui import api, render, rest
from ui.assets import ARTICLE_JS, CSS, PAGE_JS, SOURCES_JS
from ui.chat import Handlers
from ui.service import Service

HEAD = f"<script>{PAGE_JS}</script>"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
MAX_UPLOAD = "1mb"

def build_app(engine: Engine) -> gr.Blocks:
    service = Service(engine)
    h = Handlers(service)
    limit = service.max_question_chars
    with gr.Blocks(title="Newsroom QA", fill_width=True) as demo:
        turns = gr.State([])  # this session's conversation: one dict per turn
        shown = gr.State(-1)  # the turn whose sources are in the panel
        gr.Markdown("## Newsroom QA\nAsk about the indexed news articles. Every answer cites the "
                    "sentences it comes from; click a marker like [1] or a source to read it in context.")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chatbot = gr.Chatbot(
                    label="Chat", show_label=False, elem_id="qa-chat", height=520, buttons=["copy"],
                    examples=[{"text": q, "display_text": q} for q in service.examples()] or None,
                    placeholder="**Ask a question about the news articles**, or pick an example:",
                    feedback_options=None, group_consecutive_messages=False,
                )
                with gr.Row():
                    message = gr.Textbox(
                        show_label=False, placeholder=f"Ask a question (up to {limit} characters)",
                        elem_id="qa-message", scale=5, autofocus=True, lines=1, max_lines=4,
                        submit_btn=False,
                    )
                    ask = gr.Button("Ask", variant="primary", elem_id="qa-ask", scale=1, min_width=80)
                    clear = gr.Button("Clear", elem_id="qa-clear", scale=1, min_width=80)
                with gr.Row():
                    since = gr.Textbox(label="Since (YYYY-MM-DD)", placeholder="any date", elem_id="qa-since")
                    until = gr.Textbox(label="Until (YYYY-MM-DD)", placeholder="any date", elem_id="qa-until")
                    k = gr.Slider(1, 20, value=5, step=1, label="Sources", elem_id="qa-k")
                    search_only = gr.Checkbox(label="Search only (list passages, no answer)",
                                              elem_id="qa-search-only")
                answer_mode = gr.Radio(
                    [("Quotes from the articles", "extractive"), ("Language model, checked", "llm")],
                    value=service.default_answer_mode, label="Answer", elem_id="qa-answer-mode",
                    visible=len(service.answer_modes) > 1,  # the model's mode only when one is configured
                )
            with gr.Column(scale=2, min_width=360):
                with gr.Tabs(selected="sources") as tabs:
                    with gr.Tab("Sources", id="sources", elem_id="qa-tab-sources"):
                        sources = gr.HTML(render.sources_html(None, 0, {}), elem_id="qa-sources",
                                          js_on_load=SOURCES_JS, max_height=640)
                    with gr.Tab("Article", id="article", elem_id="qa-tab-article"):
                        viewer = gr.HTML(render.article_placeholder(), elem_id="qa-article",
                                         js_on_load=ARTICLE_JS, max_height=640)
                    with gr.Tab("Index", id="index", elem_id="qa-tab-index"):
                        status = gr.Markdown(elem_id="qa-status")
                        update = gr.Button("Update every source", elem_id="qa-update")
                        update_note = gr.Markdown(elem_id="qa-update-note")

        chat_inputs = [message, turns, k, since, until, search_only, answer_mode]
        chat_outputs = [chatbot, message, turns, shown, sources, tabs, ask]
        # One event for every way of asking, "once": a second question waits for the first
        # turn to finish instead of racing it for this session's conversation.
        gr.on([message.submit, ask.click, chatbot.example_select], h.respond, chat_inputs, chat_outputs,
              api_name="ui_ask", api_visibility="private", show_progress="hidden", trigger_mode="once",
              concurrency_id="answer", concurrency_limit=4,
              ).then(_ready, None, ask, api_name="ui_ready", api_visibility="private", queue=False)
        chatbot.select(h.show_turn, [turns, shown], [shown, sources, tabs], api_name="ui_show_turn", api_visibility="private")
        outs = [chatbot, turns, shown, sources, viewer]
        clear.click(h.clear, None, outs, api_name="ui_clear", api_visibility="private", queue=False)
        chatbot.clear(h.clear, None, outs, api_name="ui_clear_chat", api_visibility="private", queue=False)
        sources.click(h.open_source, None, [viewer, tabs], api_name="ui_open_source", api_visibility="private",
                      concurrency_limit=4)
        demo.load(h.status, None, status, api_name="ui_status", api_visibility="private", queue=False)
        update.click(h.update_index, None, [status, update_note], api_name="update_index",
                     api_visibility="undocumented", concurrency_id="index", concurrency_limit=1)
        api.register(service)
    demo.queue(default_concurrency_limit=2, max_size=64)
    return demo


def _ready() -> gr.Button:
    return gr.Button(interactive=True)


def parse_auth(spec: str | None) -> list[tuple[str, str]]:
    """'user:pw[,user:pw]' -> [(user, pw)]; a malformed entry is a UserError."""
    pairs = []
    for entry in (spec or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        user, sep, password = entry.partition(":")
        if not sep or not user.strip() or not password:
            raise UserError("QA_UI_AUTH must look like 'user:password[,user:password]'")
        pairs.append((user.strip(), password))
    return pairs


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def launch(engine: Engine, host: str = "127.0.0.1", port: int = 7860, allow_remote: bool = False,
           block: bool = True) -> gr.Blocks:
    """Serve the page, and the JSON API under /api/v1 (`ui.rest`), on host:port (0: any free
    port). Never shared through a tunnel.

    Beyond localhost only with allow_remote, and then only with logins from
    settings.ui_auth. With block=False, returns the running app at once
    (`app.local_url`; stop it with `app.close()`).
    """
    local = host in LOCAL_HOSTS
    if not local and not allow_remote:
        raise UserError(f"refusing to listen on {host}: only localhost is allowed without --allow-remote")
    auth = parse_auth(engine.settings.ui_auth)
    if not local and not auth:
        raise UserError(f"listening on {host} needs logins: set QA_UI_AUTH='user:password[,user:password]'")
    _warm(engine)
    demo = build_app(engine)
    # A page elsewhere can make a browser call a local server under another name (DNS
    # rebinding): a local server answers only to its loopback names.
    hosts = Middleware(TrustedHostMiddleware, allowed_hosts=sorted(LOCAL_HOSTS) if local else ["*"])
    demo.launch(
        app_kwargs={"middleware": [hosts]},
        max_file_size=MAX_UPLOAD,  # the page uploads nothing; Gradio's upload route stays bounded
        server_name=host,
        server_port=port or free_port("127.0.0.1" if local else host),
        auth=auth or None,
        share=False,
        inbrowser=False,
        prevent_thread_lock=True,
        show_error=False,
        quiet=True,
        ssr_mode=False,
        mcp_server=False,
        pwa=False,
        enable_monitoring=False,
        footer_links=["api"],
        css=CSS,
        head=HEAD,
        theme=gr.themes.Soft(),
    )
    demo.app.mount(rest.PREFIX, rest.build_api(Service(engine), auth))  # the JSON API, same logins
    if block:
        print(f"Newsroom QA is on {demo.local_url} (Ctrl+C stops it); its JSON API: "
              f"{demo.local_url.rstrip('/')}{rest.PREFIX}/docs", flush=True)
        demo.block_thread()
    return demo


def _warm(engine: Engine) -> None:
    """Open the index and load the model once, before concurrent requests race to do it."""
    try:
        engine.status()
        engine.search("warm up", k=1)
    except UserError:
        pass  # no index yet: the page says so when asked
