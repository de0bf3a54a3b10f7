"""`make bench`: latency and throughput of the whole stack against bare Rasa, memory, triage
time and training time, written to docs/benchmarks.md and docs/benchmarks.json."""
