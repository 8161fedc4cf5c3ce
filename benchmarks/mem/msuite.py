"""The memory suite of benchmarks/run (imported by benchmarks/bench.py): what one tracked thread and
one tracked fd cost falcod, next to sysdig on the same captures, whether the table bounds hold,
and falcod's RSS over time.

  per thread / per fd  benchmarks/mem/mkstate writes gzip captures (falcod maps a plain capture
               whole, which would put the file's size into its RSS; both tools decompress a gzip
               one into their own buffers) on a grid: THREADS forked processes x 0 fds, and a
               fixed number of processes x FDS opened fds each. `falcod --replay` (default rules,
               syslog off, alerts discarded) prints its live table sizes and max RSS; `sysdig -r
               CAP -q` (Debian's) is the peer, its max RSS from GNU time. Least squares over the grid:
               RSS = base + b_thread * threads + b_fd * fds, with the live table sizes falcod
               reports (it bounds its tables; the grid stays below the bounds of both tools, and
               evictions are reported). Headline: falcod's bytes per thread and per fd over
               sysdig's.
  bounds       falco_libs.thread_table_size set to N: RSS with N processes and with 2N (the
               oldest are evicted); the per-process fd bound (4096, state.h max_fds_per_proc)
               filled, then offered twice as many: RSS at the bound and past it.
  RSS over time  VmRSS / RssAnon / RssFile of falcod from /proc/PID/status every 100 ms (5 ms
               in a replay, which lasts ~0.1 s for 1M events) during (a) a replay of the replay suite's 1M-event capture (or, without it, a mkstate
               capture) and (b) falcod live under a stress-ng fork + open mix (kernel suite's
               preconditions: root, BTF, the probe loads; else skipped with the reason).
Every figure is measured in this run."""
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

from common import QUIET, falcod_summary, stats  # benchmarks/common.py (bench.py puts it on the path)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FD_BOUND = 4096   # runtime/state.h fc_state_opts.max_fds_per_proc default (not configurable)
INHERITED = 5     # fds every mkstate child inherits from its parent (0-4)
SEEDED = 23       # processes mkstate seeds before the children
SYSDIG_FD_BOUND = 4096  # libsinsp settings.h MAX_FD_TABLE_SIZE


class Env:
    """What the suite needs from the driver: log, Results, tool paths, a scratch directory, the
    replay suite's 1M-event capture (None when not built in this run) and the kernel suite's
    environment (for its falcod launcher and preconditions)."""

    def __init__(self, res, tools, log, quick, tmp, replay_cap, kenv, ksuite):
        self.res, self.tools, self.log, self.quick, self.tmp = res, tools, log, quick, tmp
        self.replay_cap, self.kenv, self.ksuite = replay_cap, kenv, ksuite



# ---- one measured run -------------------------------------------------------------------------

GNU_TIME = "/usr/bin/time"


def measured(argv, timeout=600):
    """Runs ARGV (stdout discarded) under GNU time: (exit status, stderr, max RSS KiB, seconds).
    Not wait4 on a child of this driver: Linux carries the hiwater RSS of the image a process
    exec()s from into its ru_maxrss (exec_mmap), so a command started from Python reports at
    least the driver's own RSS (tens of MiB). GNU time forks a small child that execs ARGV: its
    ru_maxrss, and falcod's own `max RSS`, are then the command's alone."""
    with tempfile.TemporaryFile(mode="w+") as err, tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as tf:
        t0 = time.time()
        p = subprocess.Popen([GNU_TIME, "-f", "%M", "-o", tf.name] + argv, stdout=subprocess.DEVNULL, stderr=err)
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise RuntimeError(f"{os.path.basename(argv[0])} did not finish within {timeout} s")
        el = time.time() - t0
        err.seek(0)
        text = err.read()
        lines = [l for l in open(tf.name).read().split("\n") if l.strip().isdigit()]
    if not lines:
        raise RuntimeError(f"GNU time gave no RSS for {os.path.basename(argv[0])}: {text.strip()[-200:]}")
    return p.returncode, text, int(lines[-1]), el



