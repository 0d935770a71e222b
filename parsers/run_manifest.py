"""The load and server settings a run directory's `run.json` records (`RunSettings`), derived
from its typed `parsers.run_dir.RunManifest` (the one reader of run.json).

Schema 2 (launchers/manifest.py since issue 21): both phases of `run_eval.sh --baseline` write
the typed settings (`RunConfig`), and they are read from those keys only:

- `target`: `config.target` (else `config.model`). A speculators-format checkpoint served directly
  (`config.model_format` "speculators") is the verifier it names (`config.verifier`): what vLLM
  serves as the target, and what its baseline serves.
- `speculative_config`: `config.speculative_config` (None: the server had none).
- `temperature`: `config.temperature`; SERVER_DEFAULT when it is null; None when it is absent.
- `prompt_tokens` / `output_tokens` / `endpoint` / `profile`: the keys of those names.

Legacy (schema 1 and unversioned files, `LegacyRunConfig`): their baseline phase wrote only
`config.server_command` and `config.load_command`, so every value is re-parsed from those argv
first (the only place argv is parsed back) and taken from the text fields otherwise:

- `target`: the positional after `serve`; else `config.target` / `config.model` (and the
  speculators rule above). `speculative_config`: `--speculative-config`; else the field.
- `temperature`: `temperature` of `--override-generation-config`; SERVER_DEFAULT when the server
  command has no such override; else `config.temperature` ("" = server default).
- `prompt_tokens` / `output_tokens`: the load command's `--data` (`prompt_tokens=N,output_tokens=M`);
  else `config.data_spec`. `endpoint`: `request_format=` of `--backend`. `profile`: `--profile`.
None wherever run.json does not say (old run directories lack fields or the file).
"""
from __future__ import annotations

import json
import shlex
from dataclasses import dataclass

from speclens.parsers.load_config import data_lengths
from speclens.parsers.run_dir import LegacyRunConfig, RunConfig, RunManifest, read_manifest

SERVER_DEFAULT = "server default"


@dataclass(frozen=True, slots=True)
class RunSettings:
    path: str
    target: str | None = None
    has_server_command: bool = False
    speculative_config: str | None = None
    temperature: float | str | None = None  # a number, SERVER_DEFAULT, or None (not recorded)
    prompt_tokens: int | None = None
    output_tokens: int | None = None
    endpoint: str | None = None
    profile: str | None = None


def _argv(value: str | None) -> list[str]:
    if not isinstance(value, str) or not value.strip():
        return []
    try:
        return shlex.split(value)
    except ValueError:
        return []


def option_value(argv: list[str], *names: str) -> str | None:
    """The value of the first of `names` in a command's argv (`--name VALUE` or `--name=VALUE`), else None."""
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


def _served_target(config: RunConfig, named: str | None) -> str | None:
    target = named or config.target or config.model or None
    if config.model_format == "speculators" and config.verifier and target == config.model:
        return config.verifier  # a speculators checkpoint serves its verifier as the target
    return target


def run_settings(path: str, manifest: RunManifest) -> RunSettings:
    """The settings of a read run.json (`path`: where it was read, for errors)."""
    config = manifest.require_config(path)
    if isinstance(config, LegacyRunConfig):
        return _legacy_settings(path, config)
    temperature = (None if "temperature" not in config.model_fields_set
                   else SERVER_DEFAULT if config.temperature is None else config.temperature)
    return RunSettings(path, _served_target(config, None), bool(config.server_command), config.speculative_config,
                       temperature, config.prompt_tokens, config.output_tokens, config.endpoint,
                       config.profile or None)


def _legacy_settings(path: str, config: LegacyRunConfig) -> RunSettings:
    """Schema 1 and older: the settings re-parsed from the recorded argv (see the module docstring)."""
    server, load = _argv(config.server_command), _argv(config.load_command)
    target = _served_target(config, server[server.index("serve") + 1] if "serve" in server[:-1] else None)
    spec = option_value(server, "--speculative-config", "--speculative_config") if server else None
    if not server and config.speculative_config:
        spec = config.speculative_config
    if server:
        temperature = _temperature_override(option_value(server, "--override-generation-config", "--override_generation_config"))
    else:
        raw = config.temperature
        try:
            temperature = float(raw) if raw not in (None, "") else (SERVER_DEFAULT if raw == "" else None)
        except ValueError:
            temperature = None
    prompt, output = data_lengths(option_value(load, "--data") or config.data_spec or "")
    profile = option_value(load, "--profile") or config.profile or None
    return RunSettings(path, target, bool(server), spec, temperature, prompt, output,
                       _kv(option_value(load, "--backend"), "request_format"), profile)


def read_run_settings(path: str) -> RunSettings | None:
    """The settings recorded in the run.json at `path`; None when there is no such file."""
    manifest = read_manifest(path)
    return run_settings(path, manifest) if manifest is not None else None
