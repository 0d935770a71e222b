"""The load and server settings a run directory's `run.json` (launchers/manifest.py) records.

Both phases of `run_eval.sh --baseline` write `config.server_command` and `config.load_command`
(shell-quoted argv); the speculative phase also writes resolved fields (`target`,
`speculative_config`, `temperature`, `data_spec`, `profile`, ...), the baseline phase only the two
commands. So every value is read from the commands first (the same source in both phases) and
from the resolved fields otherwise:

- `target`: the positional after `serve` in the server command; else `config.target` / `config.model`.
- `speculative_config`: `--speculative-config` / `--speculative_config` (None: the server had none);
  else `config.speculative_config`.
- `temperature`: `temperature` of `--override-generation-config`; "server default" when the server
  command has no such override; else `config.temperature` ("" = server default).
- `prompt_tokens` / `output_tokens`: the load command's `--data` (`prompt_tokens=N,output_tokens=M`);
  else `config.data_spec`. `endpoint`: `request_format=` of `--backend`. `profile`: `--profile`.
None wherever run.json does not say (old run directories lack fields or the file).
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

from speclens.parsers.errors import ParseError
from speclens.parsers.files import open_input
from speclens.parsers.load_config import data_lengths

SERVER_DEFAULT = "server default"


@dataclass(frozen=True, slots=True)
class RunManifest:
    path: str
    target: str | None = None
    has_server_command: bool = False
    speculative_config: str | None = None
    temperature: float | str | None = None  # a number, SERVER_DEFAULT, or None (not recorded)
    prompt_tokens: int | None = None
    output_tokens: int | None = None
    endpoint: str | None = None
    profile: str | None = None


def _argv(value: Any) -> list[str]:
    if not isinstance(value, str) or not value.strip():
        return []
    try:
        return shlex.split(value)
    except ValueError:
        return []


def _option(argv: list[str], *names: str) -> str | None:
    for i, arg in enumerate(argv):
        for name in names:
            if arg == name and i + 1 < len(argv):
                return argv[i + 1]
            if arg.startswith(name + "="):
                return arg[len(name) + 1 :]
    return None


def _temperature_override(text: str | None) -> float | str | None:
    if text is None:
        return SERVER_DEFAULT
    try:
        value = json.loads(text).get("temperature")
    except (ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else SERVER_DEFAULT


def _kv(text: str | None, key: str) -> str | None:
    for part in (text or "").split(","):
        name, eq, value = part.partition("=")
        if eq and name.strip() == key:
            return value.strip()
    return None


def parse_manifest(path: str, doc: Any) -> RunManifest:
    config = doc.get("config") if isinstance(doc, dict) else None
    if not isinstance(config, dict):
        raise ParseError(path, None, "expected a run.json object with a 'config' object",
                         "pass a run directory written by run_eval.sh (launchers/manifest.py)")
    server, load = _argv(config.get("server_command")), _argv(config.get("load_command"))
    target = server[server.index("serve") + 1] if "serve" in server[:-1] else None
    target = target or config.get("target") or config.get("model") or None
    spec = _option(server, "--speculative-config", "--speculative_config") if server else None
    if not server and config.get("speculative_config"):
        spec = str(config["speculative_config"])
    if server:
        temperature = _temperature_override(_option(server, "--override-generation-config", "--override_generation_config"))
    else:
        raw = config.get("temperature")
        try:
            temperature = float(raw) if raw not in (None, "") else (SERVER_DEFAULT if raw == "" else None)
        except (TypeError, ValueError):
            temperature = None
    prompt, output = data_lengths(_option(load, "--data") or config.get("data_spec") or "")
    profile = _option(load, "--profile") or config.get("profile") or None
    return RunManifest(path, target if isinstance(target, str) else None, bool(server), spec, temperature, prompt, output,
                       _kv(_option(load, "--backend"), "request_format"), profile if isinstance(profile, str) else None)


def read_manifest(path: str) -> RunManifest:
    try:
        with open_input(path, "r", encoding="utf-8") as handle:
            doc = json.load(handle)
    except json.JSONDecodeError as err:
        raise ParseError(path, err.lineno, f"invalid JSON ({err.msg})", "the run.json is truncated or not JSON") from None
    except UnicodeDecodeError as err:
        raise ParseError(path, None, f"expected UTF-8 JSON, found an invalid byte at offset {err.start}") from None
    return parse_manifest(path, doc)
