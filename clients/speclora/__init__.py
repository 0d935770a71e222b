"""SpecLoRA: the LoRA-draft three-mode suite (target only / spec base draft / spec LoRA draft;
result JSON kind `three_mode`, launcher launchers/speclora.sh): `python -m speclens.clients.speclora`."""
