"""SpecLoRA with real (constructed, tiny) models: training is seeded and writes best/final/latest;
merging is deterministic (same adapter -> same merged weights hash), cached by adapter hash, and the
merged draft computes what the base + adapter computes. Needs torch, transformers, peft."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")
transformers = pytest.importorskip("transformers")

from speclens.clients.speclora import lora_merge
from speclens.clients.speclora import cli as speclora
from speclens.clients.speclora import adapters
from speclens.clients.speclora.train import TrainConfig, train


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1-layer Llama with a 40-token vocabulary, seeded."""
    torch.manual_seed(0)
    config = transformers.LlamaConfig(vocab_size=40, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                      num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=128,
                                      pad_token_id=0, bos_token_id=1, eos_token_id=2)
    path = tmp_path_factory.mktemp("base") / "draft"
    transformers.LlamaForCausalLM(config).save_pretrained(path)
    (path / "tokenizer_config.json").write_text('{"marker": 1}')  # copied as is into merged drafts
    return path


@pytest.fixture(scope="module")
def data(base: Path) -> Path:
    """20 samples: prompt [1, 3 + i % 5], completion counting up from 10 (a pattern the draft can learn)."""
    lines = [json.dumps({"record": "provenance", "draft_model": str(base)})]
    for i in range(20):
        lines.append(json.dumps({"record": "sample", "prompt": f"p{i}", "prompt_token_ids": [1, 3 + i % 5],
                                 "completion_token_ids": [10 + (i + j) % 8 for j in range(6)] + [2]}))
    path = base.parent / "data.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def trained(base: Path, data: Path) -> tuple[Path, dict]:
    ck = base.parent / "ck"
    cfg = TrainConfig(rank=4, alpha=8, lr=1e-2, steps=20, batch=4, eval_every=10, heldout_fraction=0.2, seed=3)
    return ck, train(str(data), str(base), ck, cfg, overwrite=False)


def test_training_writes_checkpoints_and_aliases(trained: tuple[Path, dict]) -> None:
    ck, summary = trained
    assert [s["step"] for s in summary["checkpoints"]] == [10, 20]
    assert (summary["num_train_samples"], summary["num_heldout_samples"]) == (16, 4)  # round(0.2 × 20) = 4 held out
    assert summary["heldout_positions"] == 28  # 4 held-out samples × 7 completion tokens
    assert adapters.resolve("final", ck).name == "step-000020" and adapters.resolve("latest", ck).name == "step-000020"
    best = adapters.resolve("best", ck).name
    assert best == adapters.step_name(summary["aliases"]["best"])
    assert summary["checkpoints"][-1]["heldout_loss"] < summary["heldout_before"]["loss"]  # it learned something
    state = json.loads((ck / "step-000010" / "trainer_state.json").read_text())
    assert state["step"] == 10 and set(state) >= {"train_loss", "heldout_loss", "heldout_agreement", "seconds"}


def test_training_refuses_to_replace_a_previous_run(trained: tuple[Path, dict], data: Path, base: Path) -> None:
    ck, _ = trained
    with pytest.raises(speclora.cc.UsageError, match="already holds checkpoints"):
        train(str(data), str(base), ck, TrainConfig(steps=1), overwrite=False)
    assert (ck / "step-000020" / "adapter_model.safetensors").exists()


def test_training_is_seeded(trained: tuple[Path, dict], data: Path, base: Path) -> None:
    ck, summary = trained
    again = train(str(data), str(base), ck.parent / "ck2", TrainConfig(**summary["config"]), overwrite=False)
    assert [s["train_loss"] for s in again["checkpoints"]] == [s["train_loss"] for s in summary["checkpoints"]]
    assert adapters.adapter_hash(ck / "final") == adapters.adapter_hash(ck.parent / "ck2" / "final")


