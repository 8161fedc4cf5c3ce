"""The kernel suite of benchmarks/run (imported by benchmarks/bench.py): what the probe costs the
syscalls it watches, and what falcod keeps up with. Needs root, BPF with BTF, kbench
(benchmarks/kernel/, built here with its own CMake) and falcod; otherwise skipped with the reason.

  per-syscall  kbench times tight loops of getppid (no rule or state needs it), openat of
               /dev/null (rules select openat; the default rules may read any opened fd later,
               so opens are captured), fchdir (always captured: the state engine tracks cwd)
               and fchmodat failing with ENOENT (rules select it; the kernel predicate drops
               it: the filtered-out case), in rounds, each round measuring the three configurations in turn:
               no probe, the empty tp_btf/sys_exit program (the floor), falcod live with its
               default rules. CPU time of the calling thread per call (probe programs run
               there); min and median over the repetitions of every round; ratios to the floor
               of the same syscall.
  drop curve   falcod live while kbench makes fchdir calls at paced rates (and flat out): the
               probe's counters (seen, sent, ring-full drops) from falcod's summary, per step.
  storms       falcod live under stress-ng syscall storms (open/close, dup, fork): events/s,
               drops, drops by category (read from the probe's counter map before falcod stops),
               and the storm's own ops/s with and without falcod.
  latency      syscall -> alert line at light load (klatency.py): open /etc/shadow every 0.1 s.
  realistic    (full mode) falcod live during a build of this project with its tests and a test
               run: the share of events dropped in the kernel.
Every figure comes from this run; ratios are taken between measurements of the same run."""
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import time

import klatency
from common import falcod_summary, stats  # benchmarks/common.py (bench.py puts it on the path)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# bpf/fc_probe.h struct fc_counters: 8 u64, then drops_buf[FC_DROPCATS]
COUNTER_FIELDS = ("seen", "sent", "filtered", "drops_max_size", "drops_noring", "build_err", "compat", "own")
DROPCATS = ("clone_fork_exit", "execve_exit", "connect_exit", "open_exit", "dir_file_exit",
            "other_interest_exit", "close_exit", "proc_exit", "other")



class Env:
    """What the suite needs from the driver: log, Results, tool paths, build directory."""

    def __init__(self, res, tools, build, log, quick):
        self.res, self.tools, self.build, self.log, self.quick = res, tools, build, log, quick
        self.kbench = tools.get("kbench")
        self.falcod = tools.get("falcod")


# ---- build ------------------------------------------------------------------------------------