def mkstate(env, threads, fds, path):
    r = subprocess.run([env.tools["mkstate"], "-z", "-t", str(threads), "-f", str(fds), path], text=True,
                       capture_output=True)
    if r.returncode:
        raise RuntimeError("mkstate failed: " + r.stderr.strip()[-300:])
    m = re.search(r"(\d+) events, (\d+) bytes", r.stdout)
    return {"events": int(m.group(1)), "bytes": int(m.group(2))} if m else {}


def run_falcod(env, cap, extra=()):
    rc, text, rss, el = measured([env.tools["falcod"]] + list(extra) + QUIET + ["--replay", cap])
    if rc:
        raise RuntimeError(f"falcod --replay exited {rc}: {text.strip()[-300:]}")
    s = falcod_summary(text)
    if "threads" not in s or "max_rss_kib" not in s:
        raise RuntimeError("falcod printed no state/RSS summary: " + text.strip()[-300:])
    s["time_max_rss_kib"] = rss
    s["seconds"] = round(el, 3)
    return s


def run_sysdig(cap):
    rc, text, rss, el = measured(["sysdig", "-r", cap, "-q"])
    if rc:
        raise RuntimeError(f"sysdig -r exited {rc}: {text.strip()[-300:]}")
    return {"max_rss_kib": rss, "seconds": round(el, 3)}


# ---- least squares ----------------------------------------------------------------------------

