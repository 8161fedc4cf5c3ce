#!/usr/bin/env python3
"""The benchmark driver behind benchmarks/run: builds what each suite needs, runs every suite
whose tools are present (skipping the others with the reason), repeats runs (min/median/max),
counts instructions where the machine allows, and writes benchmarks/results/<date>-<host>.json
and .md with SVG plots. --compare flags regressions against an earlier JSON.

Suites:
  compile    falcoc validate on the default ruleset, a 10,000-item list, 40,000 warnings
             (hyperfine; instructions from perf or callgrind)
  sinsp      the libsinsp peer (benchmarks/sinsp/sinsp_bench.cpp over libfalcosecurity0-dev):
             ns per leaf, events/s of read / union filter / evttype-indexed default rules, ns per
             event against the number of rules
  replay     a ~1M-event capture replicated from a sample (benchmarks/replay/replicate.c);
             `sysdig -r` on it with and without the union of the default rules' conditions;
             `falcod --replay` on it once falcod exists
  vm         benchmarks/vm/vm_leaf: ns per leaf with the libsinsp peer's conditions and method over
             the same dense capture (ratio to the sinsp suite's figures of the same run), and
             benchmarks/vm/vm_mix: the default ruleset's ns per event over a synthetic mix
  workloads  benchmarks/workloads/*.sh without a probe (full mode only)
  kernel     per-syscall cost (no probe / empty sys_exit program / falcod live), drop curve,
             stress-ng storms, a build + test run under falcod (benchmarks/kernel/ksuite.py;
             root and BPF needed, else skipped with the reason)
  memory     bytes per tracked thread and fd (benchmarks/mem/mkstate captures, falcod --replay vs
             sysdig -r, least squares over a grid), the table bounds, falcod's RSS over time in a
             replay and live under stress-ng (benchmarks/mem/msuite.py)
Every figure is measured on this machine in this run; nothing is asserted (CI prints it)."""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from common import QUIET, falcod_summary, stats  # noqa: E402  (benchmarks/common.py)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernel"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "mem"))
import ksuite  # noqa: E402  (benchmarks/kernel/ksuite.py)
import msuite  # noqa: E402  (benchmarks/mem/msuite.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build-bench")
PEERS = os.path.join(BUILD, "peers")
CAPTURES = os.path.normpath(os.path.join(ROOT, "..", "shared", "captures"))
SAMPLE = "falco_psp_run_as_user_0_container.scap"  # richest sample: PL v9, EV v2, a container
SAMPLE_EVENTS = 4141  # events in SAMPLE (its replay is each tool's start-up run)
SINSP_INC = "/usr/include/falcosecurity-libs"


def log(msg):
    print(msg, flush=True)


def run(argv, **kw):
    return subprocess.run(argv, text=True, capture_output=True, **kw)


def sh(cmd):
    r = subprocess.run(cmd, shell=True, text=True, capture_output=True)
    return r.stdout.strip() if r.returncode == 0 else ""



class Results:
    def __init__(self):
        self.metrics = {}  # key -> {value, unit, better, kind, peer, min, max}
        self.suites = {}   # suite -> raw records
        self.notes = []    # skips and TODOs, printed and written

    def metric(self, key, value, unit, better, kind, peer=False, spread=None):
        m = {"value": round(value, 4), "unit": unit, "better": better, "kind": kind, "peer": peer}
        if spread:
            m["min"], m["max"] = round(spread["min"], 4), round(spread["max"], 4)
        self.metrics[key] = m

    def note(self, suite, text):
        self.notes.append({"suite": suite, "note": text})
        log(f"   [{suite}] {text}")


# ---- machine -----------------------------------------------------------------------------------

def machine():
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    mem = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    return {
        "host": socket.gethostname(),
        "cpu": cpu, "cores": os.cpu_count(), "memory": mem,
        "arch": platform.machine(), "kernel": platform.release(),
        "os": sh(". /etc/os-release && echo $PRETTY_NAME"),
        "cc": sh("cc --version | head -1"),
        "libsinsp": sh("dpkg-query -W -f='${Version}' libfalcosecurity0 2>/dev/null"),
        "sysdig": sh("sysdig --version 2>/dev/null"),
        "commit": sh(f"git -C {ROOT} rev-parse --short HEAD")
                  + ("+dirty" if sh(f"git -C {ROOT} status --porcelain --untracked-files=no") else ""),
        "load_avg": os.getloadavg()[0],
    }


# ---- instruction counts ------------------------------------------------------------------------

_counter = None


def instr_counter():
    """'perf' when hardware counters work here, 'callgrind' when valgrind exists, else None."""
    global _counter
    if _counter is None:
        _counter = ""
        if shutil.which("perf"):
            r = run(["perf", "stat", "-x,", "-e", "instructions:u", "true"])
            if re.search(r"^\d+,", r.stderr, re.M):
                _counter = "perf"
        if not _counter and shutil.which("valgrind"):
            _counter = "callgrind"
    return _counter or None


def instructions(argv):
    """User-space instructions of one run of ARGV, or None."""
    how = instr_counter()
    if how == "perf":
        r = run(["perf", "stat", "-x,", "-e", "instructions:u"] + argv)
        m = re.search(r"^(\d+),", r.stderr, re.M)
    elif how == "callgrind":
        r = run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + argv)
        m = re.search(r"Collected : (\d+)", r.stderr)
    else:
        return None
    return int(m.group(1)) if m else None


# ---- build -------------------------------------------------------------------------------------

def build(res):
    log("== build (Release, build-bench/)")
    # FC_BENCH (cmake/bench.cmake) adds the micro-benchmarks; harmless where it does not exist yet
    cfg = ["cmake", "-S", ROOT, "-B", BUILD, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release", "-DFC_TESTS=OFF",
           "-DFC_BENCH=ON"]
    r = run(cfg)
    if r.returncode:
        sys.exit("benchmarks: cmake failed:\n" + r.stdout + r.stderr)
    jobs = str(os.cpu_count() or 2)
    r = run(["ninja", "-C", BUILD, "-j", jobs, "falcoc", "fcruntime"])
    if r.returncode:
        sys.exit("benchmarks: build failed:\n" + r.stdout[-4000:] + r.stderr[-4000:])
    os.makedirs(PEERS, exist_ok=True)
    tools = {"falcoc": os.path.join(BUILD, "falcoc")}
    # optional targets, each on its own: one that does not build yet only skips its suite
    targets = run(["ninja", "-C", BUILD, "-t", "targets", "all"]).stdout
    for t, suite in (("falcod", "replay"), ("vm_leaf", "vm"), ("vm_mix", "vm"), ("mkstate", "memory")):
        if not re.search(rf"^{t}:", targets, re.M):
            continue
        r = run(["ninja", "-C", BUILD, "-j", jobs, t])
        path = find_binary(t) if r.returncode == 0 else None
        if path:
            tools[t] = path
        else:
            tail = (r.stdout + r.stderr).strip().splitlines()[-3:]
            res.note(suite, f"{t} does not build: " + " | ".join(tail)[:400])
    tools["replicate"] = build_replicate(res)
    tools["sinsp_bench"] = build_sinsp(res)
    tools["kbench"] = ksuite.build_kbench(res, BUILD, log)
    return tools


def find_binary(name):
    for d, _, files in os.walk(BUILD):
        if name in files and os.access(os.path.join(d, name), os.X_OK):
            return os.path.join(d, name)
    return None


def stale(out, *srcs):
    return not os.path.exists(out) or any(os.path.getmtime(s) > os.path.getmtime(out) for s in srcs)


def build_replicate(res):
    src = os.path.join(ROOT, "benchmarks", "replay", "replicate.c")
    lib = os.path.join(BUILD, "libfcruntime.a")
    out = os.path.join(PEERS, "replicate")
    if stale(out, src, lib):
        libs = sh("pkg-config --libs zlib libpcre2-8").split() or ["-lz", "-lpcre2-8"]
        r = run(["cc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-D_GNU_SOURCE",
                 "-I" + os.path.join(ROOT, "runtime"), "-I" + os.path.join(ROOT, "arch"),
                 src, lib, "-o", out] + libs)
        if r.returncode:
            res.note("replay", "replicate does not build: " + r.stderr.strip()[:500])
            return None
    return out