def build_kbench(res, build_dir, log):
    """benchmarks/kernel built with its own CMake into BUILD/kernel; the kbench path or None."""
    out = os.path.join(build_dir, "kernel")
    r = subprocess.run(["cmake", "-S", HERE, "-B", out, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release"],
                       text=True, capture_output=True)
    if r.returncode == 0:
        r = subprocess.run(["ninja", "-C", out], text=True, capture_output=True)
    if r.returncode:
        tail = (r.stdout + r.stderr).strip().splitlines()[-3:]
        res.note("kernel", "kbench does not build (clang, bpftool, libbpf-dev): " + " | ".join(tail)[:400])
        return None
    return os.path.join(out, "kbench")


# ---- helpers ----------------------------------------------------------------------------------

def links(env):
    r = subprocess.run([env.kbench, "links"], text=True, capture_output=True)
    return int(r.stdout.strip()) if r.returncode == 0 and r.stdout.strip().isdigit() else -1


def counter_map_ids():
    r = subprocess.run(["bpftool", "map", "show", "-j"], text=True, capture_output=True)
    try:
        return {m["id"] for m in json.loads(r.stdout) if m.get("name") == "fc_counters"}
    except (ValueError, KeyError):
        return set()


def read_counters(map_id):
    """The probe's per-CPU counters summed, from the map (bpftool dump, raw bytes)."""
    r = subprocess.run(["bpftool", "map", "dump", "id", str(map_id), "-j"], text=True, capture_output=True)
    try:
        entries = json.loads(r.stdout)
    except ValueError:
        return None
    if not isinstance(entries, list):
        return None  # {"error": ...}: the map is gone
    tot = None
    for e in entries:
        for v in e.get("values", []) if isinstance(e, dict) else []:
            raw = bytes(int(b, 16) for b in v["value"])
            n = len(raw) // 8
            vals = struct.unpack(f"<{n}Q", raw[:8 * n])
            tot = list(vals) if tot is None else [a + b for a, b in zip(tot, vals)]
    if not tot or len(tot) < len(COUNTER_FIELDS) + len(DROPCATS):
        return None
    out = dict(zip(COUNTER_FIELDS, tot))
    out["drops_by_cat"] = dict(zip(DROPCATS, tot[len(COUNTER_FIELDS):]))
    return out



class Falcod:
    """falcod live with its default rules (syslog off, alerts to /dev/null) as a context:
    started, waited for until its sys_exit program is attached, stopped with SIGTERM; .summary
    holds its end-of-run figures, .cpu_s its CPU time, .counters the probe's counter map as
    read just before the stop (drops by category)."""

    def __init__(self, env, extra=()):
        self.env, self.extra = env, list(extra)
        self.summary, self.counters, self.cpu_s, self.error = {}, None, None, None

    def __enter__(self):
        self.base_links = links(self.env)
        self.maps_before = counter_map_ids()
        self.err = tempfile.TemporaryFile(mode="w+")
        self.p = subprocess.Popen([self.env.falcod, "-o", "syslog_output.enabled=false"] + self.extra,
                                  stdout=subprocess.DEVNULL, stderr=self.err)
        t0 = time.time()
        while time.time() - t0 < 30:
            if self.p.poll() is not None:
                self.err.seek(0)
                raise RuntimeError("falcod exited at start: " + self.err.read().strip()[-400:])
            if links(self.env) > self.base_links:
                break
            time.sleep(0.05)
        else:
            self.stop()
            raise RuntimeError("falcod's probe did not attach within 30 s")
        new = counter_map_ids() - self.maps_before
        self.map_id = max(new) if new else None
        self.start_s = time.time() - t0
        time.sleep(0.3)  # the /proc scan and the first poll
        return self

    def snapshot(self):
        return read_counters(self.map_id) if self.map_id else None

    def stop(self):
        """SIGTERM (falcod prints its summary and exits); SIGKILL if it has not exited in 20 s."""
        if self.p.returncode is not None:
            return
        try:
            if self.map_id:
                self.counters = read_counters(self.map_id)
        finally:
            self.p.send_signal(signal.SIGTERM)
            t0 = time.time()
            while True:  # wait4 for its CPU time (user + system)
                pid, status, ru = os.wait4(self.p.pid, os.WNOHANG)
                if pid:
                    self.p.returncode = os.waitstatus_to_exitcode(status)
                    self.cpu_s = ru.ru_utime + ru.ru_stime
                    break
                if time.time() - t0 > 20:
                    self.p.kill()
                    self.p.wait()
                    self.error = "falcod did not exit within 20 s of SIGTERM: killed"
                    break
                time.sleep(0.02)
        self.err.seek(0)
        text = self.err.read()
        self.err.close()
        self.summary = falcod_summary(text)
        if self.p.returncode and not self.error:
            self.error = f"falcod exited {self.p.returncode}: {text.strip()[-300:]}"

    def __exit__(self, *exc):
        if self.p.returncode is None:
            try:
                self.stop()
            finally:
                if self.p.returncode is None:
                    self.p.kill()
                    self.p.wait()
        return False


def wait_quiet(env, secs):
    """Waits (up to SECS) until nothing is attached to sys_exit: no other probe on the machine."""
    t0 = time.time()
    while links(env) > 0 and time.time() - t0 < secs:
        time.sleep(0.5)


def kbench_json(env, args, timeout=600):
    r = subprocess.run([env.kbench] + args, text=True, capture_output=True, timeout=timeout)
    if r.returncode:
        raise RuntimeError(f"kbench {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()[-300:]}")
    return [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]


def check(env):
    """None when the suite can run, else the reason it cannot."""
    if os.geteuid() != 0:
        return "needs root (BPF programs): skipped"
    if not env.kbench:
        return "kbench not built: skipped"
    if not env.falcod:
        return "falcod not built: skipped"
    if not os.path.exists("/sys/kernel/btf/vmlinux"):
        return "no kernel BTF (/sys/kernel/btf/vmlinux): skipped"
    if not shutil.which("bpftool"):
        return "bpftool not installed: skipped"
    r = subprocess.run([env.kbench, "--attach-empty", "-n", "1000", "-r", "1", "loop", "getppid"],
                       text=True, capture_output=True)
    if r.returncode:
        return "the empty sys_exit program cannot be attached: " + r.stderr.strip()[-300:]
    r = subprocess.run([env.falcod, "--dry-run"], text=True, capture_output=True)
    if r.returncode:
        return "falcod --dry-run fails: " + r.stderr.strip()[-300:]
    return None


# ---- per-syscall ------------------------------------------------------------------------------

CASES = ("getppid", "open_null", "fchdir", "chmod_enoent")
CONFIGS = ("none", "empty", "falcod")


def per_syscall(env):
    quick = env.quick
    rounds = 2 if quick else 5
    reps = 3 if quick else 5
    n = {"getppid": 500000 if quick else 2000000, "open_null": 50000 if quick else 300000,
         "fchdir": 300000 if quick else 1000000, "chmod_enoent": 200000 if quick else 1000000}
    env.log(f"   per-syscall: {rounds} rounds x (no probe, empty probe, falcod), {reps} repetitions each; "
            + ", ".join(f"{c} x{n[c]:,}" for c in CASES))
    # samples[config][case] = list of per-rep CPU ns (undisturbed ones only); rounds kept apart
    samples = {c: {k: [] for k in CASES} for c in CONFIGS}
    walls = {c: {k: [] for k in CASES} for c in CONFIGS}
    per_round = []
    disturbed = []
    falcod_runs = []
    # sys_exit links expected during each configuration: any other is another probe on the
    # machine (a test, another falcod); such a measurement is left out and, after waiting for
    # the other probe to go, taken again (at most 3 attempts)
    expect = {"none": 0, "empty": 1, "falcod": 1}

    def measure(cfg, rnd):
        recs = []
        loops = [(["--attach-empty"] if cfg == "empty" else []) + ["-n", str(n[case]), "-r", str(reps),
                                                                   "loop", case] for case in CASES]
        if cfg != "falcod":
            for a in loops:
                recs += kbench_json(env, a)
            return recs
        with Falcod(env) as f:
            before = f.snapshot()
            for a in loops:
                recs += kbench_json(env, a)
            after = f.snapshot()
            f.stop()
        run = {"round": rnd, "summary": f.summary, "cpu_s": f.cpu_s, "start_s": round(f.start_s, 2)}
        if before and after:
            run["counters_delta"] = {k: after[k] - before[k] for k in COUNTER_FIELDS}
        falcod_runs.append(run)
        if f.error:
            env.res.note("kernel", f.error)
        return recs

    for rnd in range(rounds):
        order = CONFIGS[rnd % 3:] + CONFIGS[:rnd % 3]  # rotated: no config always first
        this = {}
        for cfg in order:
            for attempt in range(3):
                wait_quiet(env, 60)
                recs = measure(cfg, rnd)
                bad = [x for x in recs if x["sys_exit_links_before"] != expect[cfg]
                       or x["sys_exit_links_after"] != expect[cfg]]
                disturbed += [{"round": rnd, "config": cfg, "case": x["case"], "attempt": attempt,
                               "links": [x["sys_exit_links_before"], x["sys_exit_links_after"]]} for x in bad]
                if not bad:
                    break
            for x in recs:
                if x in bad:
                    continue
                samples[cfg][x["case"]] += x["cpu_ns_per_call"]
                walls[cfg][x["case"]] += x["wall_ns_per_call"]
                this[(cfg, x["case"])] = min(x["cpu_ns_per_call"])
        per_round.append(this)
    return {"rounds": rounds, "reps": reps, "n": n, "samples": samples, "walls": walls,
            "per_round": [{f"{c}/{k}": v for (c, k), v in r.items()} for r in per_round],
            "disturbed": disturbed, "falcod_runs": falcod_runs}


def report_per_syscall(env, raw):
    res = env.res
    out = {"cases": {}}
    filtered_total = sum((r.get("counters_delta") or {}).get("filtered", 0) for r in raw["falcod_runs"])
    kernel_filter = filtered_total > 0.5 * raw["n"]["chmod_enoent"] * raw["reps"] * max(1, len(raw["falcod_runs"]))
    out["kernel_filter_active"] = kernel_filter
    for case in CASES:
        c = out["cases"][case] = {}
        for cfg in CONFIGS:
            v = raw["samples"][cfg][case]
            if v:
                c[cfg] = stats(v)
                c[cfg + "_wall"] = stats(raw["walls"][cfg][case])
                res.metric(f"kernel/syscall/{case}/{cfg}/cpu_ns", c[cfg]["min"], "ns", "lower", "time",
                           peer=cfg != "falcod", spread=c[cfg])
        # same-round ratios: each round's falcod min over that round's floor min
        rr = [r[f"falcod/{case}"] / r[f"empty/{case}"] for r in raw["per_round"]
              if f"falcod/{case}" in r and f"empty/{case}" in r]
        if "falcod" in c and "empty" in c:
            c["ratio_to_floor"] = c["falcod"]["min"] / c["empty"]["min"]
            c["ratio_to_floor_median"] = c["falcod"]["median"] / c["empty"]["median"]
            if rr:
                c["ratio_to_floor_per_round"] = rr
            res.metric(f"kernel/syscall/{case}/falcod_over_floor", c["ratio_to_floor"], "x", "lower", "ratio")
        if all(k in c for k in CONFIGS):
            floor = c["empty"]["min"] - c["none"]["min"]
            c["floor_overhead_ns"] = floor
            c["falcod_overhead_ns"] = c["falcod"]["min"] - c["none"]["min"]
            if floor > 0:
                c["overhead_ratio"] = c["falcod_overhead_ns"] / floor
    roles = {"getppid": ("uninteresting (not selected)", 1.2),
             "open_null": ("captured (openat /dev/null: default rules may read any opened fd)", None),
             "fchdir": ("captured (fchdir, state)", None),
             "chmod_enoent": ("filtered-out interesting (fchmodat ENOENT)" if kernel_filter else
                              "fchmodat ENOENT: NOT filtered in the kernel", 1.5)}
    for case, (role, target) in roles.items():
        out["cases"][case]["role"] = role
        if target and (case != "chmod_enoent" or kernel_filter):
            out["cases"][case]["target_ratio"] = target
    c = out["cases"]
    env.log("   CPU ns per call (min over all repetitions; median in brackets):")
    for case in CASES:
        x = c[case]
        cells = "  ".join(f"{cfg} {x[cfg]['min']:7.1f} ({x[cfg]['median']:7.1f})" for cfg in CONFIGS if cfg in x)
        ratio = (f"  falcod/floor {x['ratio_to_floor']:.2f}x" if "ratio_to_floor" in x else "") + (
            f" (target {x['target_ratio']}x)" if "target_ratio" in x else "")
        env.log(f"     {case:10s} {cells}{ratio}  [{x['role']}]")
    if raw["disturbed"]:
        env.res.note("kernel", f"{len(raw['disturbed'])} measurements left out: another program was attached "
                     "to sys_exit during them (another probe on the machine)")
    if not kernel_filter:
        env.res.note("kernel", "filtered-out case: falcod's probe did not filter the failing fchmodat calls in the "
                     "kernel (no kernel predicate for fchmodat in this build)")
    return out


# ---- drop curve -------------------------------------------------------------------------------

def delta(a, b):
    """Counter snapshot B minus A (drops by category included); None when either is missing."""
    if not a or not b:
        return None
    d = {k: b[k] - a[k] for k in COUNTER_FIELDS}
    d["drops_by_cat"] = {c: b["drops_by_cat"][c] - a["drops_by_cat"][c] for c in DROPCATS}
    d["drops_buffer"] = sum(d["drops_by_cat"].values())
    return d


def drop_curve(env):
    secs = 1.5 if env.quick else 5
    cpus = os.cpu_count() or 2
    # (calls/s, threads): paced steps from as many threads as CPUs, then flat out from as many
    # and from more threads than CPUs (which leaves falcod a smaller share of the CPUs: overload)
    paced = [400000] if env.quick else [100000, 200000, 400000, 800000, 1600000]
    plan = [(r, cpus) for r in paced] + [(0, cpus), (0, 2 * cpus)] + ([] if env.quick else [(0, 4 * cpus)])
    env.log(f"   drop curve: fchdir at " + ", ".join(f"{r:,}/s" if r else f"flat out x{t} threads" for r, t in plan)
            + f", {secs} s each; probe counters read from its map around the load")
    steps = []
    for rate, threads in plan:
        with Falcod(env) as f:
            a = f.snapshot()
            g = kbench_json(env, ["-t", str(threads), "rate", str(rate), str(secs), "fchdir"])[0]
            b = f.snapshot()
            f.stop()
        d = delta(a, b)
        el = g["seconds"]
        step = {"offered_fchdir_per_s": rate, "threads": threads, "achieved_fchdir_per_s": g["achieved_per_s"], "seconds": el,
                "generator_cpu_s": g["cpu_s"], "falcod_cpu_s": f.cpu_s, "summary": f.summary, "window": d}
        if d and d["seen"]:
            step["seen_per_s"] = d["seen"] / el
            step["sent_per_s"] = d["sent"] / el
            step["drop_share"] = d["drops_buffer"] / d["seen"]
        steps.append(step)
        env.log(f"     offered {('%.0f' % rate) if rate else 'max':>8s}/s x{threads} -> fchdir {g['achieved_per_s']:>10,.0f}/s; "
                f"probe saw {step.get('seen_per_s', 0):>10,.0f}/s, sent {step.get('sent_per_s', 0):>10,.0f}/s, "
                f"dropped {(d or {}).get('drops_buffer', '?')} ({100 * step.get('drop_share', 0):.2f} %); "
                f"falcod CPU {f.cpu_s or 0:.2f} s (whole run: {f.summary.get('wall_s', 0):.1f} s)")
    ok = [x for x in steps if x.get("drop_share") == 0 and "seen_per_s" in x]
    out = {"seconds": secs, "steps": steps}
    if ok:
        best = max(ok, key=lambda x: x["seen_per_s"])
        out["max_no_drop_per_s"] = best["seen_per_s"]
        env.res.metric("kernel/drops/max_events_per_s_without_drops", best["seen_per_s"], "ev/s", "higher", "rate")
    flat = max((x for x in steps if "sent_per_s" in x), key=lambda x: x["seen_per_s"], default={})
    if "sent_per_s" in flat:
        out["flat_out_sent_per_s"] = flat["sent_per_s"]
        out["flat_out_drop_share"] = flat["drop_share"]
        env.res.metric("kernel/drops/flat_out_sent_per_s", flat["sent_per_s"], "ev/s", "higher", "rate")
        env.res.metric("kernel/drops/flat_out_drop_share", flat["drop_share"], "share", "lower", "ratio")
    return out


# ---- stress-ng storms -------------------------------------------------------------------------

# stressors whose syscalls falcod's default selection captures: writes through a pipe (write is
# selected by the rules), open/close, dup/close, fork/exit
STORMS = (("pipe", ["--pipe", "{w}"]), ("open", ["--open", "{w}"]), ("dup", ["--dup", "{w}"]),
          ("fork", ["--fork", "{w}"]))


def stress(argv, secs, cwd):
    """stress-ng ARGV for SECS seconds: {stressor: {"real": bogo ops/s (wall), "cpu": per CPU-s}}."""
    with tempfile.NamedTemporaryFile(suffix=".yaml") as y:
        r = subprocess.run(["stress-ng"] + argv + ["--timeout", f"{secs}s", "--metrics-brief", "-Y", y.name],
                           text=True, capture_output=True, cwd=cwd)
        ops = {}
        cur = None
        for line in open(y.name):
            s = line.strip()
            if s.startswith("- stressor:"):
                cur = s.split(":", 1)[1].strip()
                ops[cur] = {}
            elif cur and s.startswith("bogo-ops-per-second-real-time:"):
                ops[cur]["real"] = float(s.split(":", 1)[1])
            elif cur and s.startswith("bogo-ops-per-second-usr-sys-time:"):
                ops[cur]["cpu"] = float(s.split(":", 1)[1])
    if r.returncode and not ops:
        raise RuntimeError("stress-ng failed: " + r.stderr.strip()[-300:])
    return ops


def storms(env):
    if not shutil.which("stress-ng"):
        env.res.note("kernel", "stress-ng not installed: storms skipped (scripts/deps --bench)")
        return None
    secs = 2 if env.quick else 6
    workers = [os.cpu_count() or 2] if env.quick else [1, os.cpu_count() or 2]
    kinds = STORMS[:1] if env.quick else STORMS
    env.log(f"   storms: stress-ng {', '.join(k for k, _ in kinds)} x {workers} workers, {secs} s, without and with falcod")
    out = []
    with tempfile.TemporaryDirectory() as scratch:
        for kind, tmpl in kinds:
            for w in workers:
                argv = [a.format(w=w) for a in tmpl]
                base = stress(argv, secs, scratch).get(kind, {})
                with Falcod(env) as f:
                    a = f.snapshot()
                    t0 = time.time()
                    loaded = stress(argv, secs, scratch).get(kind, {})
                    el = time.time() - t0
                    b = f.snapshot()
                    f.stop()
                d = delta(a, b)
                x = {"storm": kind, "workers": w, "seconds": round(el, 2), "ops_no_probe": base, "ops_falcod": loaded,
                     "window": d, "summary": f.summary, "falcod_cpu_s": f.cpu_s}
                if d and d["seen"]:
                    x["seen_per_s"] = d["seen"] / el
                    x["sent_per_s"] = d["sent"] / el
                    x["drop_share"] = d["drops_buffer"] / d["seen"]
                    key = f"kernel/storm/{kind}x{w}"
                    env.res.metric(key + "/seen_per_s", x["seen_per_s"], "ev/s", "higher", "rate")
                    env.res.metric(key + "/drop_share", x["drop_share"], "share", "lower", "ratio")
                for k in ("real", "cpu"):
                    if base.get(k) and loaded.get(k):
                        x[f"slowdown_{k}"] = base[k] / loaded[k]
                out.append(x)
                cats = {c: v for c, v in ((d or {}).get("drops_by_cat") or {}).items() if v}
                env.log(f"     {kind} x{w}: {base.get('real', 0):,.0f} bogo ops/s alone, {loaded.get('real', 0):,.0f} with "
                        f"falcod (per CPU-s {base.get('cpu', 0):,.0f} / {loaded.get('cpu', 0):,.0f}); probe saw "
                        f"{x.get('seen_per_s', 0):,.0f} ev/s, sent {x.get('sent_per_s', 0):,.0f}/s, dropped "
                        f"{(d or {}).get('drops_buffer', '?')} ({100 * x.get('drop_share', 0):.2f} %)"
                        + (f" by category {cats}" if cats else ""))
    return out


# ---- realistic workload -----------------------------------------------------------------------

def realistic(env):
    """falcod live during a clean build of this project with its tests, then a test run."""
    env.log("   realistic: falcod live during a build of this project (tests included) and a ctest run")
    scratch = tempfile.mkdtemp(prefix="fc-kbench-build-")
    try:
        with Falcod(env) as f:
            t0 = time.time()
            r1 = subprocess.run(["cmake", "-S", ROOT, "-B", scratch, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release"],
                                text=True, capture_output=True)
            r2 = subprocess.run(["ninja", "-C", scratch, "-j", str(os.cpu_count() or 2)], text=True,
                                capture_output=True) if r1.returncode == 0 else r1
            t1 = time.time()
            r3 = subprocess.run(["ctest", "--test-dir", scratch, "-j", str(os.cpu_count() or 2), "-E", "probe|e2e"],
                                text=True, capture_output=True) if r2.returncode == 0 else r2
            t2 = time.time()
            f.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    s = f.summary
    x = {"build_s": round(t1 - t0, 1), "test_s": round(t2 - t1, 1), "build_ok": r2.returncode == 0,
         "tests_rc": r3.returncode, "summary": s, "falcod_cpu_s": f.cpu_s, "counters": f.counters}
    if r2.returncode:
        env.res.note("kernel", "realistic workload: the build failed: " + (r2.stdout + r2.stderr).strip()[-300:])
    m = re.search(r"(\d+)% tests passed, (\d+) tests failed out of (\d+)", r3.stdout or "")
    if m:
        x["tests"] = {"passed_pct": int(m.group(1)), "failed": int(m.group(2)), "total": int(m.group(3))}
        x["tests_failed"] = re.findall(r"^\s*\d+ - (\S+)", (r3.stdout or "").split("tests FAILED:", 1)[-1], re.M) \
            if "tests FAILED:" in (r3.stdout or "") else []
    if "seen" in s and s["seen"]:
        x["drop_share"] = s.get("drops_buffer", 0) / s["seen"]
        x["filtered_share"] = s.get("filtered", 0) / s["seen"]
        env.res.metric("kernel/realistic/filtered_share", x["filtered_share"], "share", "higher", "ratio")
        x["seen_per_s"] = s["seen"] / (s.get("wall_s") or (t2 - t0))
        env.res.metric("kernel/realistic/drop_share", x["drop_share"], "share", "lower", "ratio")
        env.res.metric("kernel/realistic/seen_per_s", x["seen_per_s"], "ev/s", "higher", "rate")
        if f.cpu_s:
            x["falcod_cpu_share"] = f.cpu_s / (s.get("wall_s") or (t2 - t0))
    env.log(f"     build {x['build_s']} s, tests {x['test_s']} s: probe saw {s.get('seen', 0):,} events "
            f"({x.get('seen_per_s', 0):,.0f}/s), dropped {s.get('drops_buffer', '?')} "
            f"({100 * x.get('drop_share', 0):.3f} %), filtered in the kernel {s.get('filtered', '?')} "
            f"({100 * x.get('filtered_share', 0):.2f} %), falcod's own dropped {s.get('own_dropped', '?')}, "
            f"falcod CPU {f.cpu_s or 0:.1f} s")
    return x


# ---- latency ----------------------------------------------------------------------------------

def latency(env):
    """syscall -> alert line at light load (klatency.measure): one open of /etc/shadow per 0.1 s."""
    wait_quiet(env, 30)
    n = 20 if env.quick else 100
    env.log(f"   latency: falcod live, {n} opens of /etc/shadow 0.1 s apart, time to the alert line")
    x = klatency.measure(env.falcod, n, 0.1)
    t = x.get("total_ms")
    if t:
        env.res.metric("kernel/latency/median_ms", t["median"], "ms", "lower", "time", spread=t)
        env.res.metric("kernel/latency/p90_ms", t["p90"], "ms", "lower", "time")
        env.log(f"     syscall -> alert line: median {t['median']:.2f} ms, p90 {t['p90']:.2f} ms, max {t['max']:.2f} ms "
                f"({x['alerts']} alerts, {x['missed']} missed; target < 10 ms)")
    if x["missed"]:
        env.res.note("kernel", f"latency: {x['missed']} of {n} opens of /etc/shadow raised no alert within 2 s")
    return x


# ---- entry ------------------------------------------------------------------------------------

def run_suite(env):
    why = check(env)
    if why:
        env.res.note("kernel", why)
        return None
    env.log("== kernel: per-syscall overhead, drop curve, storms" + ("" if env.quick else ", realistic workload"))
    raw = {}
    try:
        ps = per_syscall(env)
        raw["per_syscall"] = report_per_syscall(env, ps)
        raw["per_syscall_raw"] = ps
        raw["latency"] = latency(env)
        raw["drop_curve"] = drop_curve(env)
        raw["storms"] = storms(env)
        if not env.quick:
            raw["realistic"] = realistic(env)
        else:
            env.res.note("kernel", "realistic workload (build + tests under falcod) skipped in --quick mode")
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        env.res.note("kernel", f"kernel suite stopped: {e}")
    return raw


# ---- report -----------------------------------------------------------------------------------

def fmt(v):
    return f"{v / 1e6:.2f} M" if abs(v) >= 1e6 else (f"{v / 1e3:.1f} K" if abs(v) >= 1e4 else f"{v:.2f}")


def markdown(k):
    L = []
    ps = k.get("per_syscall")
    if ps:
        raw = k.get("per_syscall_raw", {})
        L += ["## Kernel: per-syscall cost (kbench, CPU time of the calling thread)", "",
              f"{raw.get('rounds')} rounds, each measuring no probe, the empty `tp_btf/sys_exit` program (floor) and "
              f"falcod live (default rules) in turn; {raw.get('reps')} repetitions of "
              + ", ".join(f"{v:,} {c}" for c, v in (raw.get("n") or {}).items())
              + " calls per round. ns per call: min over every repetition (median in brackets). "
              "`falcod/floor` = falcod's min over the floor's min for the same syscall; per-round ratios in the JSON.",
              "", "| syscall | role | no probe | empty probe (floor) | falcod | falcod/floor | target | "
              "overhead over no probe: floor / falcod |", "|---|---|---|---|---|---|---|---|"]
        for case, x in ps["cases"].items():
            def cell(cfg):
                return f"{x[cfg]['min']:.1f} ({x[cfg]['median']:.1f})" if cfg in x else "–"
            ratio = f"{x['ratio_to_floor']:.2f}x" if "ratio_to_floor" in x else "–"
            target = f"≤ {x['target_ratio']}x" if "target_ratio" in x else ("not filtered" if case == "chmod_enoent" else "–")
            ov = (f"{x['floor_overhead_ns']:.1f} / {x['falcod_overhead_ns']:.1f} ns"
                  if "floor_overhead_ns" in x else "–")
            L.append(f"| {case} | {x['role']} | {cell('none')} | {cell('empty')} | {cell('falcod')} | {ratio} | "
                     f"{target} | {ov} |")
        L.append("")
    lt = k.get("latency")
    if lt and lt.get("total_ms"):
        t, a = lt["total_ms"], lt.get("after_event_ms") or {}
        L += ["## Kernel: latency, syscall to alert line (light load)", "",
              f"falcod live (default rules, JSON to a pipe); {t['n']} opens of /etc/shadow {lt['gap_s']} s apart, each "
              "timed from just before the openat to the arrival of its alert line (target < 10 ms).", "",
              "| | min | median | p90 | max |", "|---|---|---|---|---|",
              f"| syscall -> alert line (ms) | {t['min']:.2f} | {t['median']:.2f} | {t['p90']:.2f} | {t['max']:.2f} |"]
        if a:
            L.append(f"| event timestamp -> alert line (ms) | {a['min']:.2f} | {a['median']:.2f} | {a['p90']:.2f} | "
                     f"{a['max']:.2f} |")
        L.append("")
    dc = k.get("drop_curve")
    if dc:
        L += [f"## Kernel: drop curve (falcod live, kbench fchdir at paced rates, then flat out; {dc['seconds']} s "
              "per step)", "",
              "Counters read from the probe's map just before and after the load. The probe also sees the "
              "machine's other syscalls (a shared machine), so `probe saw` can exceed the fchdir rate.", "",
              "| offered fchdir/s | threads | achieved | probe saw ev/s | sent to the rings ev/s | ring-full drops | drop % | "
              "falcod CPU s (whole run) |", "|---|---|---|---|---|---|---|---|"]
        for x in dc["steps"]:
            w = x.get("window") or {}
            L.append(f"| {fmt(x['offered_fchdir_per_s']) if x['offered_fchdir_per_s'] else 'flat out'} | "
                     f"{x.get('threads', '')} | {fmt(x['achieved_fchdir_per_s'])} | {fmt(x.get('seen_per_s', 0))} | {fmt(x.get('sent_per_s', 0))} | "
                     f"{w.get('drops_buffer', '–')} | {100 * x.get('drop_share', 0):.2f} | {x.get('falcod_cpu_s') or 0:.2f} |")
        if "max_no_drop_per_s" in dc:
            L.append(f"\nHighest rate the probe saw without a drop: {fmt(dc['max_no_drop_per_s'])} events/s "
                     f"(over {dc['seconds']} s: the rings, 8 MiB each by default, absorb a shorter backlog).")
        if "flat_out_drop_share" in dc:
            L.append(f"Heaviest load: {fmt(dc['flat_out_sent_per_s'])} events/s reached the rings, "
                     f"{100 * dc['flat_out_drop_share']:.1f} % of what the probe saw was dropped.")
        L.append("")
    st = k.get("storms")
    if st:
        L += ["## Kernel: stress-ng storms under falcod", "",
              "bogo ops/s of the storm alone and with falcod live (wall; per CPU-second in brackets); probe "
              "counters read from its map around the storm.", "",
              "| storm | workers | ops/s alone | ops/s with falcod | probe saw ev/s | sent ev/s | ring-full drops | "
              "drop % | drops by category |", "|---|---|---|---|---|---|---|---|---|"]
        for x in st:
            w = x.get("window") or {}
            cats = {c: v for c, v in (w.get("drops_by_cat") or {}).items() if v}
            a, b = x.get("ops_no_probe") or {}, x.get("ops_falcod") or {}
            L.append(f"| {x['storm']} | {x['workers']} | {fmt(a.get('real', 0))} ({fmt(a.get('cpu', 0))}) | "
                     f"{fmt(b.get('real', 0))} ({fmt(b.get('cpu', 0))}) | {fmt(x.get('seen_per_s', 0))} | "
                     f"{fmt(x.get('sent_per_s', 0))} | {w.get('drops_buffer', '–')} | {100 * x.get('drop_share', 0):.2f} | "
                     f"{', '.join(f'{c} {v}' for c, v in cats.items()) or '–'} |")
        L.append("")
    rl = k.get("realistic")
    if rl:
        s = rl["summary"]
        L += ["## Kernel: realistic workload under falcod", "",
              f"Clean Release build of this project with its tests ({rl['build_s']} s) and a ctest run "
              f"({rl['test_s']} s{', ' + str(rl['tests']) if 'tests' in rl else ''}): the probe saw "
              f"{s.get('seen', 0):,} events ({fmt(rl.get('seen_per_s', 0))}/s), lost {s.get('drops_buffer', '–')} "
              f"for lack of ring space = **{100 * rl.get('drop_share', 0):.3f} %**, filtered out by the kernel "
              f"predicates {s.get('filtered', '–')} = **{100 * rl.get('filtered_share', 0):.2f} %**; falcod used {rl.get('falcod_cpu_s') or 0:.1f} s "
              f"of CPU ({100 * rl.get('falcod_cpu_share', 0):.1f} % of one CPU).", ""]
    return L


def plots(k, stem, head, hbars):
    out = []
    ps = (k or {}).get("per_syscall")
    if ps:
        cases = list(ps["cases"])
        labels = [f"{c}" for c in cases]
        series = [(name, [ps["cases"][c].get(cfg, {}).get("min", float("nan")) for c in cases])
                  for cfg, name in (("none", "no probe"), ("empty", "empty sys_exit program (floor)"),
                                    ("falcod", "falcod live, default rules"))]
        svg = stem + "-kernel-syscalls.svg"
        if hbars(svg, "CPU ns per syscall vs the empty-probe floor", "ns per call (min)", labels, series):
            out.append(svg)
    dc = (k or {}).get("drop_curve")
    if dc and any("seen_per_s" in x for x in dc["steps"]):
        dat = stem + "-drops.dat"
        with open(dat, "w") as f:
            f.write("# seen_per_s drop_pct sent_per_s\n")
            for x in sorted(dc["steps"], key=lambda x: x.get("seen_per_s", 0)):
                if "seen_per_s" in x:
                    f.write(f"{x['seen_per_s']} {100 * x['drop_share']} {x['sent_per_s']}\n")
        svg = stem + "-kernel-drops.svg"
        gp = (head + f"set output '{svg}'\nset xlabel 'events/s the probe saw (offered load)'\n"
              "set ylabel 'dropped in the kernel (%)'\nset y2label 'sent to the rings (events/s)'\n"
              "set ytics nomirror\nset y2tics\nset key left top\nset yrange [0:*]\nset y2range [0:*]\n"
              "set title 'drop rate vs offered load (falcod live, fchdir storm)'\n"
              f"plot '{dat}' using 1:2 with linespoints pt 7 title 'drop %', "
              f"'' using 1:3 axes x1y2 with linespoints pt 5 title 'sent events/s'\n")
        if subprocess.run(["gnuplot"], input=gp, text=True, capture_output=True).returncode == 0:
            out.append(svg)
        os.remove(dat)
    return out
