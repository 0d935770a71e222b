"""Every command-line option the README and docs/*.md show for a command exists in that command's
--help, so the docs and the code cannot drift apart.

Commands checked: `speclens SUBCOMMAND`, `run_eval.sh`, `launchers/X.sh` and
`python -m speclens.clients.X [SUBCOMMAND]`. An option is a `--name` token in a code span that
starts with the command, or on a code-block line after the command (up to a bare `--`, after which
the words belong to vLLM or to the command the launcher runs)."""
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPECLENS = Path(sys.executable).with_name("speclens")
# one command: speclens SUB | run_eval.sh | launchers/X.sh | python -m speclens.clients.X [SUB]
COMMAND = re.compile(
    r"(?:(?<=\s)|^)(?:\S*/)?(?:speclens\s+(?P<sub>[a-z]+)"
    r"|(?P<run_eval>run_eval\.sh)"
    r"|launchers/(?P<launcher>[a-z0-9_]+)\.sh"
    r"|python3?\s+-m\s+speclens\.clients\.(?P<client>[a-z0-9_]+)(?:\s+(?P<client_sub>[a-z][a-z-]+))?)"
    r"(?=\s|$)"
)
OPTION = re.compile(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*)")
SPAN = re.compile(r"`([^`\n]+)`")
ASSIGN = re.compile(r'^\s*([A-Z_][A-Z0-9_]*)="([^"]*)"\s*$')


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def help_argv(match: re.Match) -> tuple[str, ...]:
    if match["sub"]:
        return (str(SPECLENS), match["sub"], "-h")
    if match["run_eval"]:
        return (str(ROOT / "run_eval.sh"), "-h")
    if match["launcher"]:
        return (str(ROOT / "launchers" / f"{match['launcher']}.sh"), "-h")
    sub = (match["client_sub"],) if match["client_sub"] and match["client"] == "speclora" else ()
    return (sys.executable, "-m", f"speclens.clients.{match['client']}", *sub, "--help")


def shown_options(text: str) -> list[tuple[tuple[str, ...], str, int]]:
    """(help command, option, line) for every option shown after a command."""
    found = []

    def scan(segment: str, line: int, anchored: bool) -> None:
        for part in re.split(r"\s--(?:\s|$)", segment):
            match = COMMAND.search(part)
            if match is None or (anchored and part[: match.start()].strip(" .")):
                continue
            found.extend((help_argv(match), opt, line) for opt in OPTION.findall(part[match.end():]))

    lines = text.split("\n")
    in_fence, block, variables = False, "", {}
    for number, line in enumerate(lines, 1):
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence or line.startswith("    "):
            if assigned := ASSIGN.match(line):
                variables[assigned[1]] = assigned[2]
            for name, value in variables.items():
                line = line.replace(f"${name}", value)
            block += line.rstrip("\\") + " "
            if not line.rstrip().endswith("\\"):
                scan(block, number, anchored=False)
                block = ""
            continue
        variables = {}
        for span in SPAN.findall(line):
            scan(span, number, anchored=True)
    return found


def run_help(argv: tuple[str, ...]) -> str:
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def unknown_options(paths: list[Path]) -> list[str]:
    shown = [(path, *item) for path in paths for item in shown_options(path.read_text(encoding="utf-8"))]
    argvs = sorted({argv for _, argv, _, _ in shown})
    with ThreadPoolExecutor(max_workers=4) as pool:
        helps = dict(zip(argvs, pool.map(run_help, argvs)))
    return [
        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{line}: {opt} is not in `{' '.join(Path(a).name for a in argv)}`"
        for path, argv, opt, line in shown
        if not re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", helps[argv])
    ]


def test_every_documented_option_is_in_its_commands_help():
    assert unknown_options(doc_files()) == []


def test_docs_show_options_of_every_kind_of_command():
    # guards the parser itself: if it stopped finding commands, the test above would pass vacuously
    commands = {argv[1] if argv[0] == str(SPECLENS) else Path(argv[0]).name if len(argv) == 2 else argv[2]
                for path in doc_files() for argv, _, _ in shown_options(path.read_text(encoding="utf-8"))}
    assert {"acceptance", "compare", "run_eval.sh", "qwen3.sh", "opt_verify.sh",
            "speclens.clients.spec_thinking", "speclens.clients.speclora"} <= commands


def test_an_invented_option_is_reported(tmp_path):
    doc = tmp_path / "README.md"
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    doc.write_text(text + "\nTry `speclens compare --no-such-flag DIR`, then\n\n"
                   "    ./run_eval.sh -m tiny --no-such-flag -- --not-ours\n", encoding="utf-8")
    last = len(text.split("\n"))
    # README.md:<line> for the span and the code block; --not-ours follows a bare `--` (vLLM's)
    assert unknown_options([doc]) == [
        f"README.md:{last + 1}: --no-such-flag is not in `speclens compare -h`",
        f"README.md:{last + 3}: --no-such-flag is not in `run_eval.sh -h`",
    ]
