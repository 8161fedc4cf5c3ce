/* sinsp_bench.cpp — the libsinsp peer measurement: Falco-syntax filters compiled by libsinsp's own
 * filter compiler and run over the events of a .scap capture read by a libsinsp inspector
 * (Debian's libfalcosecurity0-dev). The numbers are what falcoc/falcod's filter VM and replay are
 * compared against (RUNTIME.md §6.2/§6.3); nothing here links our code.
 *
 * Modes (one JSON object per measurement on stdout; progress and rejected filters on stderr):
 *   read    CAPTURE                   iterate the events only (the no-filter baseline)
 *   filter  CAPTURE FILTER...         each filter: whole-pass events/s with and without it, and the
 *                                     ns of one evaluation (repeated on each event, timer subtracted)
 *   leaves  CAPTURE                   the built-in single conditions (issue 8: ns per leaf)
 *   ruleset CAPTURE RULES.tsv         "name<TAB>condition" lines compiled one filter per rule and
 *                                     indexed by event type, as Falco's ruleset does; --limits
 *                                     1,2,4,all measures ns per event against the number of rules
 *                                     (past the number accepted, the accepted rules repeat)
 *   check   CAPTURE RULES.tsv         print the rules libsinsp accepts (same format), rejected
 *                                     ones with the reason on stderr
 * Options: --passes N (default 3; min/median/max reported), --repeat R (evaluations of a filter
 * per event in the repeated timing, default 16), --limits LIST (ruleset).
 *
 * Method. Pass figures time `next()` (+ the filter once per event) over the whole capture, the
 * inspector re-opened for each pass, in wall time and in this thread's CPU time (events per
 * CPU-second: not inflated by time spent descheduled on a busy machine); their difference to the
 * read-only pass is the filter's share.
 * The per-evaluation figure times R back-to-back `run()` calls on each event as it is delivered
 * (thread and fd state as of that event) and subtracts the cost of the empty timed region, measured
 * on the same event; this libsinsp has no per-event filter cache unless Falco's engine installs
 * one, so a repeated evaluation does the whole extraction and comparison again. Timed regions
 * over 1 ms (a preemption) are dropped and counted. */
#include <sinsp.h>
#include <filter.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

using clk = std::chrono::steady_clock;

int g_passes = 3;
int g_repeat = 16;
volatile uint64_t g_sink; // keeps the evaluations observable

uint64_t ns_between(clk::time_point a, clk::time_point b)
{
	return (uint64_t)std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
}

// CPU time of this thread: whole-pass figures in events per CPU-second do not count the time the
// thread spent descheduled, which on a shared machine is most of the noise in wall time.
uint64_t cpu_ns()
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// A timed region longer than this held a preemption or an interrupt storm, not the code under
// test (the longest legitimate region, 16 runs of a 64-leaf chain, is ~40 us): it is dropped.
const uint64_t k_outlier_ns = 1000000;

std::string jstr(const std::string &s)
{
	std::string o = "\"";
	for(unsigned char c : s) {
		if(c == '"' || c == '\\') {
			o += '\\';
			o += (char)c;
		} else if(c < 0x20) {
			char b[8];
			snprintf(b, sizeof b, "\\u%04x", c);
			o += b;
		} else {
			o += (char)c;
		}
	}
	return o + "\"";
}

struct stats3 {
	double min, med, max;
};

stats3 summarize(std::vector<double> v)
{
	std::sort(v.begin(), v.end());
	size_t n = v.size();
	double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return {v.front(), med, v.back()};
}

std::string jstats(const char *key, const stats3 &s)
{
	char b[160];
	snprintf(b, sizeof b, "\"%s\":{\"min\":%.2f,\"median\":%.2f,\"max\":%.2f}", key, s.min, s.med, s.max);
	return b;
}

std::unique_ptr<sinsp> open_capture(const std::string &path)
{
	std::unique_ptr<sinsp> in(new sinsp());
	in->open(path);
	return in;
}

// Next event; false at the end of the capture. Errors are fatal: a benchmark over a partly read
// capture would report a meaningless rate.
bool next_event(sinsp &in, sinsp_evt **ev)
{
	for(;;) {
		int32_t r = in.next(ev);
		if(r == SCAP_SUCCESS)
			return true;
		if(r == SCAP_TIMEOUT)
			continue;
		if(r == SCAP_EOF)
			return false;
		throw sinsp_exception("reading the capture: " + in.getlasterr());
	}
}

