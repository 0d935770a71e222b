"""Byte-level BPE tokenizer with a Llama-3-style chat template.

The tokenizer is trained with the ``tokenizers`` library on the generated
corpus and wrapped as ``PreTrainedTokenizerFast`` so that vLLM and guidellm
load it with ``AutoTokenizer``.  No BOS is added by ``encode``: the chat
template writes ``<|begin_of_text|>`` itself, as vLLM renders chats with
``add_special_tokens=False``.

Training sequences are tokenized the way the server will see them: the prompt
(chat template with ``add_generation_prompt=True``) is encoded on its own and
the assistant answer plus ``<|eot_id|>`` is appended, since the model produces
those tokens one by one.  ``encode_dialog`` does exactly that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

BOS, EOS_TEXT, EOT = "<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"
SH, EH = "<|start_header_id|>", "<|end_header_id|>"
SPECIAL_TOKENS = [BOS, EOS_TEXT, SH, EH, EOT]

CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' }}"
    "{{ message['content'] | trim }}{{ '<|eot_id|>' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}"
    "{% endif %}"
)


def render_prompt(question: str) -> str:
    """Python twin of ``CHAT_TEMPLATE`` for one user turn + generation prompt."""
    return f"{BOS}{SH}user{EH}\n\n{question.strip()}{EOT}{SH}assistant{EH}\n\n"


def train_tokenizer(texts: Iterable[str], vocab_size: int):
    """Train a byte-level BPE on ``texts``; return a PreTrainedTokenizerFast."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=BOS,
        eos_token=EOT,
        pad_token=EOS_TEXT,
        model_max_length=1024,
    )
    fast.chat_template = CHAT_TEMPLATE
    check_template(fast)
    return fast


def check_template(tok) -> None:
    """Fail loudly if the jinja template and ``render_prompt`` disagree."""
    q = "Tom has 3 apples. How many apples does Tom have?"
    jinja = tok.apply_chat_template(
        [{"role": "user", "content": q}], tokenize=False, add_generation_prompt=True
    )
    if jinja != render_prompt(q):
        raise RuntimeError(f"chat template mismatch: {jinja!r} != {render_prompt(q)!r}")


def encode_dialogs(tok, dialogs: Sequence[tuple[str, str]]) -> list[list[int]]:
    """Token ids of each (question, answer) exactly as served and generated."""
    prompts = tok([render_prompt(q) for q, _ in dialogs], add_special_tokens=False)
    answers = tok([a + EOT for _, a in dialogs], add_special_tokens=False)
    return [p + a for p, a in zip(prompts["input_ids"], answers["input_ids"])]


def special_ids(tok) -> dict[str, int]:
    return {t: tok.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}


def multi_token_numbers(tok, upto: int) -> list[int]:
    """Numbers in [0, upto] that are not a single token after a space."""
    return [n for n in range(upto + 1) if len(tok.encode(f" {n}", add_special_tokens=False)) != 1]
