"""python -m bench.relevance: score the judged set on a seeded directory, print the worst answers,
and (with --write-docs) put the figures in docs/matching.md."""
from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from bench.relevance import load_cases
from bench.relevance.runner import K, Summary, run, seeded_app, summarise, temp_db, worst
from reference import nucc

DOCS = Path(__file__).resolve().parents[2] / "docs" / "matching.md"
BEGIN, END = "<!-- relevance:begin -->", "<!-- relevance:end -->"


def main(argv: list[str] | None = None) -> None:
    """Run every judged case on each backend configured."""
    parser = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__)
    parser.add_argument("--count", type=int, default=20000, help="synthetic specialists to seed")
    parser.add_argument("--worst", type=int, default=10, help="worst answers to print")
    parser.add_argument("--write-docs", action="store_true", help="write the table into docs/matching.md")
    args = parser.parse_args(argv)
    cases = load_cases()
    backends = ["embedded"]
    if os.environ.get("ELASTICSEARCH_URL"):
        backends.append("elasticsearch")
    if os.environ.get("OPENSEARCH_URL"):
        backends.append("opensearch")  # a real node: `make opensearch`
    summaries = []
    for backend in backends:
        results = run(seeded_app(args.count, temp_db(), backend), cases)
        summaries.append(summarise(backend, results))
        empty = [f"{r.case.id} {r.case.system}:{r.case.code} in {r.case.place}" for r in results if r.empty]
        print(f"\n{backend}: {len(empty)} empty answers: {'; '.join(empty) or 'none'}")
        print(f"{backend}: worst {args.worst} answers (nDCG@{K})")
        for r in worst(results, args.worst):
            shown = ", ".join(f"{_display(p)}{'' if g else ' (x)'}" for _, p, g in r.top[:6])
            print(f"  {r.case.id} {r.case.system}:{r.case.code} {r.case.name[:40]!r} age {r.case.age} "
                  f"{r.case.place} ({r.case.reason}): nDCG {r.ndcg:.2f} P {r.precision:.2f} -> {shown}")
    table = markdown(summaries, len(cases), args.count)
    print("\n" + table)
    if args.write_docs:
        write_docs(table)


def _display(code: str | None) -> str:
    found = nucc.get(code) if code else None
    return found.display if found else "?"


def markdown(summaries: list[Summary], cases: int, count: int) -> str:
    """The figures as a Markdown table, with the command that made them."""
    lines = [f"`python -m bench.relevance --count {count} --write-docs` ({cases} judged cases, "
             f"{count:,} synthetic specialists, seed 42):", "",
             f"| backend | precision@{K} | nDCG@{K} | wrong population | empty answers | empty in top-10 metros |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {s.backend} | {s.precision:.3f} | {s.ndcg:.3f} | {s.wrong_population_rate:.1%} | "
              f"{s.empty_rate:.1%} | {s.empty_in_top_metros} |" for s in summaries]
    return "\n".join(lines)


def write_docs(table: str, path: Path = DOCS) -> None:
    """Replace the figures between the relevance markers of docs/matching.md."""
    text = path.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{table}\n{END}"
    path.write_text(re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S),
                    encoding="utf-8")


if __name__ == "__main__":
    main()