def solve(a, b):
    """A x = B by Gaussian elimination with partial pivoting (small dense systems); None if singular."""
    n = len(b)
    m = [list(map(float, a[i])) + [float(b[i])] for i in range(n)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        if abs(m[p][c]) < 1e-12:
            return None
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit(points, ykey):
    """RSS bytes = base + per_thread * threads + per_fd * fds over POINTS (live table sizes), by
    least squares; with R^2 and the largest residual."""
    xs = [(1.0, p["threads"], p["fds"]) for p in points]
    ys = [p[ykey] * 1024.0 for p in points]
    ata = [[sum(x[i] * x[j] for x in xs) for j in range(3)] for i in range(3)]
    aty = [sum(x[i] * y for x, y in zip(xs, ys)) for i in range(3)]
    c = solve(ata, aty)
    if not c:
        return None
    pred = [c[0] + c[1] * x[1] + c[2] * x[2] for x in xs]
    mean = sum(ys) / len(ys)
    ss_tot = sum((y - mean) ** 2 for y in ys)
    ss_res = sum((y - q) ** 2 for y, q in zip(ys, pred))
    return {"base_kib": c[0] / 1024, "bytes_per_thread": c[1], "bytes_per_fd": c[2],
            "r2": 1 - ss_res / ss_tot if ss_tot else 1.0,
            "max_residual_kib": max(abs(y - q) for y, q in zip(ys, pred)) / 1024}


# ---- the grid ---------------------------------------------------------------------------------

def grid(env):
    if env.quick:
        return [(0, 0), (10000, 0), (25000, 0), (5000, 10), (5000, 40)], 1
    return [(0, 0), (10000, 0), (20000, 0), (50000, 0), (100000, 0), (10000, 10), (10000, 40)], 3


def per_table(env):
    pts, runs = grid(env)
    have_sysdig = shutil.which("sysdig") is not None
    if not have_sysdig:
        env.res.note("memory", "sysdig not installed: no peer (scripts/deps --bench)")
    env.log(f"   grid (processes x fds each): {', '.join(f'{t}x{f}' for t, f in pts)}; {runs} run(s) of falcod --replay"
            + (" and sysdig -r -q" if have_sysdig else "") + " per point")
    out = []
    for threads, fds in pts:
        cap = os.path.join(env.tmp, f"mem-{threads}x{fds}.scap.gz")
        gen = mkstate(env, threads, fds, cap)
        fr = [run_falcod(env, cap) for _ in range(runs)]
        sr = [run_sysdig(cap) for _ in range(runs)] if have_sysdig else []
        os.remove(cap)
        p = {"offered_threads": threads, "offered_fds_per_thread": fds, "events": gen.get("events"),
             "capture_bytes_uncompressed": gen.get("bytes"), "threads": fr[0]["threads"], "fds": fr[0]["fds"],
             "thread_evictions": fr[0]["thread_evictions"], "fd_evictions": fr[0]["fd_evictions"],
             "falcod_rss_kib": stats([x["max_rss_kib"] for x in fr]),
             "falcod_time_rss_kib": stats([x["time_max_rss_kib"] for x in fr]),
             "falcod_s": stats([x["seconds"] for x in fr])}
        p["falcod_kib"] = p["falcod_rss_kib"]["median"]
        if sr:
            p["sysdig_rss_kib"] = stats([x["max_rss_kib"] for x in sr])
            p["sysdig_s"] = stats([x["seconds"] for x in sr])
            p["sysdig_kib"] = p["sysdig_rss_kib"]["median"]
        out.append(p)
        env.log(f"     {threads:>6} x {fds:>2}: falcod tables {p['threads']:,} threads, {p['fds']:,} fds (evictions "
                f"{p['thread_evictions']}/{p['fd_evictions']}), max RSS {p['falcod_kib'] / 1024:7.1f} MiB"
                + (f"; sysdig max RSS {p['sysdig_kib'] / 1024:7.1f} MiB" if sr else ""))
    return out


def report_fit(env, pts):
    res = env.res
    out = {}
    f = fit(pts, "falcod_kib")
    if f:
        out["falcod"] = f
        res.metric("memory/falcod/bytes_per_thread", f["bytes_per_thread"], "B", "lower", "memory")
        res.metric("memory/falcod/bytes_per_fd", f["bytes_per_fd"], "B", "lower", "memory")
        res.metric("memory/falcod/base_kib", f["base_kib"], "KiB", "lower", "memory")
    if all("sysdig_kib" in p for p in pts):
        # sysdig keeps what was offered: the grid stays below its bounds (thread table, and
        # MAX_FD_TABLE_SIZE 4096 per process), so the table sizes are the same as falcod's
        s = fit(pts, "sysdig_kib")
        if s:
            out["sysdig"] = s
            res.metric("memory/sysdig/bytes_per_thread", s["bytes_per_thread"], "B", "lower", "memory", peer=True)
            res.metric("memory/sysdig/bytes_per_fd", s["bytes_per_fd"], "B", "lower", "memory", peer=True)
            res.metric("memory/sysdig/base_kib", s["base_kib"], "KiB", "lower", "memory", peer=True)
            if f and s["bytes_per_thread"] > 0 and s["bytes_per_fd"] > 0:
                out["ratio_per_thread"] = f["bytes_per_thread"] / s["bytes_per_thread"]
                out["ratio_per_fd"] = f["bytes_per_fd"] / s["bytes_per_fd"]
                res.metric("memory/falcod_over_sysdig/per_thread", out["ratio_per_thread"], "x", "lower", "ratio")
                res.metric("memory/falcod_over_sysdig/per_fd", out["ratio_per_fd"], "x", "lower", "ratio")
    for who, x in (("falcod", out.get("falcod")), ("sysdig", out.get("sysdig"))):
        if x:
            env.log(f"   {who}: {x['bytes_per_thread']:,.0f} B per thread, {x['bytes_per_fd']:,.0f} B per fd, base "
                    f"{x['base_kib'] / 1024:.1f} MiB (R^2 {x['r2']:.4f}, largest residual {x['max_residual_kib']:,.0f} KiB)")
    if "ratio_per_thread" in out:
        env.log(f"   falcod / sysdig: {out['ratio_per_thread']:.2f}x per thread, {out['ratio_per_fd']:.2f}x per fd")
    return out


# ---- bounds -----------------------------------------------------------------------------------

def bounds(env, fitted=None):
    """RSS at the configured thread bound and past it; the same for the per-process fd bound.
    FITTED (falcod's fit): what the excess offered would have cost if it were kept."""
    n = 10000 if env.quick else 20000
    procs = 10 if env.quick else 20
    env.log(f"   bounds: falco_libs.thread_table_size={n} with {n} and {2 * n} processes; {procs} processes with "
            f"{FD_BOUND - INHERITED} and {2 * FD_BOUND} opened fds each (bound {FD_BOUND} per process)")
    out = {"thread_table_size": n, "fd_bound": FD_BOUND}
    rows = []
    for kind, threads, fds, extra in (
            ("threads", n, 0, ["-o", f"falco_libs.thread_table_size={n}"]),
            ("threads", 2 * n, 0, ["-o", f"falco_libs.thread_table_size={n}"]),
            ("fds", procs, FD_BOUND - INHERITED, []),
            ("fds", procs, 2 * FD_BOUND, [])):
        cap = os.path.join(env.tmp, f"bound-{threads}x{fds}.scap.gz")
        mkstate(env, threads, fds, cap)
        s = run_falcod(env, cap, extra)
        os.remove(cap)
        rows.append({"kind": kind, "offered_threads": threads, "offered_fds_per_thread": fds, **s})
        env.log(f"     {kind:7s} offered {threads:>6} x {fds:>4}: tables {s['threads']:,} threads, {s['fds']:,} fds, "
                f"evictions {s['thread_evictions']:,} threads / {s['fd_evictions']:,} fds, max RSS "
                f"{s['max_rss_kib'] / 1024:.1f} MiB")
    out["rows"] = rows
    for kind in ("threads", "fds"):
        at, past = [r for r in rows if r["kind"] == kind]
        g = (past["max_rss_kib"] - at["max_rss_kib"]) / at["max_rss_kib"]
        out[f"{kind}_rss_at_bound_kib"] = at["max_rss_kib"]
        out[f"{kind}_rss_past_bound_kib"] = past["max_rss_kib"]
        out[f"{kind}_growth_past_bound"] = g
        if fitted:  # the excess offered, at the fitted rates, had falcod kept it
            if kind == "threads":
                extra = (past["offered_threads"] - at["offered_threads"]) * (
                    fitted["bytes_per_thread"] + INHERITED * fitted["bytes_per_fd"])
            else:
                extra = past["offered_threads"] * (
                    past["offered_fds_per_thread"] - at["offered_fds_per_thread"]) * fitted["bytes_per_fd"]
            out[f"{kind}_unbounded_growth_kib"] = extra / 1024
        env.res.metric(f"memory/bound/{kind}/rss_at_bound_kib", at["max_rss_kib"], "KiB", "lower", "memory")
        env.res.metric(f"memory/bound/{kind}/rss_past_bound_kib", past["max_rss_kib"], "KiB", "lower", "memory")
        unb = out.get(f"{kind}_unbounded_growth_kib")
        env.log(f"     {kind}: RSS at the bound {at['max_rss_kib'] / 1024:.1f} MiB, offered twice as many "
                f"{past['max_rss_kib'] / 1024:.1f} MiB ({100 * g:+.1f} %)"
                + (f"; kept unbounded the excess would cost ~{unb / 1024:.0f} MiB more" if unb else ""))
    return out


# ---- RSS over time ----------------------------------------------------------------------------

def proc_status(pid):
    """{VmRSS, RssAnon, RssFile, RssShmem} in KiB from /proc/PID/status; None once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            text = f.read()
    except OSError:
        return None
    out = {}
    for k in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
        m = re.search(rf"^{k}:\s+(\d+) kB", text, re.M)
        if m:
            out[k] = int(m.group(1))
    return out if "VmRSS" in out else None


class Sampler(threading.Thread):
    """Samples /proc/PID/status every PERIOD s while the process lives (or until stop()); PID is
    taken from GET_PID() as soon as it returns one (the launcher may not have started it yet)."""

    def __init__(self, get_pid, period=0.1):
        super().__init__(daemon=True)
        self.get_pid, self.period = get_pid, period
        self.samples = []
        self.t0 = None
        self.halt = threading.Event()

    def run(self):
        t_end = time.time() + 900  # bounded, whatever happens to the process
        pid = None
        while pid is None and not self.halt.is_set() and time.time() < t_end:
            pid = self.get_pid()
            if pid is None:
                time.sleep(0.005)
        t0 = self.t0 = time.time()
        nxt = t0
        while pid and not self.halt.is_set() and time.time() < t_end:
            s = proc_status(pid)
            if s is None:
                break
            s["t"] = round(time.time() - t0, 3)
            self.samples.append(s)
            nxt += self.period
            self.halt.wait(max(0.0, nxt - time.time()))

    def stop(self):
        self.halt.set()
        self.join(5)


def summarize(samples, label, period):
    if not samples:
        return {"label": label, "samples": []}
    rss = [s["VmRSS"] for s in samples]
    return {"label": label, "period_ms": round(period * 1e3), "samples": samples, "start_kib": rss[0], "peak_kib": max(rss), "end_kib": rss[-1],
            "seconds": samples[-1]["t"],
            "peak_anon_kib": max(s.get("RssAnon", 0) for s in samples)}


def rss_replay(env):
    cap, what = env.replay_cap, None
    if cap and os.path.exists(cap):
        what = f"replay of {os.path.basename(cap)} (the replay suite's capture, plain: falcod maps it)"
    else:
        t, f = (20000, 10) if env.quick else (50000, 10)
        cap = os.path.join(env.tmp, f"rss-{t}x{f}.scap.gz")
        mkstate(env, t, f, cap)
        what = f"replay of a mkstate capture ({t:,} processes x {f} fds, gzip; the replay suite's capture is absent)"
    # a 1M-event replay lasts ~0.1 s: 100 ms samples would see one point
    period = 0.005
    env.log(f"   RSS over time: {what}, /proc/PID/status every {period * 1e3:.0f} ms")
    holder = {}
    smp = Sampler(lambda: holder.get("pid"), period)
    smp.start()
    with tempfile.TemporaryFile(mode="w+") as err:
        try:
            p = subprocess.Popen([env.tools["falcod"]] + QUIET + ["--replay", cap], stdout=subprocess.DEVNULL,
                                 stderr=err)
            holder["pid"] = p.pid
            try:
                p.wait(timeout=600)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        finally:
            smp.stop()
        err.seek(0)
        text = err.read()
    x = summarize(smp.samples, what, period)
    x["summary"] = falcod_summary(text)
    if p.returncode:
        env.res.note("memory", f"RSS over time: falcod --replay exited {p.returncode}: {text.strip()[-200:]}")
    return x


def rss_live(env):
    ks, kenv = env.ksuite, env.kenv
    why = ks.check(kenv) if kenv else "kernel suite environment missing"
    if not why and not shutil.which("stress-ng"):
        why = "stress-ng not installed (scripts/deps --bench)"
    if why:
        env.res.note("memory", "RSS over time, live: " + why)
        return None
    secs = 6 if env.quick else 20
    w = os.cpu_count() or 2
    env.log(f"   RSS over time: falcod live under stress-ng --fork {w} --open {w} for {secs} s, every 100 ms")
    ks.wait_quiet(kenv, 30)
    f = ks.Falcod(kenv)
    smp = Sampler(lambda: f.p.pid if getattr(f, "p", None) else None)
    smp.start()
    stress_rc = None
    try:
        with f, tempfile.TemporaryDirectory() as scratch:
            t_load = time.time()
            r = subprocess.run(["stress-ng", "--fork", str(w), "--open", str(w), "--timeout", f"{secs}s",
                                "--metrics-brief"], text=True, capture_output=True, cwd=scratch, timeout=secs + 120)
            stress_rc = r.returncode
            t_done = time.time()
            time.sleep(1.0)  # what falcod keeps once the load is gone
            smp.stop()
            f.stop()
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        env.res.note("memory", f"RSS over time, live: {e}")
        return None
    finally:
        smp.stop()
    x = summarize(smp.samples, f"falcod live, stress-ng --fork {w} --open {w}, {secs} s", smp.period)
    if smp.t0:  # the load's window on the samples' clock
        x["load_window_s"] = [round(t_load - smp.t0, 2), round(t_done - smp.t0, 2)]
    x["start_s"] = round(f.start_s, 2) if hasattr(f, "start_s") else None
    x["load_s"] = round(t_done - t_load, 2)
    x["stress_rc"] = stress_rc
    x["summary"] = f.summary
    x["falcod_cpu_s"] = f.cpu_s
    if f.error:
        env.res.note("memory", "RSS over time, live: " + f.error)
    return x


def rss_over_time(env):
    out = {}
    for key, fn in (("replay", rss_replay), ("live", rss_live)):
        try:
            x = fn(env)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            env.res.note("memory", f"RSS over time ({key}) failed: {e}")
            x = None
        if not x or not x.get("samples"):
            continue
        out[key] = x
        for k in ("start", "peak", "end"):
            env.res.metric(f"memory/rss_over_time/{key}/{k}_kib", x[f"{k}_kib"], "KiB", "lower", "memory")
        env.log(f"     {key}: {len(x['samples'])} samples over {x['seconds']:.2f} s: start {x['start_kib'] / 1024:.1f} MiB, "
                f"peak {x['peak_kib'] / 1024:.1f} MiB (anonymous {x['peak_anon_kib'] / 1024:.1f} MiB), end "
                f"{x['end_kib'] / 1024:.1f} MiB")
    return out


# ---- entry ------------------------------------------------------------------------------------

def run_suite(env):
    if not env.tools.get("falcod"):
        env.res.note("memory", "falcod not built: skipped")
        return None
    if not os.access(GNU_TIME, os.X_OK):
        env.res.note("memory", "GNU time (/usr/bin/time, package time) missing: skipped (the max RSS of a command "
                     "started from Python includes the driver's own)")
        return None
    if not env.tools.get("mkstate"):
        env.res.note("memory", "benchmarks/mem/mkstate not built (CMake option FC_BENCH): skipped")
        return None
    env.log("== memory: bytes per thread / fd (falcod --replay vs sysdig -r), table bounds, RSS over time")
    raw = {}
    try:
        pts = per_table(env)
        raw["grid"] = pts
        raw["fit"] = report_fit(env, pts)
        raw["bounds"] = bounds(env, raw["fit"].get("falcod"))
    except RuntimeError as e:
        env.res.note("memory", f"memory suite stopped: {e}")
    raw["rss_over_time"] = rss_over_time(env)
    return raw


# ---- report -----------------------------------------------------------------------------------

def markdown(m):
    L = []
    pts = m.get("grid")
    if pts:
        L += ["## Memory: bytes per tracked thread and fd", "",
              "`benchmarks/mem/mkstate` captures (gzip, so neither tool maps the file): N forked + exec'd processes "
              "(realistic exe/args/cgroups, ~1.5 KB environment each, 5 fds inherited) x F opened files/sockets each, "
              "nothing closed. `falcod --replay` (default rules) reports its live tables and max RSS; `sysdig -r CAP "
              "-q` (peer) max RSS from GNU time (a command started straight from the Python driver would report the "
              "driver's RSS too: Linux keeps the pre-exec hiwater in ru_maxrss). Median of the runs.", "",
              "| processes x fds | falcod threads | falcod fds | evictions (threads / fds) | falcod max RSS MiB | "
              "sysdig max RSS MiB (peer) |", "|---|---|---|---|---|---|"]
        for p in pts:
            sd = f"{p['sysdig_kib'] / 1024:.1f}" if "sysdig_kib" in p else "–"
            L.append(f"| {p['offered_threads']:,} x {p['offered_fds_per_thread']} | {p['threads']:,} | {p['fds']:,} | "
                     f"{p['thread_evictions']} / {p['fd_evictions']} | {p['falcod_kib'] / 1024:.1f} | {sd} |")
        L.append("")
        fit_ = m.get("fit") or {}
        if fit_.get("falcod"):
            L += ["Least squares over the grid, RSS = base + b_thread x threads + b_fd x fds (live table sizes):", "",
                  "| | bytes per thread | bytes per fd | base MiB | R² |", "|---|---|---|---|---|"]
            for who in ("falcod", "sysdig"):
                x = fit_.get(who)
                if x:
                    L.append(f"| {who}{' (peer)' if who == 'sysdig' else ''} | {x['bytes_per_thread']:,.0f} | "
                             f"{x['bytes_per_fd']:,.0f} | {x['base_kib'] / 1024:.1f} | {x['r2']:.4f} |")
            if "ratio_per_thread" in fit_:
                L.append(f"| **falcod / sysdig** | **{fit_['ratio_per_thread']:.2f}x** | **{fit_['ratio_per_fd']:.2f}x** "
                         "| | |")
            L.append("")
    b = m.get("bounds")
    if b:
        L += [f"Bounds: `falco_libs.thread_table_size={b['thread_table_size']}`; fds per process {b['fd_bound']} "
              "(state.h `max_fds_per_proc`).", "",
              "| bound | offered | falcod threads | falcod fds | evictions (threads / fds) | max RSS MiB |",
              "|---|---|---|---|---|---|"]
        for r in b["rows"]:
            L.append(f"| {r['kind']} | {r['offered_threads']:,} x {r['offered_fds_per_thread']} | {r['threads']:,} | "
                     f"{r['fds']:,} | {r['thread_evictions']:,} / {r['fd_evictions']:,} | "
                     f"{r['max_rss_kib'] / 1024:.1f} |")
        def unb(kind):
            v = b.get(f"{kind}_unbounded_growth_kib")
            return f"; the excess, kept, would cost ~{v / 1024:.0f} MiB at the fitted rates" if v else ""
        L += ["", f"Past the thread bound RSS moves {100 * b['threads_growth_past_bound']:+.1f} % "
              f"({b['threads_rss_at_bound_kib'] / 1024:.1f} -> {b['threads_rss_past_bound_kib'] / 1024:.1f} MiB) with "
              f"twice the processes offered{unb('threads')}; past the fd bound {100 * b['fds_growth_past_bound']:+.1f} % "
              f"({b['fds_rss_at_bound_kib'] / 1024:.1f} -> {b['fds_rss_past_bound_kib'] / 1024:.1f} MiB) with twice "
              f"the fds offered{unb('fds')}.", ""]
    rt = m.get("rss_over_time") or {}
    if rt:
        L += ["## Memory: falcod RSS over time (VmRSS from /proc/PID/status)", "",
              "| run | samples (every) | seconds | start MiB | peak MiB | peak anonymous MiB | end MiB |",
              "|---|---|---|---|---|---|---|"]
        for x in rt.values():
            L.append(f"| {x['label']} | {len(x['samples'])} ({x['period_ms']} ms) | {x['seconds']:.2f} | "
                     f"{x['start_kib'] / 1024:.1f} | "
                     f"{x['peak_kib'] / 1024:.1f} | {x['peak_anon_kib'] / 1024:.1f} | {x['end_kib'] / 1024:.1f} |")
        L += ["", "VmRSS = anonymous + file-backed pages. A plain capture is mapped whole by falcod's reader and "
              "the probe's ring buffers are mapped into falcod live: both count as file-backed (RssFile), not as "
              "anonymous memory (RssAnon, the tables). Live: the dotted lines in the plot mark the load's start "
              "and end.", ""]
    return L


def plots(m, stem, head):
    rt = (m or {}).get("rss_over_time") or {}
    runs = [(k, x) for k, x in rt.items() if x.get("samples")]
    if not runs:
        return []
    dats, parts = [], []
    for k, x in runs:
        dat = f"{stem}-rss-{k}.dat"
        with open(dat, "w") as f:
            f.write("# t_s vmrss_mib rssanon_mib\n")
            for s in x["samples"]:
                f.write(f"{s['t']} {s['VmRSS'] / 1024:.2f} {s.get('RssAnon', 0) / 1024:.2f}\n")
        dats.append(dat)
        title = ("replay of the 1M-event capture" if "big-sample" in x["label"] else "replay of a mkstate capture") \
            if k == "replay" else "live (stress-ng fork + open)"
        marks = "unset arrow\n"
        for t in x.get("load_window_s") or []:  # the load's start and end
            marks += f"set arrow from {t}, graph 0 to {t}, graph 1 nohead front dt 2 lw 1.5 lc rgb '#555555'\n"
        parts.append(f"set title 'falcod RSS over time: {title}'\nset xlabel 'time (s)'\nset ylabel 'MiB'\n"
                     "set yrange [0:*]\nset key right center\n" + marks +
                     f"plot '{dat}' using 1:2 with lines lw 2 title 'VmRSS', '' using 1:3 with lines lw 2 dt 2 "
                     "title 'RssAnon'\n")
    svg = stem + "-rss.svg"
    width = 520 * len(parts)
    gp = (head.replace("size 820,480", f"size {max(width, 820)},420") + f"set output '{svg}'\n"
          + (f"set multiplot layout 1,{len(parts)}\n" if len(parts) > 1 else "") + "".join(parts)
          + ("unset multiplot\n" if len(parts) > 1 else ""))
    ok = subprocess.run(["gnuplot"], input=gp, text=True, capture_output=True).returncode == 0
    for d in dats:
        os.remove(d)
    return [svg] if ok else []
