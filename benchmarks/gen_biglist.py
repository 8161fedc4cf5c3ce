#!/usr/bin/env python3
"""Writes a rules file with one list of N items used by a rule (compile-time stress)."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
out = sys.stdout
out.write("- list: big_list\n  items: [")
out.write(", ".join(f"/usr/bin/tool{i}" for i in range(n)))
out.write("]\n")
out.write("- macro: spawned_process\n  condition: evt.type in (execve, execveat)\n")
out.write("- rule: big list rule\n  desc: a rule over a very long list\n"
          "  condition: spawned_process and proc.exe in (big_list)\n"
          "  output: big list match (proc=%proc.name exe=%proc.exe)\n  priority: NOTICE\n")
