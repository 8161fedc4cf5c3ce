"""What the benchmark driver (bench.py) and its suites (kernel/ksuite.py, mem/msuite.py) share:
min/median/max of repeated figures, how falcod is run quietly, and the reading of falcod's
end-of-run summary (stderr), one pattern per figure, so a change to that summary is followed in
one place."""
import re
import statistics

# falcod as the suites run it: no syslog, alerts to stdout (discarded by the caller)
QUIET = ["-o", "syslog_output.enabled=false"]

# figure -> pattern of falcod's summary; a pattern with several groups names them in a tuple key
SUMMARY = (
    ("events_read", r"events read: (\d+)"),
    ("events_evaluated", r"events evaluated: (\d+)"),
    ("rules_run", r"rules run (\d+)"),
    ("matches", r"matches (\d+)"),
    ("alerts", r"Events detected: (\d+)"),
    ("wall_s", r"wall time: ([\d.]+) s"),
    ("events_per_s", r"s, (\d+) events/s"),
    ("max_rss_kib", r"max RSS (\d+) KiB"),
    (("threads", "fds", "containers", "thread_evictions", "fd_evictions"),
     r"state: (\d+) threads, (\d+) fds, (\d+) containers \(evictions (\d+) threads, (\d+) fds\)"),
    # live only: the probe's counters and falcod's own threads
    ("seen", r"probe: (\d+) syscalls seen"),
    ("sent", r"(\d+) sent,"),
    ("filtered", r"(\d+) filtered in the kernel"),
    ("drops_buffer", r"(\d+) dropped \(ring full\)"),
    ("drops_max_size", r"(\d+) dropped \(too large\)"),
    ("rings", r"(\d+) rings"),
    ("own_skipped", r"own threads skipped: (\d+)"),
    ("own_dropped", r"(\d+) of falcod's own dropped in the kernel"),
)


def stats(values):
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def _num(s):
    return float(s) if "." in s else int(s)


def falcod_summary(text):
    """Every figure of SUMMARY found in TEXT (falcod's stderr), as numbers."""
    out = {}
    for key, pat in SUMMARY:
        m = re.search(pat, text)
        if not m:
            continue
        if isinstance(key, tuple):
            out.update(zip(key, map(_num, m.groups())))
        else:
            out[key] = _num(m.group(1))
    return out