def build_sinsp(res):
    if not os.path.exists(os.path.join(SINSP_INC, "userspace/libsinsp/sinsp.h")):
        res.note("sinsp", "libfalcosecurity0-dev is not installed: libsinsp peer skipped "
                 "(install with scripts/deps --bench)")
        return None
    src = os.path.join(ROOT, "benchmarks", "sinsp", "sinsp_bench.cpp")
    out = os.path.join(PEERS, "sinsp_bench")
    if stale(out, src):
        inc = [f"{SINSP_INC}/userspace/libsinsp", f"{SINSP_INC}/userspace/libscap", f"{SINSP_INC}/common",
               f"{SINSP_INC}/userspace", f"{SINSP_INC}/driver", f"{SINSP_INC}/userspace/libsinsp/include",
               "/usr/include/jsoncpp"]
        argv = ["g++", "-std=c++17", "-O2", "-Wall", "-Wextra", "-DHAS_CAPTURE", "-DUSE_ZLIB",
                "-DHAS_CHISELS"] + [a for d in inc for a in ("-isystem", d)] + [src, "-o", out,
                                                                                 "-lsinsp", "-lscap"]
        r = run(argv)
        if r.returncode:
            res.note("sinsp", "sinsp_bench does not build (libtbb-dev, libjsoncpp-dev, "
                     "libcurl4-openssl-dev needed by the headers): " + r.stderr.strip()[:500])
            return None
    return out


# ---- compile suite -----------------------------------------------------------------------------

def hyperfine(argv, runs, warmup=3, cpu=None):
    """Wall ms of RUNS runs of ARGV; CPU, a list, receives each run's user+sys ms."""
    with tempfile.NamedTemporaryFile(suffix=".json") as tf:
        r = run(["hyperfine", "-N", "--warmup", str(warmup), "--runs", str(runs), "--export-json", tf.name,
                 "--style", "none", " ".join(shlex.quote(a) for a in argv)])
        if r.returncode:
            raise RuntimeError(r.stderr.strip()[:500])
        res = json.load(open(tf.name))["results"][0]
    if cpu is not None and res.get("user") is not None and res.get("system") is not None:
        # hyperfine 1.15 reports mean user and system time only
        u, s = res["user"], res["system"]
        cpu.extend((a + b) * 1e3 for a, b in zip(u, s)) if isinstance(u, list) else cpu.append((u + s) * 1e3)
    return [x * 1e3 for x in res["times"]]


def timed_runs(argv, runs, warmup=1, cpu=None, last=None):
    """Wall ms of RUNS runs of ARGV (stdout discarded); for commands long enough that spawning
    from Python does not matter (>= ~50 ms). CPU, a list, receives each run's user+sys ms; LAST,
    a dict, the last run's stderr under "stderr"."""
    out = []
    for i in range(warmup + runs):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        t1 = time.perf_counter()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if r.returncode:
            raise RuntimeError(f"{argv[0]} exited {r.returncode}: {r.stderr.strip()[:500]}")
        if last is not None:
            last["stderr"] = r.stderr
        if i >= warmup:
            out.append((t1 - t0) * 1e3)
            if cpu is not None:
                cpu.append((r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * 1e3)
    return out


def suite_compile(res, tools, tmp, quick):
    log("== compile: falcoc validate")
    falcoc = tools["falcoc"]
    inputs = {"default": os.path.join(tmp, "default.yaml"), "biglist": os.path.join(tmp, "biglist.yaml"),
              "manydiags": os.path.join(tmp, "manydiags.yaml")}
    shutil.copy(os.path.join(ROOT, "rules", "falcod_rules.yaml"), inputs["default"])
    with open(inputs["biglist"], "w") as f:
        subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "gen_biglist.py"), "10000"], stdout=f,
                       check=True)
    with open(inputs["manydiags"], "w") as f:  # 40,000 warnings: diagnostics must stay linear
        for i in range(20000):
            f.write(f"- macro: m{i}\n  condition: evt.type = open\n")
        for i in range(20000):
            f.write(f"- rule: r{i}\n  desc: d\n  condition: proc.name = cat{i}\n  output: o\n  priority: INFO\n")
    have_hf = shutil.which("hyperfine") is not None
    if not have_hf:
        res.note("compile", "hyperfine not installed: wall times from Python-spawned runs")
    raw = {}
    for name, path in inputs.items():
        argv = [falcoc, "validate", "--quiet", path]
        runs = 10 if quick else 30
        if name == "manydiags":
            runs = 3 if quick else 10
        cpu = []
        ms = hyperfine(argv, runs, cpu=cpu) if have_hf else timed_runs(argv, runs, cpu=cpu)
        st = stats(ms)
        split = run([falcoc, "validate", "--quiet", "--stats", path]).stderr.strip().splitlines()
        rec = {"input": name, "runs": runs, "wall_ms": st, "falcoc_stats": split[-1] if split else ""}
        res.metric(f"compile/{name}/wall_ms", st["median"], "ms", "lower", "time", spread=st)
        if cpu:
            rec["cpu_ms"] = stats(cpu)
            res.metric(f"compile/{name}/cpu_ms", rec["cpu_ms"]["median"], "ms", "lower", "time",
                       spread=rec["cpu_ms"])
        if not (quick and name == "manydiags"):
            n = instructions(argv)
            if n:
                rec["instructions"] = n
                res.metric(f"compile/{name}/instructions", n, "instr", "lower", "instructions")
        raw[name] = rec
        log(f"   {name:10s} median {st['median']:.2f} ms (min {st['min']:.2f}, max {st['max']:.2f})"
            + (f", {rec['instructions']:,} instructions" if "instructions" in rec else "")
            + f"\n              {rec['falcoc_stats']}")
    if instr_counter() is None:
        res.note("compile", "no instruction counter (perf without hardware counters, no valgrind)")
    res.suites["compile"] = raw


# ---- rules shared by the peer and our replay ---------------------------------------------------

def default_rules_tsv(falcoc, path):
    """The enabled syscall rules of the default ruleset with their expanded conditions (macros and
    lists inlined by falcoc), one `name<TAB>condition` line each."""
    d = json.loads(run([falcoc, "describe", "--format", "json"]).stdout)
    n = 0
    with open(path, "w") as f:
        for r in d["rules"]:
            if r.get("enabled") and r.get("compiled") and r.get("source", "syscall") == "syscall":
                f.write(r["name"].replace("\t", " ") + "\t" + r["condition"].replace("\n", " ") + "\n")
                n += 1
    return n


def read_tsv(path):
    out = []
    for line in open(path):
        name, _, cond = line.rstrip("\n").partition("\t")
        if cond:
            out.append((name, cond))
    return out