// Compiles FLT against IN; nullptr with ERR set when libsinsp rejects it.
sinsp_filter *compile(sinsp &in, const std::string &flt, std::string &err)
{
	try {
		sinsp_filter_compiler c(&in, flt);
		return c.compile();
	} catch(const std::exception &e) {
		err = e.what();
		return nullptr;
	}
}

// One pass over the capture; FLTS (compiled by MAKE for the fresh inspector) run once per event.
// Returns elapsed wall ns; sets CPU (thread CPU ns), EVENTS and MATCHED.
template<typename Make>
uint64_t pass_once(const std::string &cap, Make make, uint64_t &cpu, uint64_t &events, uint64_t &matched)
{
	auto in = open_capture(cap);
	std::vector<std::unique_ptr<sinsp_filter>> flts = make(*in);
	sinsp_evt *ev;
	events = matched = 0;
	uint64_t c0 = cpu_ns();
	auto t0 = clk::now();
	while(next_event(*in, &ev)) {
		events++;
		for(auto &f : flts)
			matched += f->run(ev);
	}
	auto t1 = clk::now();
	cpu = cpu_ns() - c0;
	return ns_between(t0, t1);
}

std::vector<std::unique_ptr<sinsp_filter>> no_filters(sinsp &)
{
	return {};
}

struct pass_result {
	uint64_t events = 0, matched = 0;
	std::vector<double> ns_per_event;     // one per pass, wall
	std::vector<double> cpu_ns_per_event; // one per pass, thread CPU time
};

template<typename Make>
pass_result passes(const std::string &cap, Make make)
{
	pass_result r;
	for(int p = 0; p < g_passes; p++) {
		uint64_t cpu = 0;
		uint64_t ns = pass_once(cap, make, cpu, r.events, r.matched);
		r.ns_per_event.push_back(r.events ? (double)ns / r.events : 0);
		r.cpu_ns_per_event.push_back(r.events ? (double)cpu / r.events : 0);
	}
	return r;
}

std::string eps_json(const pass_result &r)
{
	std::vector<double> eps, cps;
	for(double ns : r.ns_per_event)
		eps.push_back(ns > 0 ? 1e9 / ns : 0);
	for(double ns : r.cpu_ns_per_event)
		cps.push_back(ns > 0 ? 1e9 / ns : 0);
	return jstats("events_per_s", summarize(eps)) + "," + jstats("ns_per_event", summarize(r.ns_per_event)) +
	       "," + jstats("events_per_cpu_s", summarize(cps)) + "," +
	       jstats("cpu_ns_per_event", summarize(r.cpu_ns_per_event));
}

const char *g_capture_name = "";

void emit_head(const char *kind, const std::string &name)
{
	printf("{\"suite\":\"sinsp\",\"kind\":\"%s\",\"name\":%s,\"capture\":%s,\"passes\":%d", kind,
	       jstr(name).c_str(), jstr(g_capture_name).c_str(), g_passes);
}

// ---- read -------------------------------------------------------------------------------------

pass_result g_base; // the read-only passes, shared by every mode

void do_read(const std::string &cap)
{
	g_base = passes(cap, no_filters);
	emit_head("read", "next() only");
	printf(",\"events\":%llu,%s}\n", (unsigned long long)g_base.events, eps_json(g_base).c_str());
	fflush(stdout);
}

// ---- repeated per-event timing ----------------------------------------------------------------

struct probe {
	std::string name, filter;
	std::string error;       // set when libsinsp rejects the filter
	unsigned leaves = 1;     // conditions in the filter, for ns per leaf
	std::vector<double> ns;  // per pass: ns per evaluation
	uint64_t matched = 0;    // events accepted (one evaluation per event), last pass
	uint64_t outliers = 0;   // timed regions dropped (> k_outlier_ns), all passes
};

