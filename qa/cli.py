"""`qa` command: parses arguments, calls the Engine, prints. No logic of its own."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click

import index  # noqa: F401 - offline configuration first
from index.errors import LargeRemovalError, UserError
from index.settings import Settings
from index.sync import SyncReport
from qa.engine import Engine


def _engine(ctx: click.Context) -> Engine:
    return ctx.obj["engine"]()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--index-dir", type=click.Path(path_type=Path), help="Index folder [QA_INDEX_DIR, .qa]")
@click.option("--embed-model", help="Embedding model [QA_EMBED_MODEL, all-MiniLM-L6-v2]")
@click.option("--chunk-tokens", type=int, help="Tokens per chunk [QA_CHUNK_TOKENS, 200]")
@click.option("--chroma-host", help="Chroma server host; unset: on disk [QA_CHROMA_HOST]")
@click.option("--chroma-port", type=int, help="Chroma server port [QA_CHROMA_PORT, 8000]")
@click.pass_context
def main(ctx: click.Context, **flags) -> None:
    """Question answering over a folder of news articles, with cited passages."""
    made: dict[str, Engine] = {}

    def engine() -> Engine:
        if "engine" not in made:
            try:
                made["engine"] = Engine(Settings.from_flags(**flags))
            except ValueError as exc:  # pydantic validation of a flag or QA_* variable
                raise click.ClickException(_one_line(exc)) from None
        return made["engine"]

    ctx.obj = {"engine": engine}


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return " ".join(line.strip() for line in text[:3]) if text else type(exc).__name__


def _run(call: Callable, keep: type[Exception] | None = None):
    """Run an engine call; a user error becomes one line on stderr, exit 1 (`keep`: re-raised)."""
    try:
        return call()
    except UserError as exc:
        if keep is not None and isinstance(exc, keep):
            raise
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        raise click.Abort() from None


@main.command("index")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Drop the vectors and embed every source again.")
@click.option("--yes", is_flag=True, help="Go ahead when a run would remove more than half of the articles.")
@click.option("--verify", is_flag=True, help="Read and hash every file, even those whose size and time are unchanged.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@click.pass_context
def index_command(ctx: click.Context, path: Path | None, rebuild: bool, yes: bool, verify: bool,
                  as_json: bool) -> None:
    """Add or update the source PATH; without PATH, update every recorded source.

    PATH inside a recorded source (a folder, a file, or a file since deleted) updates that
    part alone.

    The first run without PATH indexes the corpus folder (QA_CORPUS_DIR, seeds/).
    """
    engine = _engine(ctx)

    def run(allow_removal: bool) -> SyncReport:
        bar = _ProgressBar(enabled=not as_json and sys.stderr.isatty())
        try:
            return engine.index(path, rebuild=rebuild, progress=bar.update, on_total=bar.start,
                                allow_removal=allow_removal, verify=verify)
        finally:
            bar.close()

    try:
        report = _run(lambda: run(yes), keep=LargeRemovalError)
    except LargeRemovalError as exc:
        if not _interactive():
            raise click.ClickException(str(exc)) from None
        click.confirm(f"This run would remove {exc.removing} of the index's {exc.total} articles "
                      "(their files are gone from their source). Remove them?", abort=True, err=True)
        report = _run(lambda: run(True))
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        click.echo(_summary(report))


@main.command("sources")
@click.option("--remove", "remove", type=click.Path(path_type=Path), help="Remove this source and its articles.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def sources_command(ctx: click.Context, remove: Path | None, yes: bool, as_json: bool) -> None:
    """List the sources of the index with their article counts, or remove one."""
    engine = _engine(ctx)
    if remove is not None:
        path = _run(lambda: _source_path(engine, remove))
        source = next(s for s in engine.sources() if s.folder == path)
        if not yes:
            if not _interactive():
                raise click.ClickException(
                    f"removing {source.folder} deletes its {source.articles} articles from the index: "
                    "add --yes to confirm")
            click.confirm(f"Remove {source.folder} and its {source.articles} articles from the index?",
                          abort=True, err=True)
        report = _run(lambda: engine.remove_source(source.folder))
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False) if as_json else
                   f"removed {source.folder}: {report.removed} articles, {report.chunks} chunks left in the index")
        return
    listed = _run(engine.sources)
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in listed], ensure_ascii=False))
        return
    if not listed:
        click.echo("no sources yet: run `qa index PATH`")
    for s in listed:
        missing = "" if s.present else "  (folder missing: articles kept)"
        prefix = f"  ids: {s.label}/..." if s.label else ""
        click.echo(f"{s.articles:>8} articles  {s.folder}{prefix}{missing}")


def _source_path(engine: Engine, given: Path) -> str:
    from index import sources

    return sources.find(engine.manifest, given).path


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


class _ProgressBar:
    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None

    def start(self, total: int) -> None:
        if self.enabled and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="article", desc="indexing", file=sys.stderr)

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _summary(report: SyncReport) -> str:
    lines = [
        f"{report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.unchanged} unchanged" + (f", {report.repaired} repaired" if report.repaired else "")
        + (f", {report.repaired_store} missing or stray store records repaired" if report.repaired_store else "")
        + f"; {report.embedded} chunks embedded, {report.chunks} in the index ({report.seconds:.1f} s)"
        + (f"; {report.copies} articles are copies of another story (shown once)" if report.copies else "")
    ]
    if report.skipped:
        lines.append("skipped: " + ", ".join(f"{n} {why}" for why, n in sorted(report.skipped.items())))
    if report.warnings:
        lines.append("warnings: " + ", ".join(f"{n} {why}" for why, n in sorted(report.warnings.items())))
    for problem in report.problems[:20]:
        detail = f" ({problem.detail})" if problem.detail else ""
        lines.append(f"  {problem.reason}: {problem.id}{detail}")
    if len(report.problems) > 20:
        lines.append(f"  ... and {len(report.problems) - 20} more (see --json)")
    return "\n".join(lines)


def _questions(question: str) -> Iterator[str]:
    if question != "-":
        yield question
        return
    for line in sys.stdin:
        if line.strip():
            yield line.strip()


def question_options(command):
    """The arguments `search` and `ask` share."""
    for option in reversed([
        click.argument("question"),
        click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 50),
                     help="Passages to return."),
        click.option("--since", help="Only articles dated on or after YYYY-MM-DD."),
        click.option("--until", help="Only articles dated on or before YYYY-MM-DD."),
        click.option("--as-of", "as_of", help="The day 'last week', 'this year' count from (YYYY-MM-DD) [today]."),
        click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per question)."),
    ]):
        command = option(command)
    return command


def _each(question: str, call: Callable):
    """(question, result, error) for each question; with '-' a refused line reports its error."""
    batch = question == "-"
    for q in _questions(question):
        try:
            yield q, call(q), None
        except UserError as exc:
            if not batch:
                raise click.ClickException(str(exc)) from None
            yield q, None, str(exc)


@main.command()
@question_options
@click.pass_context
def search(ctx: click.Context, question: str, k: int, since, until, as_of, as_json: bool) -> None:
    """Passages that match QUESTION ('-': one question per line from stdin)."""
    engine = _engine(ctx)
    batch = question == "-"
    for q, found, error in _each(question, lambda q: engine.search_by_month(q, k=k, since=since, until=until,
                                                                             as_of=as_of)):
        passages, by_month = found if found else ([], {})
        if as_json or batch:
            out = {"question": q}
            out |= {"error": error} if error else {"passages": [p.to_dict() for p in passages], "by_month": by_month}
            click.echo(json.dumps(out, ensure_ascii=False))
            continue
        if not passages:
            click.echo("no passages")
        for p in passages:
            dated = f" ({p.date})" if p.date else ""
            click.echo(f"[{p.rank}] {p.score:.3f}  {p.headline}{dated}  {p.article_id}:{p.start}-{p.end}")
            click.echo("    " + p.text.replace("\n", " ")[:400])


@main.command()
@question_options
@click.option("--mode", "answer_mode", type=click.Choice(["extractive", "llm"]),
              help="Quotes only, or a model's answer checked claim by claim [QA_ANSWER_MODE, extractive]")
@click.pass_context
def ask(ctx: click.Context, question: str, k: int, since, until, as_of, as_json: bool,
        answer_mode: str | None) -> None:
    """Answer QUESTION with cited quotes ('-': one question per line from stdin)."""
    engine = _engine(ctx)
    batch = question == "-"
    for q, answer, error in _each(question, lambda q: engine.ask(q, k=k, since=since, until=until,
                                                                  answer_mode=answer_mode, as_of=as_of)):
        if error:
            click.echo(json.dumps({"question": q, "error": error}, ensure_ascii=False))
            continue
        if as_json or batch:
            click.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
            continue
        click.echo(answer.answer)
        click.echo()
        for c in answer.citations:
            dated = f", {c.date}" if c.date else ""
            click.echo(f"[{c.n}] {c.headline}{dated} ({c.article_id}:{c.start}-{c.end})")
        if answer.abstained:
            for p in answer.passages:
                click.echo(f"  closest: {p.headline} ({p.article_id}:{p.start}-{p.end})")
        for note in answer.notes:
            click.echo(f"note: {note}")


@main.command("eval")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--mode", "answer_mode", type=click.Choice(["extractive", "llm"]),
              help="Answer mode to measure [QA_ANSWER_MODE, extractive]")
@click.option("--retrieval", type=click.Choice(["hybrid", "dense", "lexical"]), default="hybrid", show_default=True)
@click.option("--no-rerank", is_flag=True, help="Plain retrieval order (fusion rank only), to measure the reranker.")
@click.option("--sweep", "show_sweep", is_flag=True, help="Also print both error kinds per threshold.")
@click.option("--details", type=click.Path(path_type=Path), help="Write one JSON line per question here.")
@click.pass_context
def eval_command(ctx: click.Context, file: Path, k: int, answer_mode: str | None, retrieval: str, no_rerank: bool,
                 show_sweep: bool, details) -> None:
    """Score retrieval, answers, citations and abstention on a JSONL question file."""
    from qa import evaluate

    engine = _engine(ctx)
    answer_mode = answer_mode or engine.settings.answer_mode
    items = _run(lambda: evaluate.load_items(file))
    outcomes = _run(lambda: evaluate.run(engine, items, k=k, mode=retrieval, rerank=not no_rerank,
                                         answer_mode=answer_mode))
    threshold = evaluate.threshold_for(answer_mode, engine.tuning.abstain_below)
    summary = {"file": str(file), "mode": answer_mode, "retrieval": retrieval, "rerank": not no_rerank,
               **evaluate.summarise(outcomes, threshold)}
    if show_sweep and answer_mode == "extractive":
        summary["sweep"] = evaluate.sweep(outcomes)
    if details:
        details.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n"
                                   for d in evaluate.details(outcomes, threshold)))
    click.echo(json.dumps(summary, indent=2, ensure_ascii=False))


@main.command("article")
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def article_command(ctx: click.Context, article_id: str, as_json: bool) -> None:
    """An indexed article by id: the text a citation's start/end index into."""
    found = _run(lambda: _engine(ctx).article(article_id))
    if as_json:
        click.echo(json.dumps(found.to_dict(), ensure_ascii=False))
        return
    about = " · ".join(x for x in (found.date or "undated", found.outlet, found.author, found.url) if x)
    click.echo(f"{found.headline}\n{about}\n\n{found.text}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Articles, chunks, model and last update of the index."""
    info = _run(lambda: _engine(ctx).status())
    if as_json:
        click.echo(json.dumps(info.to_dict(), ensure_ascii=False))
        return
    for key, value in info.to_dict().items():
        click.echo(f"{key.replace('_', ' ')}: {value if value is not None else '-'}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=7860, show_default=True, type=int, help="Port (0: any free port).")
@click.option("--allow-remote", is_flag=True,
              help="Required to listen beyond localhost; then QA_UI_AUTH logins are required too.")
@click.pass_context
def ui(ctx: click.Context, host: str, port: int, allow_remote: bool) -> None:
    """Open the chat in a browser (Gradio)."""
    from ui.app import launch

    engine = _engine(ctx)
    _run(lambda: launch(engine, host=host, port=port, allow_remote=allow_remote))


if __name__ == "__main__":
    main()
