"""Write the passage questions' vectors beside them (corpus/questions.vectors.npz), so a fresh
index build of the bundled corpus reads them instead of encoding every question again.

    python -m evals.question_vectors [--corpus corpus]

Run it after changing corpus/questions.jsonl (a question the seed lacks is simply encoded by
the build) or the encoder. The vectors are the build's own: the same encoder, as queries, at
the 8-bit precision every build keeps question vectors in.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.question_vectors", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(ROOT / "corpus"))
    args = parser.parse_args(argv)

    from assistant.search import questions as passage_questions
    from assistant.search.encoders import load_encoder
    from assistant.search.vector_cache import write_seed

    corpus = Path(args.corpus)
    texts = list(dict.fromkeys(q for line in passage_questions.load_questions(corpus) for q in line.questions))
    encoder = load_encoder()
    t0 = time.perf_counter()
    vectors = encoder.encode_questions(texts)
    out = passage_questions.seed_path(corpus)
    write_seed(out, encoder.model_id, texts, vectors)
    print(f"{len(texts)} questions encoded with {encoder.model_id} in {time.perf_counter() - t0:.0f} s -> {out} "
          f"({out.stat().st_size / 2**20:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
