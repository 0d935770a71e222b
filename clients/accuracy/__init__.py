"""GSM8K accuracy and throughput, diffusion LMs included: `python -m speclens.clients.accuracy`."""
