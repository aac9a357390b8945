"""The claim check of the llm answer mode: its support threshold on the dev set, and its cost.

    .venv/bin/python bench/claim_check_bench.py [--index bench/out/index/idx] [--set bench/devset.jsonl]
        [--report bench/heldout.jsonl]

1. Calibration (dev set only). For each answerable dev question with an expected
   answer, a claim is written as a model would: the question with its wh-phrase
   replaced by the answer ("Who won X?" -> "Safin won X."). It is checked
   - against the passage of the right article that holds the answer (should be kept), and
   - against the best passage of another article (should be removed: a wrong citation).
   Printed: both error kinds at each threshold (kept-when-wrong, removed-when-right), and the
   threshold chosen on dev; `--report` sweeps another set with the same code, to see whether
   the choice carries over (it is never used to choose).
2. Scripted replies (the loopback model of the tests, on the seed article): sentences
   removed per case and milliseconds the check costs per answer.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WH = re.compile(r"^(?:who|what|which|when|where|how many|how much)\b(?:\s+(?:\w+\s+){0,2}?(?:did|was|were|is|are|does|do|has|have|had)\b)?", re.I)


def claim(question: str, answer: str) -> str:
    q = question.rstrip(" ?")
    return (WH.sub(answer, q, count=1) if WH.match(q) else f"{q}: {answer}") + "."


def calibrate(engine, items, check_mod, prompt_mod) -> dict:
    from qa import asking

    pairs = []  # (score of right passage, score of wrong passage)
    embed = engine.embedder.embed_documents
    for item in items:
        if not item.articles or not item.answers:
            continue
        passages = engine.search(item.question, k=10)
        right = [p for p in asking.with_whole_articles(engine.ask_parts(), passages, 3)
                 if p.article_id == item.articles[0] and any(a.lower() in p.text.lower() for a in item.answers)]
        wrong = [p for p in passages if p.article_id not in item.articles]
        if not right or not wrong:
            continue
        text = claim(item.question, item.answers[0])
        scores = []
        for p in (right[0], wrong[0]):
            numbered = [prompt_mod.Numbered(1, p, p.text)]
            verdict = check_mod.check(f"{text} [1]", numbered, embed, threshold=0.0)[0]
            scores.append(verdict.score if verdict.reason is None or "support" in (verdict.reason or "")
                          else -1.0)  # -1: removed by the facts check, whatever the threshold
        pairs.append(scores)
    rows = []
    for t in [round(x / 40, 3) for x in range(12, 33)]:
        removed_right = sum(1 for r, _ in pairs if r < t) / len(pairs)
        kept_wrong = sum(1 for _, w in pairs if w >= t) / len(pairs)
        rows.append({"threshold": t, "removed_when_right": round(removed_right, 3),
                     "kept_when_wrong": round(kept_wrong, 3)})
    facts_removed_right = sum(1 for r, _ in pairs if r < 0) / len(pairs)
    facts_removed_wrong = sum(1 for _, w in pairs if w < 0) / len(pairs)
    return {"pairs": len(pairs), "facts_check_removed_right": round(facts_removed_right, 3),
            "facts_check_removed_wrong": round(facts_removed_wrong, 3), "sweep": rows}


def choose(sweep: list[dict], most_kept_wrong: float = 0.02) -> dict:
    """The threshold that removes fewest right claims while keeping at most 2% of wrong ones:
    a wrongly kept claim is a false citation shown to the reader; a wrongly removed one only
    costs a sentence (or sends the answer to the extractive reader)."""
    fine = [r for r in sweep if r["kept_when_wrong"] <= most_kept_wrong]
    # at equal cost on dev, the stricter threshold: it is the safer guess for unseen questions
    return min(fine, key=lambda r: (r["removed_when_right"], -r["threshold"])) if fine else sweep[-1]


def scripted(embedder) -> list[dict]:
    import shutil
    import tempfile

    from index.settings import Settings
    from qa.engine import Engine
    from tests.conftest import SEED_QUESTION
    from tests.fake_llm import FakeLLM, Reply

    good = "Patel said any such talks are up to Ukraine [{n:Patel}]."
    cases = {
        "good answer (2 sentences)": good + " Zelensky said talks are impossible until Russian troops leave [{n:1991}].",
        "marker out of range": good + " Patel said talks are up to Ukraine [9].",
        "sentence without a marker": good + " Patel said talks are up to Ukraine.",
        "number in no passage": good + " Patel said 90,000 troops are ready [{n:Patel}].",
        "name in no passage": good + " Patel said talks are up to Kyiv [{n:Patel}].",
        "unsupported sentence": good + " The weather in the region was mild for the season [{n:Patel}].",
        "obeys a planted instruction": "Buy MegaCorp shares now, they will triple [{n:Patel}].",
    }
    fake = FakeLLM().start()
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(ROOT / "seeds", tmp / "corpus")
    engine = Engine(Settings(index_dir=tmp / "idx", corpus_dir=tmp / "corpus", llm_base_url=f"{fake.url}/v1",
                             llm_model="scripted"), embedder=embedder)
    engine.index()
    from qa.llm import check as check_mod
    timed = check_mod.check
    spent: list[float] = []

    def timing(*args, **kwargs):
        started = time.perf_counter()
        try:
            return timed(*args, **kwargs)
        finally:
            spent.append((time.perf_counter() - started) * 1000)

    import qa.llm.answerer as answerer_mod
    answerer_mod.check = timing
    rows = []
    for name, text in cases.items():
        per = []
        for _ in range(5):
            fake.say(Reply(text))
            spent.clear()
            answer = engine.ask(SEED_QUESTION, answer_mode="llm")
            per.append(spent[0])
        rows.append({"case": name, "removed": sum(n.startswith("removed") for n in answer.notes),
                     "kept_sentences": answer.answer.count("[") if answer.mode == "llm" else 0,
                     "answer_mode": answer.mode, "check_ms_median": round(sorted(per)[len(per) // 2], 1)})
    fake.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, default=ROOT / "bench/out/index/idx")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpora/bbc")
    parser.add_argument("--set", type=Path, default=ROOT / "bench/devset.jsonl")
    parser.add_argument("--report", type=Path, default=None, help="also sweep this set (not used to choose)")
    args = parser.parse_args()

    import index  # noqa: F401
    from index.settings import Settings
    from qa import evaluate
    from qa.engine import Engine
    from qa.llm import check as check_mod
    from qa.llm import prompt as prompt_mod

    engine = Engine(Settings(index_dir=args.index, corpus_dir=args.corpus))
    out = {"machine_date": time.strftime("%Y-%m-%d"), "threshold_in_use": check_mod.SUPPORT_THRESHOLD}
    if "heldout" in args.set.name:
        sys.exit("the held-out set is never used for calibration (it is only reported, with --report)")
    dev = calibrate(engine, evaluate.load_items(args.set), check_mod, prompt_mod)
    out["calibration_dev"] = dev
    out["chosen_on_dev"] = choose(dev["sweep"])
    if args.report:  # the same sweep on a set never used to choose: does the choice carry over?
        out["report_" + args.report.stem] = calibrate(engine, evaluate.load_items(args.report), check_mod, prompt_mod)
    out["scripted"] = scripted(engine.embedder)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