def test_merge_is_deterministic_and_cached(trained: tuple[Path, dict], base: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    ck, _ = trained
    first, info1, cached1 = lora_merge.merge(ck / "final", out=str(tmp_path / "m1"))
    _, info2, _ = lora_merge.merge(ck / "final", out=str(tmp_path / "m2"))
    assert not cached1 and info1["weights_sha256"] == info2["weights_sha256"]
    _, info3, _ = lora_merge.merge(ck / "step-000010", out=str(tmp_path / "m3"))
    assert info3["weights_sha256"] != info1["weights_sha256"]  # another adapter, other weights
    plain = transformers.AutoModelForCausalLM.from_pretrained(base)
    assert lora_merge.weights_sha256(plain) != info1["weights_sha256"]  # the adapter changed the draft
    assert (first / "tokenizer_config.json").read_text() == '{"marker": 1}'
    monkeypatch.setenv("SPECLENS_CACHE", str(tmp_path / "cache"))
    cached_dir, _, cached = lora_merge.merge(ck / "final")
    assert not cached and cached_dir.name.startswith(adapters.adapter_hash(ck / "final"))
    again_dir, again, cached = lora_merge.merge(ck / "final")
    assert cached and again_dir == cached_dir and again["weights_sha256"] == info1["weights_sha256"]


def test_merged_draft_computes_what_base_plus_adapter_computes(trained: tuple[Path, dict], base: Path,
                                                               tmp_path: Path) -> None:
    from peft import PeftModel

    ck, _ = trained
    merged, _, _ = lora_merge.merge(ck / "final", out=str(tmp_path / "m"))
    ids = torch.tensor([[1, 3, 10, 11, 12]])
    with torch.no_grad():
        want = PeftModel.from_pretrained(transformers.AutoModelForCausalLM.from_pretrained(base),
                                         str(ck / "final")).eval()(input_ids=ids).logits
        got = transformers.AutoModelForCausalLM.from_pretrained(merged).eval()(input_ids=ids).logits
    assert torch.allclose(want, got, atol=1e-5)


def test_merge_refuses_an_existing_out(trained: tuple[Path, dict], tmp_path: Path) -> None:
    ck, _ = trained
    (tmp_path / "taken").mkdir()
    with pytest.raises(speclora.cc.UsageError, match="already exists"):
        lora_merge.merge(ck / "final", out=str(tmp_path / "taken"))


def test_draft_disagreements_are_where_its_greedy_token_differs(base: Path) -> None:
    from speclens.clients.speclora.collect import DraftJudge

    judge = DraftJudge(str(base))
    prompt, answer = [1, 3], [10, 11, 12, 13]
    with torch.no_grad():
        logits = judge.model(input_ids=torch.tensor([prompt + answer])).logits[0]
    guesses = logits[1:5].argmax(-1).tolist()  # the predictions for answer positions 0..3
    assert judge.disagreements(prompt, answer) == [j for j in range(4) if guesses[j] != answer[j]]
    own = []
    with torch.no_grad():  # the draft's own greedy answer, token by token: it never disagrees with itself
        for _ in range(4):
            own.append(int(judge.model(input_ids=torch.tensor([prompt + own])).logits[0, -1].argmax()))
    assert judge.disagreements(prompt, own) == []
    assert judge.disagreements(prompt, []) == []


def test_collect_data_file_from_a_server_without_token_ids(base: Path, tmp_path: Path, capsys) -> None:
    from tests.clients.fake_server import FakeServer, FakeWorld

    world = FakeWorld()
    world.script("target", "q1", world.encode("a", "b"))
    world.spec_models = {"target": (4, 2)}
    world.per_request_metrics = True
    out = tmp_path / "data" / "d.jsonl"
    (tmp_path / "p.txt").write_text("q1\n")
    with FakeServer(world) as s:
        code = speclora.main(["collect-data", "--url", s.url, "--draft", str(base), "-f", str(tmp_path / "p.txt"),
                              "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    head, rec = (json.loads(line) for line in out.read_text().splitlines())
    assert head["record"] == "provenance" and head["token_ids"] == ["retokenized"] and head["target_model"] == "target"
    assert rec["prompt_token_ids"] == [1, 10] and rec["completion"] == "ab"
    assert (rec["spec_draft_tokens"], rec["spec_accepted_tokens"]) == (4, 2)
    n = len(rec["completion_token_ids"])
    assert rec["draft_agreement"] == round(1 - rec["draft_disagreements"] / n, 4)
    assert rec["failure_case"] == (rec["draft_disagreements"] > 0)
    code = speclora.main(["collect-data", "--url", s.url, "--draft", str(base), "-f", str(tmp_path / "p.txt"),
                          "-o", str(out)])
    assert code == 2 and "already exists" in capsys.readouterr().err  # nothing overwritten