// Per pass: every event is evaluated R times by every probe, each probe's region timed on its own,
// minus the empty region timed on the same event; regions holding a preemption are dropped.
void repeated(const std::string &cap, std::vector<probe> &ps, uint64_t &events)
{
	for(int p = 0; p < g_passes; p++) {
		auto in = open_capture(cap);
		std::vector<std::unique_ptr<sinsp_filter>> f(ps.size());
		for(size_t i = 0; i < ps.size(); i++) {
			std::string err;
			f[i].reset(compile(*in, ps[i].filter, err));
			if(!f[i])
				ps[i].error = err;
		}
		std::vector<uint64_t> acc(ps.size()), empty(ps.size()), used(ps.size()), match(ps.size());
		sinsp_evt *ev;
		events = 0;
		while(next_event(*in, &ev)) {
			events++;
			auto e0 = clk::now();
			auto e1 = clk::now();
			uint64_t e = ns_between(e0, e1);
			for(size_t i = 0; i < ps.size(); i++) {
				if(!f[i])
					continue;
				bool m = false;
				auto t0 = clk::now();
				for(int r = 0; r < g_repeat; r++)
					m = f[i]->run(ev);
				auto t1 = clk::now();
				uint64_t t = ns_between(t0, t1);
				match[i] += m;
				if(t > k_outlier_ns || e > k_outlier_ns) {
					ps[i].outliers++;
					continue;
				}
				acc[i] += t;
				empty[i] += e;
				used[i]++;
			}
		}
		for(size_t i = 0; i < ps.size(); i++) {
			if(!f[i])
				continue;
			double net = (double)acc[i] - (double)empty[i];
			ps[i].ns.push_back(used[i] ? std::max(0.0, net) / ((double)used[i] * g_repeat) : 0);
			ps[i].matched = match[i];
		}
	}
}

void emit_probes(const char *kind, const std::vector<probe> &ps, uint64_t events)
{
	for(const probe &p : ps) {
		emit_head(kind, p.name);
		printf(",\"filter\":%s", jstr(p.filter).c_str());
		if(!p.error.empty()) {
			printf(",\"error\":%s}\n", jstr(p.error).c_str());
			continue;
		}
		stats3 s = summarize(p.ns);
		printf(",\"events\":%llu,\"matched\":%llu,\"repeat\":%d,\"leaves\":%u,\"outliers_dropped\":%llu,%s,"
		       "\"ns_per_leaf\":%.2f}\n",
		       (unsigned long long)events, (unsigned long long)p.matched, g_repeat, p.leaves,
		       (unsigned long long)p.outliers, jstats("ns_per_eval", s).c_str(), s.med / p.leaves);
	}
	fflush(stdout);
}

// ---- filter -----------------------------------------------------------------------------------

void do_filters(const std::string &cap, const std::vector<std::string> &flts)
{
	std::vector<probe> ps;
	for(const std::string &f : flts)
		ps.push_back({f, f, "", 1, {}, 0});
	uint64_t events = 0;
	repeated(cap, ps, events);
	for(probe &p : ps) {
		emit_head("filter", p.name);
		printf(",\"filter\":%s", jstr(p.filter).c_str());
		if(!p.error.empty()) {
			printf(",\"error\":%s}\n", jstr(p.error).c_str());
			continue;
		}
		const std::string flt = p.filter;
		pass_result r = passes(cap, [&](sinsp &in) {
			std::vector<std::unique_ptr<sinsp_filter>> v;
			std::string err;
			v.emplace_back(compile(in, flt, err));
			return v;
		});
		double delta = summarize(r.ns_per_event).med - summarize(g_base.ns_per_event).med;
		printf(",\"events\":%llu,\"matched\":%llu,%s,\"ns_per_event_over_read\":%.2f,%s}\n",
		       (unsigned long long)r.events, (unsigned long long)r.matched, eps_json(r).c_str(), delta,
		       jstats("ns_per_eval", summarize(p.ns)).c_str());
		fflush(stdout);
	}
}

// ---- leaves -----------------------------------------------------------------------------------

std::string name_list(const char *stem, int n, const char *real)
{
	std::string s = "(";
	for(int i = 0; i < n - 1; i++)
		s += std::string(stem) + std::to_string(i) + ", ";
	return s + real + ")"; // the last item is a name the capture has, so some events match
}

std::string or_chain(int n)
{
	std::string s;
	for(int i = 0; i < n; i++)
		s += (i ? " or proc.name = t" : "proc.name = t") + std::to_string(i);
	return s;
}

