#!/usr/bin/env bash
# The default ruleset rule by rule over crafted captures (tests/e2e/rules_replay.sh): a trigger
# and a benign look-alike for every rule, through the YAML rules and the compiled bundle.
exec bash "$2/tests/e2e/rules_replay.sh" "$@"
