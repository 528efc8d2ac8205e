"""``make bench``: the performance benchmarks of docs/design.md, each against a floor measured
in the same run on the same machine (see ``docs/benchmarks.md``)."""