void do_leaves(const std::string &cap)
{
	std::vector<probe> ps = {
		{"evt.type = open", "evt.type = open", "", 1, {}, 0},
		{"evt.type in (3 items)", "evt.type in (open, openat, openat2)", "", 1, {}, 0},
		{"proc.name = x", "proc.name = ls", "", 1, {}, 0},
		{"proc.name in (50 items)", "proc.name in " + name_list("tool", 50, "ls"), "", 1, {}, 0},
		{"fd.name startswith /etc", "fd.name startswith /etc", "", 1, {}, 0},
		{"fd.name contains x", "fd.name contains libc", "", 1, {}, 0},
		{"fd.name glob", "fd.name glob /lib/*/lib*.so*", "", 1, {}, 0},
		{"fd.name pmatch (4 prefixes)", "fd.name pmatch (/etc, /usr/lib, /lib, /proc)", "", 1, {}, 0},
		{"proc.cmdline contains x", "proc.cmdline contains color", "", 1, {}, 0},
		{"proc.cmdline regex", "proc.cmdline regex 'ls .*'", "", 1, {}, 0},
		{"8 chained proc.name = tK", or_chain(8), "", 8, {}, 0},
		{"64 chained proc.name = tK", or_chain(64), "", 64, {}, 0},
		{"proc.name in (64 items)", "proc.name in " + name_list("t", 64, "t63"), "", 1, {}, 0},
	};
	uint64_t events = 0;
	repeated(cap, ps, events);
	emit_probes("leaf", ps, events);
}

// ---- ruleset ----------------------------------------------------------------------------------

struct rule {
	std::string name, cond;
};

std::vector<rule> read_rules(const std::string &path)
{
	std::ifstream f(path);
	if(!f)
		throw sinsp_exception("cannot read " + path);
	std::vector<rule> v;
	std::string line;
	while(std::getline(f, line)) {
		size_t tab = line.find('\t');
		if(line.empty() || tab == std::string::npos)
			continue;
		v.push_back({line.substr(0, tab), line.substr(tab + 1)});
	}
	return v;
}

// The rules libsinsp accepts, in file order; the rejected ones are reported on stderr and counted.
std::vector<rule> accepted_rules(const std::string &cap, const std::vector<rule> &all, size_t &rejected)
{
	auto in = open_capture(cap);
	std::vector<rule> ok;
	rejected = 0;
	for(const rule &r : all) {
		std::string err;
		std::unique_ptr<sinsp_filter> f(compile(*in, r.cond, err));
		if(f) {
			ok.push_back(r);
		} else {
			rejected++;
			fprintf(stderr, "sinsp_bench: libsinsp rejects rule '%s': %s\n", r.name.c_str(), err.c_str());
		}
	}
	return ok;
}

// Falco's arrangement: one filter per rule, run only on the event types its condition can match,
// in rule order, until one matches.
struct indexed {
	std::vector<std::unique_ptr<sinsp_filter>> owned;
	std::vector<std::vector<sinsp_filter *>> by_type;
};

void build_index(sinsp &in, const std::vector<rule> &rules, size_t n, indexed &ix)
{
	ix.by_type.assign(PPM_EVENT_MAX, {});
	for(size_t i = 0; i < n; i++) {
		const rule &r = rules[i % rules.size()];
		std::string err;
		sinsp_filter *f = compile(in, r.cond, err);
		if(!f)
			throw sinsp_exception("rule '" + r.name + "' no longer compiles: " + err);
		ix.owned.emplace_back(f);
		for(uint16_t t : f->evttypes())
			if(t < PPM_EVENT_MAX)
				ix.by_type[t].push_back(f);
	}
}

