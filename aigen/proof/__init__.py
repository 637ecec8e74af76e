"""Proven detection: generated promtool tests (scenarios) and the `aigen test` runner that measures time-to-fire."""
