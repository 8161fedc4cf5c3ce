#!/usr/bin/env bash
# Live end-to-end suite (tests/e2e/live/run): real actions against two falcod agents, with and
# without the kernel pre-filter. Skips (77) only without root, kernel BTF or a loadable probe.
exec bash "$2/tests/e2e/live/run" "$@"