void do_ruleset(const std::string &cap, const std::string &path, const std::vector<std::string> &limits)
{
	size_t rejected = 0;
	std::vector<rule> all = read_rules(path);
	std::vector<rule> rules = accepted_rules(cap, all, rejected);
	for(const std::string &lim : limits) {
		size_t n = lim == "all" ? rules.size() : (size_t)atol(lim.c_str());
		if(n == 0 || rules.empty())
			continue;
		// Untimed passes give events/s; timed ones the rules' own ns per event.
		std::vector<double> whole, whole_cpu, eval;
		uint64_t events = 0, matched = 0, evals = 0, outliers = 0;
		for(int timed = 0; timed < 2; timed++) {
			for(int p = 0; p < g_passes; p++) {
				auto in = open_capture(cap);
				indexed ix;
				build_index(*in, rules, n, ix);
				sinsp_evt *ev;
				uint64_t acc = 0, empty = 0, used = 0;
				events = matched = evals = 0;
				uint64_t c0 = cpu_ns();
				auto w0 = clk::now();
				while(next_event(*in, &ev)) {
					events++;
					clk::time_point t0;
					uint64_t e = 0;
					if(timed) {
						auto e0 = clk::now();
						auto e1 = clk::now();
						e = ns_between(e0, e1);
						t0 = clk::now();
					}
					// Falco stops at the first rule that matches an event.
					for(sinsp_filter *f : ix.by_type[ev->get_type()]) {
						evals++;
						if(f->run(ev)) {
							matched++;
							break;
						}
					}
					if(timed) {
						uint64_t t = ns_between(t0, clk::now());
						if(t > k_outlier_ns || e > k_outlier_ns) {
							outliers++;
							continue;
						}
						acc += t;
						empty += e;
						used++;
					}
				}
				auto w1 = clk::now();
				uint64_t c1 = cpu_ns();
				if(!events)
					continue;
				if(timed) {
					eval.push_back(used ? std::max(0.0, (double)acc - (double)empty) / used : 0);
				} else {
					whole.push_back((double)ns_between(w0, w1) / events);
					whole_cpu.push_back((double)(c1 - c0) / events);
				}
			}
		}
		pass_result r;
		r.ns_per_event = whole;
		r.cpu_ns_per_event = whole_cpu;
		emit_head("ruleset", "rules=" + std::to_string(n));
		printf(",\"rules_file\":%s,\"rules\":%zu,\"rules_distinct\":%zu,\"rules_total\":%zu,\"rules_rejected\":%zu,\"events\":%llu,"
		       "\"matched\":%llu,\"evaluations_per_event\":%.3f,\"outliers_dropped\":%llu,%s,%s}\n",
		       jstr(path).c_str(), n, std::min(n, rules.size()), all.size(), rejected, (unsigned long long)events,
		       (unsigned long long)matched, events ? (double)evals / events : 0, (unsigned long long)outliers,
		       eps_json(r).c_str(),
		       jstats("ns_rules_per_event", summarize(eval)).c_str());
		fflush(stdout);
	}
}

void do_check(const std::string &cap, const std::string &path)
{
	size_t rejected = 0;
	for(const rule &r : accepted_rules(cap, read_rules(path), rejected))
		printf("%s\t%s\n", r.name.c_str(), r.cond.c_str());
}

int usage()
{
	fprintf(stderr, "usage: sinsp_bench [--passes N] [--repeat R] [--limits 1,2,all] "
			"read|filter|leaves|ruleset|check CAPTURE [FILTER...|RULES.tsv]\n");
	return 2;
}

} // namespace

int main(int argc, char **argv)
{
	std::vector<std::string> limits = {"all"};
	int i = 1;
	for(; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if(i + 1 >= argc)
			return usage();
		if(!strcmp(argv[i], "--passes"))
			g_passes = std::max(1, atoi(argv[i + 1]));
		else if(!strcmp(argv[i], "--repeat"))
			g_repeat = std::max(1, atoi(argv[i + 1]));
		else if(!strcmp(argv[i], "--limits")) {
			limits.clear();
			std::string s = argv[i + 1];
			for(size_t a = 0, b; a <= s.size(); a = b + 1) {
				b = s.find(',', a);
				if(b == std::string::npos)
					b = s.size();
				if(b > a)
					limits.push_back(s.substr(a, b - a));
			}
		} else
			return usage();
	}
	if(argc - i < 2)
		return usage();
	std::string mode = argv[i], cap = argv[i + 1];
	std::vector<std::string> rest(argv + i + 2, argv + argc);
	g_capture_name = argv[i + 1];
	try {
		if(mode == "check" && rest.size() == 1) {
			do_check(cap, rest[0]);
			return 0;
		}
		do_read(cap); // every mode reports and uses the read-only baseline
		if(mode == "read")
			return 0;
		if(mode == "filter" && !rest.empty())
			do_filters(cap, rest);
		else if(mode == "leaves")
			do_leaves(cap);
		else if(mode == "ruleset" && rest.size() == 1)
			do_ruleset(cap, rest[0], limits);
		else
			return usage();
	} catch(const std::exception &e) {
		fprintf(stderr, "sinsp_bench: %s\n", e.what());
		return 1;
	}
	return 0;
}