def json_lines(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


# ---- sinsp + replay suites ---------------------------------------------------------------------

# Event types left out of the dense capture: scheduler, timer, wait and generic syscalls, none of
# which any default rule or the thread/fd state looks at (replicate refuses state-changing types).
DENSE_DROP = "switch,procinfo,syscall,select,futex,poll,epoll_wait,ioctl,nanosleep"


def make_captures(res, tools, events):
    """{"sample": path, "dense": path, "dense-small": path}: EVENTS events replicated from the
    sample as it is, and without the event types of DENSE_DROP (a larger share of events reaches
    the rules); 5,000 such dense events for the repeated leaf timing."""
    src = os.path.join(CAPTURES, SAMPLE)
    if not tools.get("replicate") or not os.path.exists(src):
        res.note("replay", f"no big capture (replicate not built or {src} missing)")
        return {}
    caps = {}
    for tag, n, extra in (("sample", events, []), ("dense", events, ["--drop", DENSE_DROP]),
                          ("dense-small", 5000, ["--drop", DENSE_DROP]), ("startup", SAMPLE_EVENTS, [])):
        out = os.path.join(BUILD, f"big-{tag}-{n}.scap")
        if stale(out, src, tools["replicate"]):
            r = run([tools["replicate"], "-n", str(n)] + extra + [src, out])
            if r.returncode:
                res.note("replay", f"replicate ({tag}) failed: " + r.stderr.strip()[:500])
                continue
            log("   " + r.stdout.strip().replace("\n", "\n   "))
        caps[tag] = out
    return caps


CAPTURE_DESC = {"sample": f"{SAMPLE} repeated as it is",
                "dense": f"{SAMPLE} without {DENSE_DROP} events, repeated"}


def suite_sinsp(res, tools, tmp, caps, small, rules_tsv, quick):
    exe = tools.get("sinsp_bench")
    if not exe:
        return None
    log("== sinsp: the libsinsp peer (Debian libfalcosecurity0 " + machine_cache["libsinsp"] + ")")
    raw = {"captures": {}}
    res.suites["sinsp"] = raw
    passes = "3" if quick else "5"
    sample = os.path.join(CAPTURES, SAMPLE)

    def go(args, what):
        r = run([exe] + args)
        if r.returncode:
            res.note("sinsp", f"{what} failed: {r.stderr.strip()[-500:]}")
            return []
        return json_lines(r.stdout)

    # ns per leaf, warm: each event of 5,000 dense events evaluated 16 times in a row
    leaves = [x for x in go(["--passes", passes, "--repeat", "16", "leaves", small], "leaves")
              if x.get("kind") == "leaf"] if small else []
    raw["leaves_warm"] = leaves
    log(f"   ns per evaluation over 5,000 dense events (each x16, timer subtracted; median of {passes} passes):")
    for x in leaves:
        if "error" in x:
            log(f"     {x['name']:30s} rejected by this libsinsp: {x['error']}")
            continue
        res.metric(f"sinsp/leaf/{x['name']}/ns", x["ns_per_eval"]["median"], "ns", "lower", "time", True,
                   x["ns_per_eval"])
        log(f"     {x['name']:30s} {x['ns_per_eval']['median']:8.2f} ns/eval  {x['ns_per_leaf']:6.2f} ns/leaf"
            f"  ({x['matched']} of {x['events']} events match)")
    if not quick and "dense" in caps:
        single = [x for x in go(["--passes", "3", "--repeat", "1", "leaves", caps["dense"]], "leaves (dense)")
                  if x.get("kind") == "leaf"]
        raw["leaves_single"] = single
        log("   ns per evaluation over the dense capture (one evaluation per event):")
        for x in single:
            if "error" not in x:
                res.metric(f"sinsp/leaf1/{x['name']}/ns", x["ns_per_eval"]["median"], "ns", "lower", "time",
                           True, x["ns_per_eval"])
                log(f"     {x['name']:30s} {x['ns_per_eval']['median']:8.2f} ns/eval")
    if not caps:
        return None

    # the default rules libsinsp can compile (its 2022 field set and grammar), and their union
    acc = os.path.join(tmp, "accepted.tsv")
    r = run([exe, "check", sample, rules_tsv])
    open(acc, "w").write(r.stdout)
    rejected = [l.split("rejects rule ", 1)[1] for l in r.stderr.splitlines() if "rejects rule" in l]
    accepted = read_tsv(acc)
    raw["rules_accepted"] = len(accepted)
    raw["rules_rejected"] = rejected
    log(f"   default rules libsinsp accepts: {len(accepted)} of {len(accepted) + len(rejected)}")
    union = " or ".join(f"({c})" for _, c in accepted)
    raw["union_filter_chars"] = len(union)

    for tag, cap in caps.items():
        c = raw["captures"][tag] = {"file": os.path.basename(cap), "desc": CAPTURE_DESC[tag]}
        log(f"   -- {tag}: {CAPTURE_DESC[tag]}")
        limits = ("1,4,16,all,64" if quick else "1,2,4,8,16,all,64,128,256") if tag == "dense" else "all"
        rs = go(["--passes", passes, "--limits", limits, "ruleset", cap, acc], f"ruleset ({tag})")
        c["read"] = [x for x in rs if x.get("kind") == "read"]
        c["ruleset"] = [x for x in rs if x.get("kind") == "ruleset"]
        for x in c["read"]:
            res.metric(f"sinsp/{tag}/read/events_per_s", x["events_per_s"]["median"], "ev/s", "higher", "rate",
                       True, x["events_per_s"])
            res.metric(f"sinsp/{tag}/read/events_per_cpu_s", x["events_per_cpu_s"]["median"], "ev/cpu-s", "higher",
                       "rate", True, x["events_per_cpu_s"])
            log(f"   read only:            {x['events_per_cpu_s']['median'] / 1e6:7.2f} M events/CPU-s "
                f"({x['cpu_ns_per_event']['median']:.1f} CPU ns/event; wall {x['events_per_s']['median'] / 1e6:.2f} M/s; "
                f"{x['events']} events)")
        for x in c["ruleset"]:
            k = "all" if x["rules"] == len(accepted) else str(x["rules"])
            res.metric(f"sinsp/{tag}/ruleset/{k}/events_per_s", x["events_per_s"]["median"], "ev/s", "higher",
                       "rate", True, x["events_per_s"])
            res.metric(f"sinsp/{tag}/ruleset/{k}/events_per_cpu_s", x["events_per_cpu_s"]["median"], "ev/cpu-s",
                       "higher", "rate", True, x["events_per_cpu_s"])
            res.metric(f"sinsp/{tag}/ruleset/{k}/rule_ns_per_event", x["ns_rules_per_event"]["median"], "ns",
                       "lower", "time", True, x["ns_rules_per_event"])
            log(f"   {x['rules']:4d} rules (evttype index): {x['events_per_cpu_s']['median'] / 1e6:7.2f} M events/CPU-s, "
                f"rules {x['ns_rules_per_event']['median']:.1f} ns/event, "
                f"{x['evaluations_per_event']:.3f} evaluations/event, {x['matched']} matches")
        uf = go(["--passes", passes, "--repeat", "1", "filter", cap, union], f"union filter ({tag})")
        c["union"] = [x for x in uf if x.get("kind") == "filter"]
        for x in c["union"]:
            if "error" in x:
                res.note("sinsp", "union filter rejected: " + x["error"])
                continue
            res.metric(f"sinsp/{tag}/union/events_per_s", x["events_per_s"]["median"], "ev/s", "higher", "rate",
                       True, x["events_per_s"])
            res.metric(f"sinsp/{tag}/union/events_per_cpu_s", x["events_per_cpu_s"]["median"], "ev/cpu-s", "higher",
                       "rate", True, x["events_per_cpu_s"])
            res.metric(f"sinsp/{tag}/union/ns_per_eval", x["ns_per_eval"]["median"], "ns", "lower", "time", True,
                       x["ns_per_eval"])
            log(f"   union of {len(accepted)} conditions as one filter: {x['events_per_cpu_s']['median'] / 1e6:7.2f} M "
                f"events/CPU-s, {x['ns_per_eval']['median']:.1f} ns/eval, {x['matched']} matches")
    return {"accepted": acc, "union": union, "n_accepted": len(accepted)}


def suite_replay(res, tools, tmp, caps, events, peer, quick, startup=None):
    raw = {"events": events, "captures": {}}
    res.suites["replay"] = raw
    if not caps:
        return
    log(f"== replay: {events:,}-event captures replicated from {SAMPLE}")
    runs = 3 if quick else 7
    falcod = tools.get("falcod")
    if not falcod:
        if not os.path.exists(os.path.join(ROOT, "runtime", "falcod.c")):
            res.note("replay", "falcod not written yet (runtime/falcod.c absent): falcod --replay skipped")
    else:
        helptext = run([falcod, "--help"])
        if "--replay" not in helptext.stdout + helptext.stderr:
            res.note("replay", "falcod has no --replay option yet: skipped")
            falcod = None
    # each tool's start-up: the whole command on the 4141-event sample, as one repetition of the
    # big captures (plain, like them; the shared file is gzip); the per-event figures below take
    # it off, so that ratio also holds for captures of any size
    one = startup or os.path.join(CAPTURES, SAMPLE)
    raw["startup_file"] = os.path.basename(one)
    raw["startup_cpu_ms"] = {}
    if not shutil.which("sysdig"):
        res.note("replay", "sysdig not installed: sysdig -r peer skipped (scripts/deps --bench)")
    else:
        cpu = []
        raw["sysdig_startup_ms"] = stats(timed_runs(["sysdig", "-q", "-r", one], runs, cpu=cpu))
        raw["startup_cpu_ms"]["sysdig"] = stats(cpu)
    if falcod:
        cpu = []
        timed_runs([falcod] + QUIET + ["--replay", one], runs, cpu=cpu)
        raw["startup_cpu_ms"]["falcod"] = stats(cpu)
    for tag, cap in caps.items():
        c = raw["captures"][tag] = {"file": os.path.basename(cap), "desc": CAPTURE_DESC[tag], "runs": []}
        log(f"   -- {tag}: {CAPTURE_DESC[tag]}")
        cases = []
        if shutil.which("sysdig"):
            cases.append(("sysdig", "none", "sysdig -q -r", ["sysdig", "-q", "-r", cap]))
            if peer:
                cases.append(("sysdig", "union", f"sysdig -q -r, union of {peer['n_accepted']} rule conditions",
                              ["sysdig", "-q", "-r", cap, peer["union"]]))
        if falcod:
            cases.append(("falcod", "default", "falcod --replay, default rules",
                          [falcod] + QUIET + ["--replay", cap]))
            # the default rules as deployed: an ahead-of-time bundle file (falcoc compile), which
            # the build makes next to falcod (and embeds as falcod's built-in ruleset)
            bundle = os.path.join(os.path.dirname(falcod), "falcod_rules.bundle")
            if os.path.exists(bundle):
                cases.append(("falcod", "bundle", "falcod --replay -r falcod_rules.bundle (default rules, AOT)",
                              [falcod, "-r", bundle] + QUIET + ["--replay", cap]))
            if peer:
                ns = [peer["n_accepted"]] if quick or tag == "sample" else [1, 4, 16, peer["n_accepted"], 64, 256]
                for n in ns:
                    y = os.path.join(tmp, f"rules-{n}.yaml")
                    write_rules_yaml(read_tsv(peer["accepted"]), n, y)
                    k = "all" if n == peer["n_accepted"] else str(n)
                    cases.append(("falcod", f"rules{k}", f"falcod --replay, {n} rules as libsinsp ran them",
                                  [falcod, "-r", y] + QUIET + ["--replay", cap]))
        for tool, key, label, argv in cases:
            cpu, last = [], {}
            try:
                # quick: no warm-up run (the captures were just read by the sinsp suite)
                ms = stats(timed_runs(argv, runs, warmup=0 if quick else 1, cpu=cpu, last=last))
            except RuntimeError as e:
                res.note("replay", f"{label} ({tag}) failed: {e}")
                continue
            cpu = stats(cpu)
            eps = {"min": events / (ms["max"] / 1e3), "median": events / (ms["median"] / 1e3),
                   "max": events / (ms["min"] / 1e3)}
            cps = {"min": events / (cpu["max"] / 1e3), "median": events / (cpu["median"] / 1e3),
                   "max": events / (cpu["min"] / 1e3)}
            rec = {"tool": tool, "key": key, "label": label, "wall_ms": ms, "events_per_s": eps, "cpu_ms": cpu,
                   "events_per_cpu_s": cps}
            if tool == "sysdig":
                rec["events_per_s_net_of_startup"] = events / ((ms["median"] - raw["sysdig_startup_ms"]["median"]) / 1e3)
            else:
                rec["summary"] = falcod_summary(last.get("stderr", ""))
                if "events_per_s" in rec["summary"]:  # its own loop, start-up excluded
                    res.metric(f"replay/{tag}/falcod/{key}/internal_events_per_s",
                               rec["summary"]["events_per_s"], "ev/s", "higher", "rate")
            c["runs"].append(rec)
            peer_flag = tool != "falcod"
            res.metric(f"replay/{tag}/{tool}/{key}/events_per_s", eps["median"], "ev/s", "higher", "rate",
                       peer_flag, eps)
            res.metric(f"replay/{tag}/{tool}/{key}/events_per_cpu_s", cps["median"], "ev/cpu-s", "higher", "rate",
                       peer_flag, cps)
            log(f"   {label}: {ms['median']:8.1f} ms wall, {cpu['median']:8.1f} ms CPU, "
                f"{eps['median'] / 1e6:6.2f} M events/s, {cps['median'] / 1e6:6.2f} M events/CPU-s"
                + (f" ({rec['events_per_s_net_of_startup'] / 1e6:.2f} M/s net of the "
                   f"{raw['sysdig_startup_ms']['median']:.0f} ms start-up)" if tool == "sysdig" else "")
                + (f"\n      falcod's summary: {json.dumps(rec['summary'])}" if rec.get("summary") else ""))
    replay_ratios(res, raw)


def per_event_cpu_ns(raw, tag, tool, key):
    """CPU ns per event of TOOL's KEY run on capture TAG, its own start-up taken off (None when
    a figure is missing)."""
    st = raw.get("startup_cpu_ms", {}).get(tool)
    run = next((x for x in raw["captures"][tag]["runs"] if x["tool"] == tool and x["key"] == key), None)
    if not st or not run:
        return None
    return (run["cpu_ms"]["median"] - st["median"]) * 1e6 / (raw["events"] - SAMPLE_EVENTS)


def replay_ratios(res, raw):
    """falcod --replay (default rules) over sysdig -r, events per CPU-second and per wall second,
    per capture: the headline of the replay suite (target: >= 3x); and per event with each tool's
    start-up taken off (what the ratio tends to on larger captures)."""
    out = {}
    for tag in raw["captures"]:
        f = res.metrics.get(f"replay/{tag}/falcod/default/events_per_cpu_s")
        fw = res.metrics.get(f"replay/{tag}/falcod/default/events_per_s")
        fns = per_event_cpu_ns(raw, tag, "falcod", "default")
        for peer in ("none", "union"):
            p = res.metrics.get(f"replay/{tag}/sysdig/{peer}/events_per_cpu_s")
            pw = res.metrics.get(f"replay/{tag}/sysdig/{peer}/events_per_s")
            pns = per_event_cpu_ns(raw, tag, "sysdig", peer)
            if f and p:
                r = {"cpu": f["value"] / p["value"], "wall": fw["value"] / pw["value"] if fw and pw else None,
                     "falcod_ns": fns, "sysdig_ns": pns, "net": pns / fns if fns and pns and fns > 0 else None}
                out[f"{tag}/{peer}"] = r
                res.metric(f"replay/{tag}/falcod_over_sysdig_{peer}", r["cpu"], "x", "higher", "ratio")
                if r["net"]:
                    res.metric(f"replay/{tag}/falcod_over_sysdig_{peer}_per_event", r["net"], "x", "higher",
                               "ratio")
                log(f"   {tag}: falcod --replay (default rules) / sysdig -r "
                    f"{'(no filter)' if peer == 'none' else '(union of the rules as its filter)'}: "
                    f"{r['cpu']:.2f}x per CPU-second" + (f", {r['wall']:.2f}x wall" if r["wall"] else "")
                    + (f"; per event without start-up {pns:.1f} / {fns:.1f} CPU ns = {r['net']:.2f}x"
                       if r["net"] else ""))
    raw["ratios"] = out




def write_rules_yaml(rules, n, path):
    """N rules cycling through RULES (expanded conditions, so no macros or lists are needed),
    for falcod to run the same conditions libsinsp ran."""
    with open(path, "w") as f:
        for i in range(n):
            name, cond = rules[i % len(rules)]
            f.write(f"- rule: {json.dumps(f'{name} #{i}')}\n  desc: benchmark copy\n"
                    f"  condition: {json.dumps(cond)}\n  output: {json.dumps(name)}\n  priority: NOTICE\n")


# ---- vm + workloads ----------------------------------------------------------------------------

def suite_vm(res, tools, small, quick):
    """ns per leaf (vm_leaf: the libsinsp peer's conditions and method over the same dense
    capture, so the two are measured side by side in one run) and ns per event of the whole
    default ruleset over the synthetic event mix (vm_mix)."""
    out = {"leaves": [], "mix": []}
    res.suites["vm"] = out
    exe = tools.get("vm_leaf")
    if not exe:
        res.note("vm", "benchmarks/vm/vm_leaf not built (CMake option FC_BENCH): ns per leaf skipped")
    elif not small:
        res.note("vm", "no dense-small capture (replicate not built): ns per leaf skipped")
    else:
        passes = "3" if quick else "5"
        log(f"== vm: vm_leaf over {os.path.basename(small)} ({passes} passes, 16 evaluations per event)")
        r = run([exe, small, "--passes", passes])
        lines = json_lines(r.stdout) if r.returncode == 0 else []
        recs = [x for x in lines if x.get("kind") == "leaf"]
        floor = next((x for x in lines if x.get("kind") == "floor"), None)
        ideals = [x for x in lines if x.get("kind") == "ideal"]
        if floor:
            out["floor"] = floor
            res.metric("vm/leaf/empty_call/ns", floor["ns_per_call"]["median"], "ns", "lower", "time",
                       spread=floor["ns_per_call"])
            log(f"     {'floor: an empty call, same method':42s} {floor['ns_per_call']['median']:7.2f} ns/call")
        if not recs:
            res.note("vm", "vm_leaf failed: " + (r.stderr or r.stdout).strip()[-400:])
        for x in recs:
            name = x["name"]
            res.metric(f"vm/leaf/{name}/ns", x["ns_per_eval"]["median"], "ns", "lower", "time", spread=x["ns_per_eval"])
            res.metric(f"vm/leaf/{name}/cached_ns", x["cached_ns"]["median"], "ns", "lower", "time",
                       spread=x["cached_ns"])
            res.metric(f"vm/leaf/{name}/ns_per_leaf", x["ns_per_leaf"], "ns", "lower", "time")
            if x.get("run_ns"):
                res.metric(f"vm/leaf/{name}/run_ns", x["run_ns"]["median"], "ns", "lower", "time", spread=x["run_ns"])
            peer = res.metrics.get(f"sinsp/leaf/{name.split(', set pass off')[0]}/ns")
            line = (f"     {name:42s} {x['ns_per_eval']['median']:7.2f} ns/eval {x['cached_ns']['median']:7.2f} cached "
                    f"{x['ns_per_leaf']:7.3f} ns/leaf")
            if peer:
                pleaf = peer["value"] / x["leaves"]
                x["sinsp_ns_per_leaf"] = pleaf
                x["ratio"] = pleaf / x["ns_per_leaf"] if x["ns_per_leaf"] > 0 else None
                x["ratio_cached"] = pleaf * x["leaves"] / x["cached_ns"]["median"] if x["cached_ns"]["median"] > 0 else None
                if x["ratio"]:
                    res.metric(f"vm/leaf/{name}/sinsp_over_vm", x["ratio"], "x", "higher", "ratio")
                line += f"   libsinsp {pleaf:6.2f} ns/leaf: {x['ratio']:.1f}x"
            log(line)
        out["leaves"] = recs
        # the cost of one more leaf, apart from the per-evaluation cost: the slope between the 8- and
        # the 64-leaf chain (set pass off: real comparisons in the bytecode) on both sides
        by = {x["name"]: x for x in recs}
        a, b = by.get("8 chained proc.name = tK, set pass off"), by.get("64 chained proc.name = tK, set pass off")
        pa, pb = res.metrics.get("sinsp/leaf/8 chained proc.name = tK/ns"), res.metrics.get("sinsp/leaf/64 chained proc.name = tK/ns")
        if a and b:
            dl = b["leaves"] - a["leaves"]  # sinsp_bench's chains have the same leaves
            m = {"vm": (b["ns_per_eval"]["median"] - a["ns_per_eval"]["median"]) / dl}
            res.metric("vm/leaf/marginal/ns", m["vm"], "ns", "lower", "time")
            if pa and pb:
                m["sinsp"] = (pb["value"] - pa["value"]) / dl
                m["ratio"] = m["sinsp"] / m["vm"] if m["vm"] > 0 else None
                res.metric("sinsp/leaf/marginal/ns", m["sinsp"], "ns", "lower", "time", True)
                if m["ratio"]:
                    res.metric("vm/leaf/marginal/sinsp_over_vm", m["ratio"], "x", "higher", "ratio")
            out["marginal"] = m
            log(f"     one more leaf (slope 8 -> 64 chained, set pass off): {m['vm']:.3f} ns"
                + (f"; libsinsp {m['sinsp']:.2f} ns: {m['ratio']:.1f}x" if m.get("ratio") else ""))
        # the same tests hand-written in C on the state engine's records, nothing between: what the
        # VM's machinery costs on top where the test itself is cheap
        for x in ideals:
            res.metric(f"vm/ideal/{x['name']}/ns", x["ns_per_eval"]["median"], "ns", "lower", "time",
                       spread=x["ns_per_eval"])
            peer = res.metrics.get(f"sinsp/leaf/{x['probe']}/ns")
            vmx = by.get(x["probe"])
            if peer and x["ns_per_eval"]["median"] > 0:
                x["sinsp_over_ideal"] = peer["value"] / x["ns_per_eval"]["median"]
                x["sinsp_ns"] = peer["value"]
            if vmx:
                x["vm_ns"] = vmx["ns_per_eval"]["median"]
            log(f"     {x['name']:48s} {x['ns_per_eval']['median']:7.2f} ns/eval"
                + (f"   VM {x['vm_ns']:.2f}" if x.get("vm_ns") else "")
                + (f"   libsinsp {x['sinsp_ns']:.2f}: {x['sinsp_over_ideal']:.1f}x" if x.get("sinsp_ns") else ""))
        out["ideals"] = ideals
    mix = tools.get("vm_mix")
    if not mix:
        res.note("vm", "benchmarks/vm/vm_mix not built (CMake option FC_BENCH): default ruleset per event skipped")
        return
    args = ["--events", "300000" if quick else "1000000", "--reps", "3" if quick else "5"]
    log("== vm: vm_mix " + " ".join(args) + " (default ruleset over the synthetic event mix)")
    r = run([mix] + args)
    recs = [x for x in json_lines(r.stdout) if x.get("kind") == "mix"] if r.returncode == 0 else []
    if not recs:
        res.note("vm", "vm_mix failed: " + (r.stderr or r.stdout).strip()[-400:])
    for x in recs:
        res.metric(f"vm/mix/{x['name']}/ns_per_event", x["ns_per_event"]["median"], "ns", "lower", "time",
                   spread=x["ns_per_event"])
        log(f"     {x['name']:16s} {x['ns_per_event']['median']:8.1f} ns/event (min {x['ns_per_event']['min']:.1f}), "
            f"{x['matches']} matches")
    out["mix"] = recs


def suite_workloads(res):
    log("== workloads (no probe): kernel-overhead baselines")
    raw = {}
    wl = os.path.join(ROOT, "benchmarks", "workloads")
    for script, args in (("stress.sh", ["10"]), ("http.sh", ["20000", "8"]), ("build.sh", [])):
        r = run(["bash", os.path.join(wl, script)] + args)
        recs = json_lines(r.stdout)
        if r.returncode == 77 or r.returncode or not recs:
            res.note("workloads", f"{script} skipped/failed (exit {r.returncode}): {r.stderr.strip()[-300:]}")
            continue
        x = recs[-1]
        raw[x["workload"]] = x
        if x["workload"] == "stress-ng":
            for k, v in x["bogo_ops_per_s"].items():
                res.metric(f"workloads/no_probe/stress-ng/{k}/ops_per_s", v, "ops/s", "higher", "rate")
        elif x["workload"] == "http":
            res.metric("workloads/no_probe/http/requests_per_s", x["requests_per_s"], "req/s", "higher", "rate")
        elif x["workload"] == "build":
            res.metric("workloads/no_probe/build/build_s", x["build_s"], "s", "lower", "time")
        log("   " + json.dumps(x))
    res.suites["workloads"] = raw


def suite_kernel(res, tools, quick):
    k = ksuite.run_suite(ksuite.Env(res, tools, BUILD, log, quick))
    if k:
        res.suites["kernel"] = k


def suite_memory(res, tools, tmp, replay_cap, quick):
    """Bytes per thread/fd against sysdig, table bounds, RSS over time (benchmarks/mem/msuite.py);
    REPLAY_CAP: the replay suite's 1M-event capture when built in this run, else None."""
    kenv = ksuite.Env(res, tools, BUILD, log, quick)
    m = msuite.run_suite(msuite.Env(res, tools, log, quick, tmp, replay_cap, kenv, ksuite))
    if m:
        res.suites["memory"] = m


# ---- report ------------------------------------------------------------------------------------

def compare(res, base_path, thr_instr, thr_time):
    base = json.load(open(base_path))["metrics"]
    rows = []
    for key, m in sorted(res.metrics.items()):
        b = base.get(key)
        if not b or not b.get("value"):
            continue
        delta = (m["value"] - b["value"]) / b["value"] * 100
        worse = delta if m["better"] == "lower" else -delta
        thr = thr_instr if m["kind"] == "instructions" else thr_time
        flag = "REGRESSION" if worse > thr else ("improved" if worse < -thr else "")
        rows.append({"metric": key, "base": b["value"], "now": m["value"], "delta_pct": round(delta, 2),
                     "threshold_pct": thr, "flag": flag, "peer": m.get("peer", False)})
    return rows


def fmt(v):
    if abs(v) >= 1e6:
        return f"{v / 1e6:.2f} M"
    if abs(v) >= 1e4:
        return f"{v / 1e3:.1f} K"
    return f"{v:.2f}"


def write_md(path, res, mach, cmp_rows, plots, args):
    L = [f"# Benchmarks {mach['date']} on {mach['host']}", "",
         f"`benchmarks/run{' --quick' if args.quick else ''}` at commit {mach['commit']}; machine: {mach['cpu']}, "
         f"{mach['cores']} cores, {mach['memory']}, {mach['arch']}, kernel {mach['kernel']}, {mach['os']}; "
         f"load average at start {mach['load_avg']:.2f} (shared machine: medians are noisy). "
         f"Peer: libsinsp {mach['libsinsp']} (Debian), {mach['sysdig']}. "
         f"Instruction counts: {instr_counter() or 'none'}.", ""]
    c = res.suites.get("compile")
    if c:
        L += ["## falcoc validate", "", "| input | median ms | min | max | CPU ms | instructions | falcoc --stats |",
              "|---|---|---|---|---|---|---|"]
        for name, r in c.items():
            w = r["wall_ms"]
            cpu = f"{r['cpu_ms']['median']:.2f}" if "cpu_ms" in r else "–"
            L.append(f"| {name} | {w['median']:.2f} | {w['min']:.2f} | {w['max']:.2f} | {cpu} | "
                     f"{format(r['instructions'], ',') if 'instructions' in r else '–'} | "
                     f"{r['falcoc_stats'].replace('falcoc: ', '')} |")
        L.append("")
    s = res.suites.get("sinsp")
    if s:
        L += ["## libsinsp peer: ns per leaf", "",
              "Each of 5,000 events of the dense capture (below) evaluated 16 times in a row (warm), timer cost "
              "subtracted; "
              "`single` = one evaluation per event over the dense capture (full mode). Median of the passes.", "",
              "| condition | ns/eval (warm) | min | max | ns/leaf | single ns/eval | matched |", "|---|---|---|---|---|---|---|"]
        single = {x["name"]: x for x in s.get("leaves_single", [])}
        for x in s.get("leaves_warm", []):
            if "error" in x:
                L.append(f"| `{x['filter']}` | rejected: {x['error']} | | | | | |")
                continue
            one = single.get(x["name"], {}).get("ns_per_eval", {}).get("median")
            L.append(f"| {x['name']} | {x['ns_per_eval']['median']:.2f} | {x['ns_per_eval']['min']:.2f} | "
                     f"{x['ns_per_eval']['max']:.2f} | {x['ns_per_leaf']:.2f} | "
                     f"{'' if one is None else f'{one:.2f}'} | {x['matched']}/{x['events']} |")
        L.append("")
        if s.get("captures"):
            L += ["## libsinsp peer: default rules on the replicated captures", "",
                  f"{s['rules_accepted']} of {s['rules_accepted'] + len(s['rules_rejected'])} enabled default rules "
                  "compile in this libsinsp (expanded conditions from `falcoc describe`); past that number the "
                  "accepted rules repeat. Rules indexed by event type, first match wins (Falco's arrangement). "
                  "`rules ns/event`: the rules' own time (timer subtracted); `ns/event`: next() + rules, untimed "
                  "passes. The union row runs all accepted conditions OR-ed as one filter on every event.", ""]
            for tag, c in s["captures"].items():
                L += [f"### {tag}: {c['desc']}", "",
                      "| rules | events/CPU-s | CPU ns/event | events/s (wall) | rules ns/event | evaluations/event | matches |",
                      "|---|---|---|---|---|---|---|"]

                def row(first, x, rules_ns, evals):
                    return (f"| {first} | {fmt(x['events_per_cpu_s']['median'])} | {x['cpu_ns_per_event']['median']:.1f} | "
                            f"{fmt(x['events_per_s']['median'])} | {rules_ns} | {evals} | {x.get('matched', '–')} |")
                for x in c.get("read", []):
                    L.append(row("read only", x, "–", "–"))
                for x in c.get("ruleset", []):
                    L.append(row(x["rules"], x, f"{x['ns_rules_per_event']['median']:.1f}",
                                 f"{x['evaluations_per_event']:.3f}"))
                for x in c.get("union", []):
                    if "error" not in x:
                        L.append(row("union as one filter", x, f"{x['ns_per_eval']['median']:.1f}", "1"))
                L.append("")
            if s["rules_rejected"]:
                L += ["Rejected by this libsinsp (newer fields, operators or transformers):", ""]
                L += [f"- {x[:160]}" for x in s["rules_rejected"]]
            L.append("")
    r = res.suites.get("replay")
    if r and r.get("captures"):
        L += [f"## Replay: {r['events']:,} events per capture, whole command wall time", "",
              "| capture | command | wall ms (min–max) | CPU ms | events/s | events/CPU-s |",
              "|---|---|---|---|---|---|"]
        for tag, c in r["captures"].items():
            for x in c["runs"]:
                net = (f" ({fmt(x['events_per_s_net_of_startup'])} net of start-up)"
                       if "events_per_s_net_of_startup" in x else "")
                L.append(f"| {tag} | {x['label']} | {x['wall_ms']['median']:.1f} ({x['wall_ms']['min']:.1f}–"
                         f"{x['wall_ms']['max']:.1f}) | {x['cpu_ms']['median']:.1f} | "
                         f"{fmt(x['events_per_s']['median'])}{net} | {fmt(x['events_per_cpu_s']['median'])} |")
        if "sysdig_startup_ms" in r:
            L.append(f"\nsysdig start-up (`sysdig -q -r` on the {SAMPLE_EVENTS}-event sample, {r.get('startup_file', SAMPLE)}): "
                     f"{r['sysdig_startup_ms']['median']:.1f} ms.")
        su = r.get("startup_cpu_ms", {})
        if su:
            L.append(f"Start-up CPU (each tool on the {SAMPLE_EVENTS}-event sample, taken off in the per-event column): "
                     + ", ".join(f"{t} {v['median']:.1f} ms" for t, v in su.items()) + ".")
        if r.get("ratios"):
            L += ["", "falcod --replay with its default rules (49 rules, syslog off, alerts to /dev/null) over "
                  "`sysdig -q -r` on the same file, whole commands (target: at least 3x):", "",
                  "| capture | over sysdig -r, no filter (CPU / wall) | same, per event without start-up "
                  "(sysdig / falcod CPU ns) | over sysdig -r with the rules' union as filter (CPU / wall) |",
                  "|---|---|---|---|"]
            for tag in r["captures"]:
                def cell(peer):
                    x = r["ratios"].get(f"{tag}/{peer}")
                    return f"{x['cpu']:.2f}x / {x['wall']:.2f}x" if x and x.get("wall") else (
                        f"{x['cpu']:.2f}x / –" if x else "–")
                x = r["ratios"].get(f"{tag}/none") or {}
                net = (f"{x['net']:.2f}x ({x['sysdig_ns']:.1f} / {x['falcod_ns']:.1f})" if x.get("net") else "–")
                L.append(f"| {tag} | {cell('none')} | {net} | {cell('union')} |")
        L.append("")
    v = res.suites.get("vm") or {}
    if v.get("leaves"):
        L += ["## VM: ns per leaf (vm_leaf), side by side with libsinsp", "",
              "Same conditions, same dense capture and the same method as the libsinsp peer above (each event "
              "evaluated 16 times in a row, timer subtracted, median of the passes), in the same run. What one "
              "evaluation does on each side: libsinsp: `sinsp_filter::run(evt)` on the event as its parser "
              "delivered it (thread and fd already attached to the event): the filter's check tree walked, each "
              "check extracting its field again (no per-event value cache) and comparing. VM (`ns/eval`): "
              "`fc_vm_begin` (a new event: the value cache and SUB memo invalidated; the state engine has "
              "resolved the event's thread and fd, as libsinsp's parser has) then `fc_vm_eval_rule` (the rule's "
              "program: the field extracted again through the state engine's extractor, then the test; "
              "proc.cmdline is the thread's joined copy, kept until an exec changes it, where libsinsp joins it "
              "on every call). "
              "`via index`: the same through `fc_vm_run` (plus the per-event-type rule lookup and match report, "
              "which Falco's ruleset does outside the filter), for information; `cached`: the rule re-run on the "
              "event's cached values. Chains count each `or`-ed comparison as a leaf; `set pass off` keeps them "
              "as real chains of comparisons in the bytecode (the optimiser otherwise makes one hashed-set "
              "test).", "",
              "| condition | insns | ns/eval | via index ns | cached ns | ns/leaf | libsinsp ns/leaf | ratio | "
              "ratio (cached) |",
              "|---|---|---|---|---|---|---|---|---|"]
        for x in v["leaves"]:
            r = f"{x['ratio']:.1f}x" if x.get("ratio") else "–"
            rc = f"{x['ratio_cached']:.1f}x" if x.get("ratio_cached") else "–"
            sl = f"{x['sinsp_ns_per_leaf']:.2f}" if x.get("sinsp_ns_per_leaf") else "–"
            ri = f"{x['run_ns']['median']:.2f}" if x.get("run_ns") else "–"
            L.append(f"| {x['name']} | {x['insns']} | {x['ns_per_eval']['median']:.2f} | {ri} | {x['cached_ns']['median']:.2f} | "
                     f"{x['ns_per_leaf']:.3f} | {sl} | {r} | {rc} |")
        L.append("")
        m, fl = v.get("marginal"), v.get("floor")
        if m:
            L.append(f"One more leaf, apart from the cost of an evaluation (the slope from the 8- to the 64-leaf "
                     f"chain, set pass off: real comparisons in the bytecode): {m['vm']:.3f} ns"
                     + (f"; libsinsp {m['sinsp']:.2f} ns (its 8- and 64-leaf chains): {m['ratio']:.1f}x." if m.get("ratio") else "."))
        if fl:
            L.append(f"Floor of the method: {fl['repeat']} calls in a row of an out-of-line function that does "
                     f"nothing, timed the same way: {fl['ns_per_call']['median']:.2f} ns per call.")
        if m or fl:
            L.append("")
        if v.get("ideals"):
            L += ["The same tests hand-written in C (vm_leaf's `ideal` lines): the event's thread and fd read "
                  "straight from the state engine's records, no VM, no extractor call, no value cache; "
                  "`contains` is glibc's memmem. Timed the same way, they show what the VM's machinery costs "
                  "(begin, the rule's entry, the extractor call, the value cache) where the test itself is "
                  "cheap; for `contains` the search dominates, and the VM's own is faster than glibc's.", "",
                  "| test | hand-written ns | VM ns | libsinsp ns | libsinsp / hand-written |", "|---|---|---|---|---|"]
            for x in v["ideals"]:
                L.append(f"| {x['name']} | {x['ns_per_eval']['median']:.2f} | "
                         + (f"{x['vm_ns']:.2f}" if x.get("vm_ns") else "–") + " | "
                         + (f"{x['sinsp_ns']:.2f} | {x['sinsp_over_ideal']:.1f}x |" if x.get("sinsp_ns") else "– | – |"))
            L.append("")
    if v.get("mix"):
        L += ["## VM: default ruleset over the synthetic event mix (vm_mix)", "",
              "ns per event, thread CPU time (benchmarks/vm/vm_mix.c: fresh state each repetition; `vm_*` = "
              "fc_vm_run alone, extraction included, state update excluded).", "",
              "| figure | min ns/event | median | max | matches |", "|---|---|---|---|---|"]
        for x in v["mix"]:
            e = x["ns_per_event"]
            L.append(f"| {x['name']} | {e['min']:.1f} | {e['median']:.1f} | {e['max']:.1f} | {x['matches']} |")
        L.append("")
    w = res.suites.get("workloads")
    if w:
        L += ["## Workloads, no probe", ""] + [f"- `{json.dumps(x)}`" for x in w.values()] + [""]
    if res.suites.get("kernel"):
        L += ksuite.markdown(res.suites["kernel"])
    if res.suites.get("memory"):
        L += msuite.markdown(res.suites["memory"])
    L += ["## Skipped / TODO", ""] + [f"- [{n['suite']}] {n['note']}" for n in res.notes] + [""]
    if cmp_rows is not None:
        L += [f"## Compared with `{args.compare}`", "",
              f"Thresholds: {args.threshold_instr}% on instruction counts, {args.threshold_time}% on medians.", "",
              "| metric | base | now | Δ % | flag |", "|---|---|---|---|---|"]
        for x in cmp_rows:
            if x["flag"]:
                L.append(f"| {x['metric']}{' (peer)' if x['peer'] else ''} | {fmt(x['base'])} | {fmt(x['now'])} | "
                         f"{x['delta_pct']:+.1f} | {x['flag']} |")
        L.append("")
    if plots:
        L += ["## Plots", ""] + [f"![{os.path.basename(p)}]({os.path.basename(p)})" for p in plots] + [""]
    open(path, "w").write("\n".join(L))


def hbars(svg, title, xlabel, labels, series):
    """Horizontal clustered bars (no rotated labels, which SVG renderers disagree on): one row per
    label, one bar per series; NaN values are left out. True when gnuplot wrote SVG."""
    n, k = len(labels), len(series)
    width = 0.8 / k
    dat = svg[:-4] + ".dat"
    with open(dat, "w") as f:
        for j, (_, vals) in enumerate(series):
            for i, v in enumerate(vals):
                y = n - 1 - i - 0.4 + width * (k - 1 - j) + width / 2
                f.write(f"{v} {y} {width / 2 * 0.9}\n")
            f.write("\n\n")
    ytics = ", ".join(f'"{l}" {n - 1 - i}' for i, l in enumerate(labels))
    names = [name.replace("_", "\\_") for name, _ in series]  # '_' is a subscript in gnuplot text
    plot = ", ".join(f"'{dat}' index {j} using (0):2:(0):1:($2-$3):($2+$3) with boxxyerror fs solid 0.6 "
                     f"title '{names[j]}'" for j in range(k))
    gp = (f"set terminal svg size 860,{190 + 34 * n} dynamic font 'sans,11' background '#ffffff'\n"
          f"set output '{svg}'\nset title '{title}'\nset xlabel '{xlabel}'\nset grid x\n"
          f"set ytics ({ytics}) font ',10'\nset yrange [-0.6:{n - 0.4}]\nset xrange [0:*]\n"
          f"set key below\nset lmargin 30\nplot {plot}\n")
    ok = subprocess.run(["gnuplot"], input=gp, text=True, capture_output=True).returncode == 0
    os.remove(dat)
    return ok


def plots(res, stem):
    if not shutil.which("gnuplot"):
        res.note("plots", "gnuplot not installed: no SVG (scripts/deps --bench)")
        return []
    out = []
    head = "set terminal svg size 820,480 dynamic font 'sans,11' background '#ffffff'\nset grid\n"
    s = res.suites.get("sinsp") or {}
    dense = (s.get("captures") or {}).get("dense", {})
    if dense.get("ruleset"):
        dat = stem + "-rules.dat"
        ours = {}
        for x in ((res.suites.get("replay") or {}).get("captures") or {}).get("dense", {}).get("runs", []):
            m = re.fullmatch(r"rules(\d+|all)", x["key"]) if x["tool"] == "falcod" else None
            if m:
                n = s["rules_accepted"] if m.group(1) == "all" else int(m.group(1))
                ours[n] = 1e9 / x["events_per_cpu_s"]["median"]
        with open(dat, "w") as f:
            f.write("# rules libsinsp_ns_per_event libsinsp_rules_ns_per_event falcod_ns_per_event\n")
            for x in dense["ruleset"]:
                f.write(f"{x['rules']} {x['cpu_ns_per_event']['median']} {x['ns_rules_per_event']['median']} "
                        f"{ours.get(x['rules'], 'NaN')}\n")
        svg = stem + "-rules.svg"
        gp = (head + f"set output '{svg}'\nset logscale x 2\nset xlabel 'rules'\nset ylabel 'CPU ns per event'\n"
              "set title 'ns per event vs number of rules (dense replicated capture)'\nset key left top\n"
              f"plot '{dat}' using 1:2 with linespoints pt 7 title 'libsinsp: next() + rules', "
              f"'' using 1:3 with linespoints pt 7 title 'libsinsp: rules only'"
              + (f", '' using 1:4 with linespoints pt 7 title 'falcod --replay (whole command)'" if ours else "") + "\n")
        if subprocess.run(["gnuplot"], input=gp, text=True, capture_output=True).returncode == 0:
            out.append(svg)
        os.remove(dat)
    rows = (("sinsp/{}/read/events_per_cpu_s", "libsinsp next()"),
            ("sinsp/{}/ruleset/all/events_per_cpu_s", "libsinsp + rules"),
            ("sinsp/{}/union/events_per_cpu_s", "libsinsp union filter"),
            ("replay/{}/sysdig/none/events_per_cpu_s", "sysdig -r"),
            ("replay/{}/sysdig/union/events_per_cpu_s", "sysdig -r union"),
            ("replay/{}/falcod/default/events_per_cpu_s", "falcod --replay, default rules"))
    rows = [(label, [res.metrics.get(k.format(t), {}).get("value", float("nan")) / 1e6 for t in ("sample", "dense")])
            for k, label in rows if any(k.format(t) in res.metrics for t in ("sample", "dense"))]
    if rows:
        svg = stem + "-peers.svg"
        if hbars(svg, "events/s vs peers: events per CPU-second on the replicated captures", "M events per CPU-second",
                 [r[0] for r in rows], [("sample", [r[1][0] for r in rows]), ("dense", [r[1][1] for r in rows])]):
            out.append(svg)
    leaves = [x for x in (res.suites.get("vm") or {}).get("leaves", []) if x.get("sinsp_ns_per_leaf")]
    if leaves:
        series = [("libsinsp (warm, per leaf)", [x["sinsp_ns_per_leaf"] for x in leaves]),
                  ("falcod VM (vm_leaf, per leaf)", [x["ns_per_leaf"] for x in leaves])]
        svg = stem + "-leaves.svg"
        if hbars(svg, "ns per leaf, same conditions and capture", "ns", [x["name"] for x in leaves], series):
            out.append(svg)
    out += ksuite.plots(res.suites.get("kernel"), stem, head, hbars)
    out += msuite.plots(res.suites.get("memory"), stem, head)
    return out


machine_cache = {}
ALL_SUITES = ("compile", "sinsp", "replay", "vm", "workloads", "kernel", "memory")


def main():
    ap = argparse.ArgumentParser(prog="benchmarks/run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer runs and passes, no workloads (< 2 min)")
    ap.add_argument("--compare", metavar="BASELINE.json", help="flag regressions against an earlier result")
    ap.add_argument("--threshold-instr", type=float, default=5.0, help="%% on instruction counts (default 5)")
    ap.add_argument("--threshold-time", type=float, default=10.0, help="%% on medians and rates (default 10)")
    ap.add_argument("--suites", default=",".join(ALL_SUITES),
                    help="comma-separated subset (default: all; workloads only without --quick)")
    ap.add_argument("--events", type=int, default=1000000, help="events in the replicated capture")
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results"), help="results directory")
    args = ap.parse_args()
    suites = set(args.suites.split(","))
    t_start = time.time()
    res = Results()
    mach = machine()
    mach["date"] = datetime.date.today().isoformat()
    machine_cache.update(mach)
    log(f"machine: {mach['cpu']}, {mach['cores']} cores, {mach['memory']}, {mach['arch']}, kernel {mach['kernel']}, "
        f"load {mach['load_avg']:.2f}")
    tools = build(res)
    mach["suite_seconds"] = secs = {}

    def timed_suite(name, fn, *a):
        t0 = time.time()
        r = fn(*a)
        secs[name] = round(time.time() - t0, 1)
        log(f"   ({name}: {secs[name]} s)")
        return r

    with tempfile.TemporaryDirectory() as tmp:
        if "compile" in suites:
            timed_suite("compile", suite_compile, res, tools, tmp, args.quick)
        caps, peer = {}, None
        small = None
        if suites & {"sinsp", "replay", "vm"}:
            caps = timed_suite("captures", make_captures, res, tools, args.events)
            small = caps.pop("dense-small", None)  # for the warm leaves only
            startup = caps.pop("startup", None)  # the sample once, plain: each tool's start-up
            rules_tsv = os.path.join(tmp, "default_rules.tsv")
            default_rules_tsv(tools["falcoc"], rules_tsv)
            if "sinsp" in suites:
                peer = timed_suite("sinsp", suite_sinsp, res, tools, tmp, caps, small, rules_tsv, args.quick)
            if "replay" in suites:
                timed_suite("replay", suite_replay, res, tools, tmp, caps, args.events, peer, args.quick, startup)
        if "vm" in suites:
            timed_suite("vm", suite_vm, res, tools, small, args.quick)
        if "workloads" in suites and not args.quick:
            timed_suite("workloads", suite_workloads, res)
        elif "workloads" in suites:
            res.note("workloads", "skipped in --quick mode")
        if "kernel" in suites:
            timed_suite("kernel", suite_kernel, res, tools, args.quick)
        if "memory" in suites:
            timed_suite("memory", suite_memory, res, tools, tmp, caps.get("sample"), args.quick)
    cmp_rows = None
    if args.compare:
        cmp_rows = compare(res, args.compare, args.threshold_instr, args.threshold_time)
    os.makedirs(args.out, exist_ok=True)
    # quick and partial runs get their own names, so they never overwrite a full run's results
    tag = ("-quick" if args.quick else "") + ("" if suites >= set(ALL_SUITES) else "-" + "+".join(sorted(suites)))
    stem = os.path.join(args.out, f"{mach['date']}-{mach['host']}{tag}")
    pl = plots(res, stem)
    mach["seconds"] = round(time.time() - t_start, 1)
    doc = {"machine": mach, "quick": args.quick, "metrics": res.metrics, "suites": res.suites, "notes": res.notes}
    if cmp_rows is not None:
        doc["compare"] = {"baseline": args.compare, "rows": cmp_rows}
    with open(stem + ".json", "w") as f:
        json.dump(doc, f, indent=1)
    write_md(stem + ".md", res, mach, cmp_rows, pl, args)
    log(f"== wrote {stem}.json, {stem}.md" + "".join(f", {os.path.basename(p)}" for p in pl)
        + f" ({mach['seconds']} s)")
    if cmp_rows is not None:
        flagged = [x for x in cmp_rows if x["flag"] == "REGRESSION"]
        log(f"== compared with {args.compare}: {len(cmp_rows)} metrics, {len(flagged)} regressions")
        for x in cmp_rows:
            if x["flag"]:
                log(f"   {x['flag']:10s} {x['metric']}{' (peer)' if x['peer'] else ''}: {fmt(x['base'])} -> "
                    f"{fmt(x['now'])} ({x['delta_pct']:+.1f}%, threshold {x['threshold_pct']}%)")
        return 1 if flagged else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
