#!/usr/bin/env bash
# The README demo (scripts/demo) runs to completion unattended: falcod live with the default
# configuration, three behaviours seen on stdout and at a local webhook, counters at /metrics.
# Skips (77) where live mode is not possible (not root, no BTF, the probe does not load).
exec timeout 300 bash "$2/scripts/demo" "$(dirname "$(realpath "$1")")"
