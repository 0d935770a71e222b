"""Token-for-token comparison of two servers."""

from __future__ import annotations

from speclens.clients.losslessness import cli as losslessness
from speclens.clients.losslessness.cli import first_divergence
from speclens.clients.common.problems import generated
from speclens.parsers.client_results import LosslessnessResult, parse_client_result

from tests.clients.fake_server import FakeServer, FakeWorld


def test_first_divergence() -> None:
    assert first_divergence([1, 2, 3], [1, 2, 4]) == 2
    assert first_divergence([1, 2], [1, 2, 3]) == 2  # a prefix diverges where it ends
    assert first_divergence([1, 2], [1, 2]) is None


def test_one_identical_one_divergent(run_client) -> None:
    problems = generated(0, 2)
    ref, cand = FakeWorld(), FakeWorld()
    for w, model in ((ref, "ref"), (cand, "cand")):
        for p in problems:
            ref_ids = ref.encode("x", " y", f" #### {p.answer}")
            w.script(model, p.question, list(ref_ids))
    cand.pieces = dict(ref.pieces)
    cand.script("cand", problems[1].question, cand.encode("x", " z", " #### 0"))
    with FakeServer(ref) as r, FakeServer(cand) as c:
        code, out = run_client(losslessness.main, "--reference-url", r.url, "--candidate-url", c.url,
                               "--num-samples", "2")
    assert code == 0
    s = out["summary"]
    assert (s["identical"], s["identity_rate"]) == (1, 0.5)
    # common prefix 4 (identical, 3 + EOS) + 1 ("x") over max lengths 4 + 4 → 5/8
    assert s["token_agreement"] == 0.625
    assert (s["reference_accuracy"], s["candidate_accuracy"]) == (1.0, 0.5)
    assert (s["accuracy_equal"], s["lossless"]) == (False, False)
    typed = parse_client_result("ll.json", out)
    assert isinstance(typed, LosslessnessResult) and (typed.summary.identity_rate, typed.summary.lossless) == (0.5, False)
    assert out["results"][1]["first_divergence"] == 1 and out["results"][1]["reference_next"].startswith(" y")
