"""`speclens profile`: a run's acceptance as NVIDIA Model-Optimizer specdec_bench's portable
`speculation_profile.json` (schema_version "1.0"); see `analyzers.profile.build`."""
