"""Does a learned confidence beat the hand-made one? Cross-validated on the dev set only.

    .venv/bin/python bench/confidence_cv.py [--index bench/out/index/idx] [--dev bench/devset.jsonl]

Answers every dev question once, recording the components `qa.confidence.confidence`
combines for the chosen sentence, then compares, in 5-fold cross-validation (5 shuffles):
the hand-made product (qa/tuning.py) against a logistic regression over the same
components (scikit-learn, classes balanced). In each fold the threshold is the highest
that abstains on at most 5% of the training fold's answerable questions; the figures are
the held-out folds' answerable abstained, unanswerable abstained and answers found.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
KEYS = ["fit", "grounded", "sim", "said", "type", "typed", "missing", "absent", "unknown", "year", "pred",
        "contra", "pscore", "cscore"]


def collect(index_dir: Path, dev: Path) -> list[dict]:
    import index  # noqa: F401 - offline first
    from index.settings import Settings
    from qa import answer, confidence as conf_module, evaluate
    from qa.candidates import answer_score
    from qa.engine import Engine
    from qa.scoring import coverage
    from qa.terms import tokenize

    seen: dict = {}
    original = conf_module.confidence

    def recording(info, best, idf, weights, tuning=conf_module.DEFAULT, article_text=""):
        value = original(info, best, idf, weights, tuning, article_text)
        context = f"{best.passage.headline} {best.passage.text}".lower()
        missing = [n for n in info.names if n.lower() not in context]
        whole = f"{best.passage.headline} {article_text}".lower()
        seen["f"] = {
            "fit": best.fit.score, "sim": best.similarity, "said": best.said, "type": best.fit.fit,
            "grounded": coverage(info, best.fit.tokens | conf_module._passage_tokens(best), idf, weights),
            "typed": answer_score(best.typed, tuning) if best.typed else 0.0,
            "missing": len(missing) / len(info.names) if info.names else 0.0,
            "absent": float(any(n.lower() not in whole for n in missing)),
            "unknown": float(sum(1 for t in set(tokenize(" ".join(info.names))) if idf.df(t) == 0)),
            "year": float(bool(info.years) and not any(
                y in best.passage.text or (best.passage.date or "").startswith(y) for y in info.years)),
            "pred": conf_module.predicate_support(info, best, idf) if info.predicate else 1.0,
            "contra": float(conf_module.contradicted(info, best)),
            "pscore": best.passage.score, "cscore": best.score,
        }
        return value

    answer.confidence = recording
    engine = Engine(Settings(index_dir=index_dir))
    rows = []
    for item in evaluate.load_items(dev):
        seen.clear()
        reply = engine.ask(item.question, threshold=0.0)
        found = any(a.lower() in reply.answer.lower() for a in item.answers) and len(reply.answer.split()) <= 60
        rows.append({"answerable": item.answerable, "found": found, "conf": reply.confidence,
                     "f": seen.get("f") or dict.fromkeys(KEYS, 0.0)})
    answer.confidence = original
    return rows


def cross_validate(rows: list[dict]) -> dict[str, tuple[float, float, float]]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    hand = np.array([r["conf"] for r in rows])
    x = np.hstack([np.array([[r["f"][k] for k in KEYS] for r in rows]), np.log(np.maximum(hand, 1e-3))[:, None]])
    y = np.array([r["answerable"] for r in rows]).astype(int)
    found = np.array([r["found"] for r in rows])

    def threshold(scores, labels):
        fits = [t for t in np.unique(np.concatenate([[0.0], scores])) if np.mean(scores[labels == 1] < t) <= 0.05]
        return max(fits)

    def run(scores_for) -> tuple[float, float, float]:
        out = []
        for seed in range(5):
            abstained = np.zeros(len(y), bool)
            for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y):
                train_scores, test_scores = scores_for(train, test)
                abstained[test] = test_scores < threshold(train_scores, y[train])
            out.append((abstained[y == 1].mean(), abstained[y == 0].mean(), (found & ~abstained)[y == 1].mean()))
        return tuple(round(float(v), 3) for v in np.mean(out, axis=0))

    def learned(c):
        def scores_for(train, test):
            model = make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=1000))
            model.fit(x[train], y[train])
            return model.predict_proba(x[train])[:, 1], model.predict_proba(x[test])[:, 1]
        return scores_for

    results = {"hand-made (qa/tuning.py)": run(lambda train, test: (hand[train], hand[test]))}
    for c in (0.03, 0.1, 0.3, 1.0):
        results[f"logistic regression, C={c}"] = run(learned(c))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, default=ROOT / "bench/out/index/idx")
    parser.add_argument("--dev", type=Path, default=ROOT / "bench/devset.jsonl")
    args = parser.parse_args()
    results = cross_validate(collect(args.index, args.dev))
    print("| confidence | answerable abstained | unanswerable abstained | answer found (≤60 words) |")
    print("|---|---|---|---|")
    for name, (answerable, unanswerable, found) in results.items():
        print(f"| {name} | {answerable} | {unanswerable} | {found} |")


if __name__ == "__main__":
    main()
