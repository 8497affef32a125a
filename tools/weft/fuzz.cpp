// weft fuzz: a random-walk campaign over many seeds, many cores and many machines.
//
// The campaign is a set of seeds BASE + i. A shard K/N takes the seeds with i % N == K,
// so N shards together run exactly the seeds of the unsharded campaign. Inside a shard,
// job k of J takes every J-th of the shard's seeds, and runs each seed on every target in
// turn: its work is the sequence of pairs p = n * targets + t (its n-th seed, target t).
// Each job is a forked child, so a scenario that crashes the process (SIGSEGV, abort) or
// hangs (watchdog SIGALRM) costs one execution, not the campaign: the parent turns the
// death into a `crash` / `hang` finding for the pair the job was on and restarts the job
// after it.
//
// Layout of --out DIR (the contract with `weft merge`, --resume and tests/tools/campaign_test.sh):
//   campaign.txt       the campaign's parameters ("key: value"), read by --resume
//   lock               "pid P on host H" of the process running the campaign (flock'd)
//   jobs/state.bin     a file-backed shared map: per job, the next pair to run (every pair
//                      before it is done) and its counter table of signatures; crashes and
//                      hangs. It survives a SIGKILL of every process (page cache) and is
//                      synced in batches, so --resume neither loses nor repeats a seed.
//   jobs/<k>.current   "target seed" of the execution job k is running (written before it)
//   jobs/<k>.seeds     the seeds job k has started, one per line (only for --iterations
//                      campaigns of at most seed_log_max seeds per job: a night of random
//                      walks would fill the disk)
//   jobs/<k>.hits      a finding id per violation that did not fit in the job's counter
//                      table; parent.hits: one per crash or hang
//   jobs/<k>.paths     a finding id per distinct execution (trace) the job shrank into it
//   jobs/<k>.corpus    --feedback on: the job's coverage corpus, one entry per line, in the
//                      order they entered ("<pair> <target> <n> <point>{n} <schedule token>"):
//                      read back when the job restarts (after a crash, or --resume), so its
//                      later seeds run what they would have run without the interruption
//   jobs/coverage.log  "wall_s executions coverage" samples of the whole campaign
//   findings/<hash>/   the first occurrence of each signature, shrunk: write_artefacts()
//                      plus finding.txt ("key: value" lines, the source of the summary)
//   corpus/<hash>.weft the finding's schedule file: the regression corpus
//   summary.json, summary.txt   rewritten every few seconds while the campaign runs
//                      (marked interrupted until it ends), so a killed campaign still has one
//
// Children claim a signature by mkdir(findings/<hash>), which is atomic, so exactly one
// process shrinks and renders each distinct bug.
#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <new>
#include <optional>
#include <set>
#include <tuple>
#include <sstream>

#include "campaign.hpp"
#include "common.hpp"
#include "weft/detail/hash.hpp"
#include "weft/model/feedback.hpp"
#include "weft/version.hpp"

namespace fs = std::filesystem;

namespace weft::cli {

namespace {

constexpr const char* schedule_weft_version = WEFT_VERSION_STRING;
constexpr std::uint64_t watchdog_default_s = 30;
// Shrinking replays a finding many times; it gets this many watchdog periods.
constexpr unsigned shrink_watchdog_factor = 20;
// Violating executions remembered per job, by (target, trace hash, signature), before
// starting afresh (about 200 bytes each; a path met again after that counts again).
constexpr std::size_t grouped_max = 16384;

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int) { g_stop = 1; }

struct Shard {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
  std::string source = "default";
};

Shard parse_shard(const std::string& what, const std::string& s) {
  auto slash = s.find('/');
  if (slash == std::string::npos) throw UsageError{what + ": expected K/N (0-based K < N), got '" + s + "'"};
  Shard sh;
  sh.index = parse_u64(what + " K", s.substr(0, slash));
  sh.count = parse_u64(what + " N", s.substr(slash + 1));
  if (sh.count == 0 || sh.index >= sh.count)
    throw UsageError{what + ": expected K/N with 0 <= K < N, got '" + s + "'"};
  sh.source = what;
  return sh;
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// --shard, else the array-job conventions of Slurm, Kubernetes Indexed Jobs and CI.
Shard shard_from(const Args& a) {
  if (a.has("--shard")) return parse_shard("--shard", a.get("--shard"));
  if (const char* id = env("SLURM_ARRAY_TASK_ID")) {
    const char* count = env("SLURM_ARRAY_TASK_COUNT");
    if (!count) throw UsageError{"SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not"};
    std::uint64_t task = parse_u64("SLURM_ARRAY_TASK_ID", id);
    std::uint64_t min = 0;
    if (const char* m = env("SLURM_ARRAY_TASK_MIN")) min = parse_u64("SLURM_ARRAY_TASK_MIN", m);
    if (task < min) throw UsageError{"SLURM_ARRAY_TASK_ID is below SLURM_ARRAY_TASK_MIN"};
    return parse_shard("SLURM_ARRAY_TASK_ID", std::to_string(task - min) + "/" + count);
  }
  if (const char* idx = env("JOB_COMPLETION_INDEX")) {
    const char* count = env("WEFT_SHARD_COUNT");
    if (!count) throw UsageError{"JOB_COMPLETION_INDEX is set but WEFT_SHARD_COUNT is not (set it to the Job's completions)"};
    return parse_shard("JOB_COMPLETION_INDEX", std::string(idx) + "/" + count);
  }
  if (const char* s = env("WEFT_SHARD")) return parse_shard("WEFT_SHARD", s);
  return Shard{};
}

std::uint64_t cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<std::uint64_t>(n) : 1;
}

constexpr std::uint64_t seed_log_max = 1'000'000;
// A child's exit status when an execution threw; its message is in jobs/<k>.error.
constexpr int exit_exception = 70;
constexpr std::size_t hit_slots_max = 64;
// At most 366 days: a longer budget is a typo, and steady_clock arithmetic must not wrap.
constexpr double duration_max_s = 366.0 * 86400;
// The seed logs and the state file are synced this often (executions of one job), so a
// node that dies loses at most this much work from the record: it is then run again.
constexpr std::uint64_t sync_every = 4096;

// Occurrences of one signature in one job.
struct HitSlot {
  char id[16];
  std::uint64_t count;
};

// Executions of one strategy ("portfolio/pos", "mutate/random") in one job.
constexpr std::size_t strategy_slots_max = 16;
struct StrategySlot {
  char name[32];
  std::uint64_t executions;
};

// One job's record in jobs/state.bin. Written by the job's current child (one at a time),
// and by the parent only while no child of that job runs.
struct JobState {
  std::atomic<std::uint64_t> next;  // pairs done in order: the next one to run
  std::atomic<std::uint32_t> done;  // the job has run its share (or the budget ended)
  std::atomic<std::uint32_t> unshrunk;  // violations on paths left unshrunk (campaign::shrink_due), saturating
  std::uint64_t slots_used;
  HitSlot slots[hit_slots_max];
  std::uint64_t strategies_used;
  StrategySlot strategies[strategy_slots_max];
};

struct StateHeader {
  char magic[8];
  std::uint64_t jobs;
  std::uint64_t targets;
  std::atomic<std::uint64_t> crashes;
  std::atomic<std::uint64_t> hangs;
  double elapsed_s;  // wall time of the earlier runs of this campaign (--resume)
  std::uint64_t runs;
};
constexpr char state_magic[8] = {'w', 'e', 'f', 't', 's', 't', '2', '\0'};

// jobs/state.bin mapped shared: survives the death of any process that wrote it.
struct State {
  StateHeader* header = nullptr;
  JobState* jobs = nullptr;
  std::size_t bytes = 0;
  static std::size_t size_for(std::uint64_t jobs) { return sizeof(StateHeader) + sizeof(JobState) * jobs; }
  void sync(bool wait) const { ::msync(header, bytes, wait ? MS_SYNC : MS_ASYNC); }
};

struct Campaign {
  fs::path dir;
  std::vector<Target> targets;
  std::uint64_t seed_base = 0;
  Shard shard;
  std::optional<std::uint64_t> iterations;  // seeds of the unsharded campaign
  double duration_s = 0;
  std::chrono::steady_clock::time_point deadline;
  std::uint64_t jobs = 1;
  unsigned watchdog_s = watchdog_default_s;
  bool feedback = true;  // --feedback: a coverage corpus per job and target, mutated
  std::uint64_t crash_seed_mod = 0;  // test hooks, see CAMPAIGNS.md
  std::uint64_t hang_seed_mod = 0;
  std::uint64_t throw_seed_mod = 0;

  // Shard-local index j = job + jobs * n; campaign index i = shard.index + shard.count * j.
  // Nothing when that is past the campaign (or would pass the last 64-bit seed).
  std::optional<std::uint64_t> campaign_index(std::uint64_t job, std::uint64_t n) const {
    std::uint64_t j = 0, i = 0;
    if (__builtin_mul_overflow(jobs, n, &j) || __builtin_add_overflow(j, job, &j) ||
        __builtin_mul_overflow(j, shard.count, &i) || __builtin_add_overflow(i, shard.index, &i))
      return std::nullopt;
    if (i > UINT64_MAX - seed_base) return std::nullopt;
    if (iterations && i >= *iterations) return std::nullopt;
    return i;
  }
  std::uint64_t seeds_of_shard() const {
    if (!iterations) return 0;
    return *iterations > shard.index ? (*iterations - 1 - shard.index) / shard.count + 1 : 0;
  }
  std::uint64_t seeds_of_job(std::uint64_t job) const {
    std::uint64_t s = seeds_of_shard();
    return s > job ? (s - 1 - job) / jobs + 1 : 0;
  }
  std::uint64_t pairs() const { return targets.size(); }
  fs::path job_file(std::uint64_t job, const char* ext) const {
    return dir / "jobs" / (std::to_string(job) + ext);
  }
};


void write_all(int fd, const std::string& s) {
  const char* p = s.data();
  std::size_t left = s.size();
  while (left > 0) {
    ssize_t w = ::write(fd, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    p += w;
    left -= static_cast<std::size_t>(w);
  }
}

int open_append(const fs::path& p) { return ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644); }

void write_text_file(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << s;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

std::string one_line(const std::string& s) { return printable(s); }

std::string granularity_of(const Target& t) {
  return t.scenario->options.sim.granularity == sim::Granularity::fine ? "fine" : "coarse";
}

// What ran the execution of a finding: the strategy ("portfolio/pos", "mutate/random") and,
// for a mutation, the corpus entry it mutated (the seed of the entry's execution).
struct Origin {
  std::string strategy = "portfolio";
  std::optional<std::uint64_t> entry;
};

// The first occurrence of a finding: its finding.txt, corpus file and artefacts.
void publish_finding(const Campaign& c, const std::string& id, const Target& t, const model::Finding& f,
                     const std::string& signature, const Origin& origin, const std::string& shape = {}) {
  fs::path fdir = c.dir / "findings" / id;
  std::string token = model::to_token(f.schedule);
  std::map<std::string, std::string> fields{{"kind", to_string(f.violation.kind)},
                                            {"target", t.full_name()},
                                            {"signature", one_line(signature)},
                                            {"message", one_line(f.violation.message)},
                                            {"seed", std::to_string(f.schedule.seed)},
                                            {"token", token}};
  if (!shape.empty()) fields["shape"] = one_line(shape);
  fields["strategy"] = one_line(origin.strategy);
  if (origin.entry) fields["corpus_entry"] = std::to_string(*origin.entry);
  campaign::write_finding_file(fdir, fields);
  write_text_file(c.dir / "corpus" / (id + ".weft"), model::to_file(f.schedule));
  write_artefacts(fdir.string(), t, f);
}

// A violation grouped: the finding it belongs to (signature and shape of the shrunk
// schedule), with the shrunk finding to publish if it is the first.
struct Grouped {
  std::string id, shape;
  model::Finding shrunk;
};

// A job's memory of grouped violations.
struct GroupCache {
  // (target, trace hash, signature) -> finding id: the same execution shrinks the same way.
  std::map<std::tuple<std::size_t, std::uint64_t, std::string>, std::string> executions;
  // (target, signature) -> the group of the default schedule when it shows the signature
  // (no preemption, no fault: shape "none"), else nothing.
  std::map<std::pair<std::size_t, std::string>, std::optional<Grouped>> defaults;
  // (target, signature) -> distinct paths of it that needed a shrink (shrunk or not).
  std::map<std::pair<std::size_t, std::string>, std::uint64_t> wanted;
  std::uint64_t replays = 0;  // executions replayed to shrink and shape, by this process
  std::uint64_t explored_from = 0;  // the job's executions done when this process started
};

// Replaces `g`'s finding by a replay of `schedule`, if it shows `signature`.
void adopt(Grouped& g, const Target& t, const model::Schedule& schedule, const model::Checker& all,
           const sim::Options& so, const std::string& signature) {
  model::ReplayResult r = model::replay(schedule, t.body(), all, so);
  if (r.diverged) return;
  for (const Violation& v : r.violations) {
    if (v.signature() != signature) continue;
    g.shrunk.violation = v;
    g.shrunk.schedule = schedule;
    g.shrunk.trace = r.trace;
    g.shrunk.result = r.result;
    g.shrunk.trace_hash = r.result.trace_hash;
    model::stamp_trace(g.shrunk.schedule, r.result, r.trace);
    return;
  }
}

// Shrinks `f` and takes the shape of the shrunk schedule. A signature that the default
// schedule already shows has shape "none" without shrinking (shrinking would end there).
// A shrink that throws leaves the finding unshrunk, with the shape of its own schedule.
Grouped group_violation(const Campaign& c, GroupCache& cache, std::size_t target_index, const Target& t,
                        const model::Finding& f, const std::string& signature) {
  Grouped g{{}, {}, f};
  sim::Options so = t.scenario->options.sim;
  so.granularity = f.schedule.granularity == "fine" ? sim::Granularity::fine : sim::Granularity::coarse;
  // The shrinker keeps a schedule while a violation of the kind reproduces: with a checker
  // that sees only this signature, it keeps this bug, never another of the same kind.
  std::uint64_t* replays = &cache.replays;  // each replay asks a checker once
  model::Checker all = [base = checker_for(t), replays](const sim::Trace& tr, const sim::RunResult& rr) {
    ++*replays;
    return base(tr, rr);
  };
  model::Checker same = [all, signature](const sim::Trace& tr, const sim::RunResult& rr) {
    std::vector<Violation> vs = all(tr, rr);
    std::erase_if(vs, [&](const Violation& v) { return v.signature() != signature; });
    return vs;
  };
  ::alarm(c.watchdog_s * shrink_watchdog_factor);
  try {
    auto dkey = std::make_pair(target_index, signature);
    auto d = cache.defaults.find(dkey);
    if (d == cache.defaults.end()) {
      model::Schedule none = f.schedule;
      none.decisions.clear();
      model::Shape shape = model::schedule_shape(none, t.body(), same, so);
      std::optional<Grouped> dg;
      if (shape.reproduced && shape.text == "none") {
        dg = Grouped{{}, shape.text, f};
        adopt(*dg, t, shape.schedule, all, so, signature);
      }
      d = cache.defaults.emplace(dkey, std::move(dg)).first;
    }
    if (d->second) {
      g = *d->second;
    } else {
      adopt(g, t, model::shrink(f.schedule, f.violation.kind, t.body(), same, so), all, so, signature);
      model::Shape shape = model::schedule_shape(g.shrunk.schedule, t.body(), same, so);
      g.shape = shape.text;
      // The published finding replays what the shape describes.
      if (shape.schedule.decisions != g.shrunk.schedule.decisions) adopt(g, t, shape.schedule, all, so, signature);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\nweft fuzz: shrinking a %s of %s: %s\n", to_string(f.violation.kind), t.full_name().c_str(),
                 e.what());
    if (g.shape.empty()) g.shape = "?";
  }
  ::alarm(0);
  g.id = campaign::finding_id(campaign::finding_key(signature, g.shape));
  return g;
}

// In the child: a violation. An occurrence is shrunk (once per distinct execution: the
// same trace shrinks to the same schedule) and counted under its signature and the shape
// of its shrunk schedule; each such finding is written once. Past the shrinking budget of
// its signature (campaign::shrink_due), a new path is counted as unshrunk instead.
void record_violation(const Campaign& c, JobState* counters, int hits_fd, int paths_fd, std::set<std::string>& seen,
                      GroupCache& cache, std::size_t target_index, const Target& t, const model::Finding& f,
                      const Origin& origin) {
  std::string signature = f.violation.signature();
  auto key = std::make_tuple(target_index, f.trace_hash, signature);
  auto it = cache.executions.find(key);
  std::optional<Grouped> g;  // only for an execution not met before: it may be a new finding
  if (it == cache.executions.end()) {
    if (cache.executions.size() >= grouped_max) cache.executions.clear();
    auto d = cache.defaults.find(std::make_pair(target_index, signature));
    const bool shape_none = d != cache.defaults.end() && d->second;  // grouped without a shrink
    // Explored by this process: after a --resume or a restart the replays count from 0 too.
    const std::uint64_t explored = counters->next.load(std::memory_order_relaxed) - cache.explored_from;
    if (shape_none ||
        campaign::shrink_due(++cache.wanted[std::make_pair(target_index, signature)], cache.replays, explored)) {
      g = group_violation(c, cache, target_index, t, f, signature);
      it = cache.executions.emplace(key, g->id).first;
      write_all(paths_fd, g->id + "\n");  // a path (distinct execution) into this finding
    } else {
      it = cache.executions.emplace(key, std::string()).first;  // unshrunk, and stays so
    }
  }
  if (it->second.empty()) {
    if (counters->unshrunk.load(std::memory_order_relaxed) != UINT32_MAX)
      counters->unshrunk.fetch_add(1, std::memory_order_relaxed);  // only this job's child writes it
    return;
  }
  const std::string id = it->second;
  bool counted = false;
  for (std::size_t i = 0; i < counters->slots_used && !counted; ++i) {
    if (id == counters->slots[i].id) {
      ++counters->slots[i].count;
      counted = true;
    }
  }
  if (!counted && counters->slots_used < hit_slots_max && id.size() < sizeof(HitSlot::id)) {
    HitSlot& slot = counters->slots[counters->slots_used];
    std::memcpy(slot.id, id.c_str(), id.size() + 1);
    slot.count = 1;
    ++counters->slots_used;
    counted = true;
  }
  if (!counted) write_all(hits_fd, id + "\n");
  if (!g || !seen.insert(id).second) return;
  if (::mkdir((c.dir / "findings" / id).c_str(), 0755) != 0) return;  // another job has it
  try {
    publish_finding(c, id, t, g->shrunk, signature, origin, g->shape);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\nweft fuzz: finding %s: %s\n", id.c_str(), e.what());
  }
}

// One line of jobs/<k>.corpus: the entry that pair `p` (on target `t`) added.
std::string corpus_line(const Campaign& c, std::uint64_t p, std::size_t t, const model::Corpus::Entry& e) {
  model::Schedule s;
  s.scenario = c.targets[t].full_name();
  s.strategy = e.strategy;
  s.seed = e.seed;
  s.granularity = granularity_of(c.targets[t]);
  s.weft_version = schedule_weft_version;
  s.decisions = e.decisions;
  std::string line = std::to_string(p) + " " + std::to_string(t) + " " + std::to_string(e.points.size());
  for (std::uint64_t x : e.points) line += " " + hex64(x);
  return line + " " + model::to_token(s) + "\n";
}

struct CorpusLine {
  std::uint64_t pair = 0;
  std::size_t target = 0;
  model::Corpus::Entry entry;
};

// Parses a line of jobs/<k>.corpus; nothing if it is not one (a line cut by a crash).
std::optional<CorpusLine> parse_corpus_line(const std::string& line, std::size_t targets) {
  std::istringstream in(line);
  CorpusLine out;
  std::uint64_t n = 0;
  if (!(in >> out.pair >> out.target >> n) || out.target >= targets || n > (1u << 20)) return std::nullopt;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string h;
    if (!(in >> h) || h.size() != 16) return std::nullopt;
    char* end = nullptr;
    out.entry.points.push_back(std::strtoull(h.c_str(), &end, 16));
    if (end != h.c_str() + 16) return std::nullopt;
  }
  std::string token;
  if (!(in >> token)) return std::nullopt;
  auto parsed = model::parse_token(token);
  if (!parsed.ok()) return std::nullopt;
  const model::Schedule& s = parsed.value();
  out.entry.seed = s.seed;
  out.entry.strategy = s.strategy;
  out.entry.decisions = s.decisions;
  return out;
}

// A job's corpora (one per target) as they were after its first `next` pairs: the entries
// of jobs/<k>.corpus added before pair `next`, in order. The file keeps only those (a
// pair after them runs again, and adds its entry again).
std::vector<model::Corpus> load_corpora(const Campaign& c, std::uint64_t job, std::uint64_t next) {
  std::vector<model::Corpus> corpora(c.targets.size());
  const fs::path file = c.job_file(job, ".corpus");
  std::ifstream in(file);
  if (!in) return corpora;
  std::string kept, line;
  bool dropped = false;
  while (std::getline(in, line)) {
    auto e = parse_corpus_line(line, c.targets.size());
    if (!e || e->pair >= next || in.eof()) {  // the last line without its newline: cut
      dropped = true;
      break;
    }
    kept += line + "\n";
    corpora[e->target].add(std::move(e->entry));
  }
  in.close();
  if (dropped) write_text_file(file, kept);
  return corpora;
}

void count_strategy(JobState* js, const std::string& name) {
  std::size_t n = std::min<std::uint64_t>(js->strategies_used, strategy_slots_max);
  for (std::size_t i = 0; i < n; ++i)
    if (name == js->strategies[i].name) {
      ++js->strategies[i].executions;
      return;
    }
  if (n == strategy_slots_max || name.size() >= sizeof(StrategySlot::name)) return;
  std::memcpy(js->strategies[n].name, name.c_str(), name.size() + 1);
  js->strategies[n].executions = 1;
  js->strategies_used = n + 1;
}

// One execution of a job: seed `seed` on target `t` (pair `p`), a fresh portfolio draw or,
// with feedback, whatever the target's corpus plans for the seed (a new entry goes to the
// corpus file). `before_mutation` hears a mutation's prefix before it runs.
model::ExploreReport run_pair(const Campaign& c, std::uint64_t p, std::size_t t, std::uint64_t seed, bool throw_now,
                              std::vector<model::Corpus>& corpora, int corpus_fd, Origin& origin,
                              const std::function<void(const model::Schedule&, std::uint64_t)>& before_mutation) {
  const Target& target = c.targets[t];
  model::ExploreOptions o = target.scenario->options;
  o.name = target.full_name();
  o.strategy = "portfolio";  // seed s runs member s mod K's first execution
  o.seed = seed;
  o.iterations = 1;
  o.shrink = false;
  o.stop_at_first = true;
  o.time_budget_s = 0;
  o.on_execution_hash = false;  // the campaign's callbacks read the name, the trace and the decisions
  // explore() re-runs its first execution to check determinism, then every N-th: with one
  // execution per explore that would be every execution, twice the work. Every N-th seed
  // instead, as one long exploration checks every N-th execution.
  if (o.nondeterminism_check_every && seed % o.nondeterminism_check_every != 0) o.nondeterminism_check_every = 0;
  std::function<void()> body = target.body();
  if (throw_now) body = [] { throw std::bad_alloc(); };  // test hook: the body runs out of memory
  model::ExploreReport report;
  ::alarm(c.watchdog_s);
  if (c.feedback) {
    model::Corpus& corpus = corpora[t];
    const std::size_t entries_before = corpus.size();
    // A mutation: the prefix goes into .current first, so that a death in it is filed
    // with a schedule that replays it (strategy "mutate", the prefix, the seed).
    model::FeedbackRun run = model::run_with_feedback(corpus, o, body, checker_for(target), before_mutation);
    ::alarm(0);
    report = std::move(run.report);
    origin.strategy = run.strategy.empty() ? o.strategy : run.strategy;
    origin.entry = run.entry_seed;
    if (corpus.size() > entries_before) write_all(corpus_fd, corpus_line(c, p, t, corpus.entries().back()));
  } else {
    o.on_execution = [&](const sim::SimPlatform&, const sim::RunResult&, const std::string& name) { origin.strategy = name; };
    report = model::explore(o, body, checker_for(target));
    ::alarm(0);
  }
  return report;
}

// jobs/<k>.current: which execution the job is running, rewritten before each one (a write
// lands in the page cache, which outlives the process: no fsync needed for a death to find
// it). Truncated only when the text gets shorter: a truncate costs an ext4 journal update,
// more than the execution of a small program.
struct CurrentFile {
  int fd;
  std::filesystem::path path;
  std::size_t size = 0;  // opened truncated
  void write(const std::string& text) {
    if (::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()) ||
        (text.size() < size && ::ftruncate(fd, static_cast<off_t>(text.size())) != 0))
      throw std::runtime_error("cannot write " + path.string());
    size = text.size();
  }
};

// The body of a job's child process: runs the job's pairs from state.next on. Never returns.
[[noreturn]] void run_job(const Campaign& c, std::uint64_t job, const State& state) {
  int status = 0;
  JobState* js = &state.jobs[job];
  try {
    int current_fd = ::open(c.job_file(job, ".current").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const bool log_seeds = c.iterations && c.seeds_of_job(job) <= seed_log_max;
    int seeds_fd = log_seeds ? open_append(c.job_file(job, ".seeds")) : ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    int hits_fd = open_append(c.job_file(job, ".hits"));
    int paths_fd = open_append(c.job_file(job, ".paths"));
    std::vector<model::Corpus> corpora;
    if (c.feedback) corpora = load_corpora(c, job, js->next.load(std::memory_order_relaxed));
    int corpus_fd = c.feedback ? open_append(c.job_file(job, ".corpus")) : ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (current_fd < 0 || seeds_fd < 0 || hits_fd < 0 || paths_fd < 0 || corpus_fd < 0) throw std::runtime_error("cannot open files in " + (c.dir / "jobs").string());
    if (c.crash_seed_mod || c.hang_seed_mod) {
      rlimit no_core{0, 0};  // the test hooks crash on purpose: no core files
      ::setrlimit(RLIMIT_CORE, &no_core);
    }
    std::set<std::string> seen;
    GroupCache grouped;
    grouped.explored_from = js->next.load(std::memory_order_relaxed);
    const std::uint64_t T = c.pairs();
    std::uint64_t since_sync = 0;
    CurrentFile current{current_fd, c.job_file(job, ".current")};
    for (std::uint64_t p = js->next.load(std::memory_order_relaxed);; ++p) {
      const std::uint64_t n = p / T;
      const std::size_t t = static_cast<std::size_t>(p % T);
      std::optional<std::uint64_t> i = c.campaign_index(job, n);
      if (!i) break;
      if (g_stop) goto stopped;
      if (!c.iterations && std::chrono::steady_clock::now() >= c.deadline) break;
      const std::uint64_t seed = c.seed_base + *i;
      const Target& target = c.targets[t];
      if (t == 0 && log_seeds) write_all(seeds_fd, std::to_string(seed) + "\n");
      // Before the execution, so that no death loses which execution it was. A write()
      // lands in the page cache, which outlives the process; no fsync needed for that.
      const std::string cur = target.full_name() + " " + std::to_string(seed) + "\n";
      current.write(cur);
      if (c.crash_seed_mod && seed % c.crash_seed_mod == 0) std::raise(SIGSEGV);
      if (c.hang_seed_mod && seed % c.hang_seed_mod == 0) {
        ::alarm(c.watchdog_s);
        for (;;) ::pause();
      }
      const bool throw_now = c.throw_seed_mod && seed % c.throw_seed_mod == 0;
      Origin origin;
      model::ExploreReport report =
          run_pair(c, p, t, seed, throw_now, corpora, corpus_fd, origin, [&](const model::Schedule& prefix, std::uint64_t entry) {
            current.write(cur + "mutate " + std::to_string(entry) + " " + model::to_token(prefix) + "\n");
          });
      count_strategy(js, origin.strategy);
      for (const model::Finding& f : report.findings)
        record_violation(c, js, hits_fd, paths_fd, seen, grouped, t, target, f, origin);
      // The pair is done only now: a death before this line is charged to this pair.
      js->next.store(p + 1, std::memory_order_release);
      if (++since_sync >= sync_every) {
        since_sync = 0;
        ::fdatasync(seeds_fd);
        ::fdatasync(corpus_fd);
        state.sync(false);
      }
    }
    js->done.store(1, std::memory_order_release);
  stopped:;
    ::fdatasync(seeds_fd);
    ::fdatasync(corpus_fd);
    state.sync(false);
  } catch (const std::exception& e) {
    std::ofstream(c.job_file(job, ".error")) << one_line(e.what()) << "\n";
    status = exit_exception;
  } catch (const UsageError& e) {
    std::ofstream(c.job_file(job, ".error")) << one_line(e.message) << "\n";
    status = exit_exception;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  ::_exit(status);  // no atexit handlers or static destructors of the parent's state
}

const char* signal_name(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGALRM: return "SIGALRM";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGTRAP: return "SIGTRAP";
    case SIGSYS: return "SIGSYS";
    default: return nullptr;
  }
}

std::string describe_signal(int sig) {
  const char* n = signal_name(sig);
  return n ? n : "signal-" + std::to_string(sig);
}

std::string format_seconds(double s) {
  if (s < 0) s = 0;
  auto total = static_cast<std::uint64_t>(s + 0.5);
  char buf[32];
  if (total >= 3600)
    std::snprintf(buf, sizeof buf, "%lluh%02llum", static_cast<unsigned long long>(total / 3600),
                  static_cast<unsigned long long>(total / 60 % 60));
  else if (total >= 60)
    std::snprintf(buf, sizeof buf, "%llum%02llus", static_cast<unsigned long long>(total / 60),
                  static_cast<unsigned long long>(total % 60));
  else
    std::snprintf(buf, sizeof buf, "%llus", static_cast<unsigned long long>(total));
  return buf;
}

struct Job {
  std::uint64_t index = 0;
  pid_t pid = -1;
  bool done = false;
};

// What jobs/<k>.current says: "target seed", and for a mutation a second line
// "mutate <entry seed> <token of the kept prefix>".
struct Current {
  std::string line;
  std::optional<model::Schedule> prefix;
  Origin origin;
};

Current read_current(const Campaign& c, std::uint64_t job) {
  Current out;
  std::string mutation;
  std::ifstream in(c.job_file(job, ".current"));
  std::getline(in, out.line);
  std::getline(in, mutation);
  std::istringstream m(mutation);
  std::string word, token;
  std::uint64_t entry = 0;
  if (m >> word >> entry >> token && word == "mutate") {
    auto parsed = model::parse_token(token);
    if (parsed.ok()) {
      out.prefix = std::move(parsed).value();
      out.origin.strategy = "mutate";
      out.origin.entry = entry;
    }
  }
  return out;
}

// In the parent: job `job` died on its pair state.next (the pair it had not finished).
// Files the crash or hang, moves the job past that pair and says whether it can go on.
bool record_death(const Campaign& c, const State& state, std::uint64_t job, int sig_or_status, bool signalled,
                  int parent_hits_fd) {
  Current cur = read_current(c, job);
  const std::string& current = cur.line;
  const std::optional<model::Schedule>& prefix = cur.prefix;
  Origin origin = cur.origin;
  std::error_code ec;
  fs::remove(c.job_file(job, ".current"), ec);  // a stale file must not blame the next death
  JobState& js = state.jobs[job];
  const std::uint64_t p = js.next.load(std::memory_order_acquire);
  const std::uint64_t T = c.pairs();
  std::optional<std::uint64_t> i = c.campaign_index(job, p / T);
  // Sanitizer builds catch the signal, print a report and exit(1): a crash too.
  std::string cause = signalled                          ? describe_signal(sig_or_status)
                      : sig_or_status == exit_exception ? "exception"
                                                          : "exit-" + std::to_string(sig_or_status);
  std::string error;
  if (!signalled && sig_or_status == exit_exception) {
    std::ifstream in(c.job_file(job, ".error"));
    std::getline(in, error);
    fs::remove(c.job_file(job, ".error"), ec);
  }
  if (!i || current.empty()) {
    std::fprintf(stderr, "\nweft fuzz: job %llu died (%s%s%s) outside an execution; not restarted\n",
                 static_cast<unsigned long long>(job), cause.c_str(), error.empty() ? "" : ": ", error.c_str());
    return false;
  }
  const std::uint64_t seed = c.seed_base + *i;
  const Target& t = c.targets[static_cast<std::size_t>(p % T)];
  bool hang = signalled && sig_or_status == SIGALRM;
  Violation v;
  v.kind = hang ? ViolationKind::hang : ViolationKind::crash;
  std::string signature;
  if (hang) {
    state.header->hangs.fetch_add(1, std::memory_order_relaxed);
    signature = "hang:" + t.full_name() + ":watchdog";
    v.message = t.full_name() + " seed " + std::to_string(seed) + " ran longer than the " +
                std::to_string(c.watchdog_s) + " s watchdog (--watchdog)";
  } else {
    state.header->crashes.fetch_add(1, std::memory_order_relaxed);
    signature = "crash:" + t.full_name() + ":" + cause;
    if (!error.empty())
      v.message = t.full_name() + " seed " + std::to_string(seed) + " threw: " + error;
    else if (signalled)
      v.message = t.full_name() + " seed " + std::to_string(seed) + " killed the process (" + cause + ")";
    else
      v.message = t.full_name() + " seed " + std::to_string(seed) + " ended the process with " + cause +
                  " (a sanitizer's report, if any, is on stderr)";
  }
  v.detail = prefix ? "The execution never finished, so there is no trace: the schedule holds the seed and the\n"
                      "decisions kept from the corpus entry it mutated. Replaying it takes those, then the\n"
                      "portfolio strategy with that seed."
                    : "The execution never finished, so there is no trace: the schedule holds the seed only.\n"
                      "Replaying it re-runs the portfolio strategy with that seed.";
  std::string id = campaign::finding_id(signature);
  write_all(parent_hits_fd, id + "\n");
  if (::mkdir((c.dir / "findings" / id).c_str(), 0755) == 0) {
    model::Finding f;
    f.violation = v;
    f.schedule.scenario = t.full_name();
    f.schedule.strategy = "portfolio";
    f.schedule.seed = seed;
    f.schedule.granularity = granularity_of(t);
    if (prefix && prefix->seed == seed && prefix->scenario == t.full_name()) {
      f.schedule.strategy = "mutate";
      f.schedule.decisions = prefix->decisions;
    } else {
      origin = Origin{};
    }
    f.schedule.weft_version = schedule_weft_version;
    try {
      publish_finding(c, id, t, f, signature, origin);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "\nweft fuzz: %s: %s\n", id.c_str(), e.what());
    }
  }
  // Resume after the execution that died.
  js.next.store(p + 1, std::memory_order_release);
  return true;
}

std::size_t count_dir_entries(const fs::path& p) {
  std::error_code ec;
  std::size_t n = 0;
  for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) ++n;
  return n;
}

std::string join_targets(const std::vector<Target>& ts) {
  std::string s;
  for (std::size_t i = 0; i < ts.size(); ++i) s += (i ? " " : "") + ts[i].full_name();
  return s;
}


std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "?";
  return buf;
}

// Takes DIR/lock for this process (an flock, released by the kernel when the last process
// holding it dies, whatever kills it) and writes who holds it. When another campaign holds
// it: one line naming the owner.
int lock_campaign(const fs::path& dir, const std::string& flag) {
  fs::path lock = dir / "lock";
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw UsageError{flag + " " + dir.string() + ": cannot create " + lock.string() + ": " + std::strerror(errno)};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char owner[256] = {};
    ssize_t n = ::pread(fd, owner, sizeof owner - 1, 0);
    ::close(fd);
    std::string who = n > 0 ? one_line(std::string(owner, static_cast<std::size_t>(n))) : "another process";
    while (!who.empty() && who.back() == ' ') who.pop_back();
    throw UsageError{flag + " " + dir.string() + ": in use by the campaign of " + who + " (" + lock.string() + ")"};
  }
  std::string me = "pid " + std::to_string(::getpid()) + " on host " + host_name() + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size()))
    throw UsageError{flag + " " + dir.string() + ": cannot write " + lock.string()};
  return fd;
}

constexpr const char* campaign_title = "weft fuzz campaign parameters";

void write_campaign_file(const Campaign& c) {
  std::ostringstream s;
  s << campaign_title << "\n";
  s << "targets: " << join_targets(c.targets) << "\n";
  s << "seed_base: " << c.seed_base << "\n";
  s << "shard: " << c.shard.index << "/" << c.shard.count << "\n";
  s << "shard_source: " << c.shard.source << "\n";
  s << "iterations: " << (c.iterations ? std::to_string(*c.iterations) : "") << "\n";
  char d[64];
  std::snprintf(d, sizeof d, "%.17g", c.duration_s);
  s << "duration_s: " << (c.iterations ? "" : d) << "\n";
  s << "jobs: " << c.jobs << "\n";
  s << "watchdog_s: " << c.watchdog_s << "\n";
  s << "feedback: " << (c.feedback ? "on" : "off") << "\n";
  write_text_file(c.dir / "campaign.tmp", s.str());
  fs::rename(c.dir / "campaign.tmp", c.dir / "campaign.txt");
}

Campaign read_campaign_file(const fs::path& dir) {
  std::ifstream in(dir / "campaign.txt");
  std::string line;
  if (!in || !std::getline(in, line) || line != campaign_title)
    throw UsageError{"--resume " + dir.string() + ": not a campaign directory (no campaign.txt from weft fuzz)"};
  std::map<std::string, std::string> kv;
  while (std::getline(in, line)) {
    auto colon = line.find(": ");
    if (colon == std::string::npos) colon = line.size() - (line.back() == ':' ? 1 : 0);
    kv[line.substr(0, colon)] = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
  }
  auto need = [&](const char* k) -> const std::string& {
    auto it = kv.find(k);
    if (it == kv.end()) throw UsageError{"--resume " + dir.string() + ": campaign.txt has no '" + k + "'"};
    return it->second;
  };
  Campaign c;
  c.dir = dir;
  std::istringstream ts(need("targets"));
  for (std::string t; ts >> t;) c.targets.push_back(resolve(t));
  if (c.targets.empty()) throw UsageError{"--resume " + dir.string() + ": campaign.txt names no target"};
  c.seed_base = parse_u64("seed_base", need("seed_base"));
  c.shard = parse_shard("shard", need("shard"));
  c.shard.source = need("shard_source");
  if (!need("iterations").empty()) {
    c.iterations = parse_u64("iterations", need("iterations"));
  } else {
    char* end = nullptr;
    c.duration_s = std::strtod(need("duration_s").c_str(), &end);
    if (!(c.duration_s > 0) || c.duration_s > duration_max_s)
      throw UsageError{"--resume " + dir.string() + ": campaign.txt has a bad duration_s"};
  }
  c.jobs = parse_u64("jobs", need("jobs"));
  if (c.jobs == 0 || c.jobs > 4096) throw UsageError{"--resume " + dir.string() + ": campaign.txt has a bad jobs"};
  std::uint64_t wd = parse_u64("watchdog_s", need("watchdog_s"));
  if (wd == 0 || wd > 86400) throw UsageError{"--resume " + dir.string() + ": campaign.txt has a bad watchdog_s"};
  c.watchdog_s = static_cast<unsigned>(wd);
  auto fb = kv.find("feedback");
  if (fb != kv.end() && fb->second != "on" && fb->second != "off")
    throw UsageError{"--resume " + dir.string() + ": campaign.txt has a bad feedback"};
  c.feedback = fb != kv.end() && fb->second == "on";
  return c;
}

State map_state(const fs::path& file, std::uint64_t jobs, std::uint64_t targets, bool create) {
  int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0), 0644);
  if (fd < 0) throw UsageError{"cannot open " + file.string() + ": " + std::strerror(errno)};
  State s;
  s.bytes = State::size_for(jobs);
  struct stat st {};
  if (create) {
    if (::ftruncate(fd, static_cast<off_t>(s.bytes)) != 0) {
      ::close(fd);
      throw UsageError{"cannot size " + file.string() + ": " + std::strerror(errno)};
    }
  } else if (::fstat(fd, &st) != 0 || static_cast<std::size_t>(st.st_size) != s.bytes) {
    ::close(fd);
    throw UsageError{file.string() + ": not the state of this campaign (size)"};
  }
  void* m = ::mmap(nullptr, s.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (m == MAP_FAILED) throw std::runtime_error("mmap of " + file.string() + " failed");
  s.header = static_cast<StateHeader*>(m);
  s.jobs = reinterpret_cast<JobState*>(static_cast<char*>(m) + sizeof(StateHeader));
  if (create) {
    std::memcpy(s.header->magic, state_magic, sizeof state_magic);
    s.header->jobs = jobs;
    s.header->targets = targets;
  } else if (std::memcmp(s.header->magic, state_magic, sizeof state_magic) != 0 || s.header->jobs != jobs ||
             s.header->targets != targets) {
    throw UsageError{file.string() + ": not the state of this campaign"};
  }
  return s;
}

// A resumed job's seed log keeps exactly the seeds of the pairs it has done.
void trim_seed_log(const fs::path& file, std::uint64_t keep) {
  std::ifstream in(file);
  if (!in) return;
  std::string out, line;
  for (std::uint64_t n = 0; n < keep && std::getline(in, line); ++n) out += line + "\n";
  in.close();
  write_text_file(file, out);
}

// The peak resident set of any job process that has exited so far (KiB).
std::uint64_t children_rss_max_kb() {
  rusage ru {};
  if (::getrusage(RUSAGE_CHILDREN, &ru) != 0) return 0;
  return static_cast<std::uint64_t>(ru.ru_maxrss);
}

// The campaign's coverage as the parent sees it: the union over jobs of the points in
// their jobs/<k>.corpus files (per target), read as they grow.
struct CoverageView {
  std::vector<std::uint64_t> offsets;  // per job: bytes of its corpus file read
  std::vector<std::uint64_t> entries;  // per job: entries read
  std::set<std::uint64_t> points;      // (target, point) mixed
  void update(const Campaign& c) {
    if (!c.feedback) return;
    offsets.resize(c.jobs, 0);
    entries.resize(c.jobs, 0);
    for (std::uint64_t k = 0; k < c.jobs; ++k) {
      std::error_code ec;
      const fs::path file = c.job_file(k, ".corpus");
      const auto size = fs::file_size(file, ec);
      if (ec) continue;
      if (size < offsets[k]) offsets[k] = entries[k] = 0;  // rewritten by a restarted job: read again
      if (size == offsets[k]) continue;
      std::ifstream in(file, std::ios::binary);
      in.seekg(static_cast<std::streamoff>(offsets[k]));
      std::string text(static_cast<std::size_t>(size - offsets[k]), '\0');
      in.read(text.data(), static_cast<std::streamsize>(text.size()));
      text.resize(static_cast<std::size_t>(in.gcount()));
      std::size_t done = 0;
      for (std::size_t nl; (nl = text.find('\n', done)) != std::string::npos; done = nl + 1) {
        std::istringstream line(text.substr(done, nl - done));
        std::uint64_t pair = 0, target = 0, n = 0;
        if (!(line >> pair >> target >> n)) continue;
        ++entries[k];
        for (std::uint64_t i = 0; i < n; ++i) {
          std::string h;
          if (!(line >> h)) break;
          points.insert(std::strtoull(h.c_str(), nullptr, 16) * weft::detail::golden_gamma + target);
        }
      }
      offsets[k] += done;
    }
  }
  std::uint64_t corpus() const {
    std::uint64_t n = 0;
    for (std::uint64_t e : entries) n += e;
    return n;
  }
};

// Executions per strategy, summed over the jobs.
std::map<std::string, std::uint64_t> strategy_counts(const Campaign& c, const State& state) {
  std::map<std::string, std::uint64_t> out;
  for (std::uint64_t k = 0; k < c.jobs; ++k) {
    const JobState& js = state.jobs[k];
    for (std::size_t i = 0; i < js.strategies_used && i < strategy_slots_max; ++i)
      out[std::string(js.strategies[i].name, strnlen(js.strategies[i].name, sizeof(StrategySlot::name)))] +=
          js.strategies[i].executions;
  }
  return out;
}

std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// The campaign proper, fresh or resumed: children, progress, summary.
int run_campaign(Campaign& c, const State& state, bool resumed) {
  const std::uint64_t T = c.pairs();
  int parent_hits_fd = open_append(c.dir / "jobs" / "parent.hits");
  if (parent_hits_fd < 0) throw UsageError{"--out: cannot write in " + (c.dir / "jobs").string()};
  const double elapsed_before = state.header->elapsed_s;
  state.header->runs += 1;

  g_stop = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  struct sigaction old_int {}, old_term {};
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);

  const auto start = std::chrono::steady_clock::now();
  const double budget_s = c.iterations ? 0 : std::max(0.0, c.duration_s - elapsed_before);
  c.deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(budget_s));
  const std::uint64_t executions_planned = c.seeds_of_shard() * T;
  // A counter of every job's record, summed.
  auto jobs_sum = [&](auto JobState::*counter) {
    std::uint64_t n = 0;
    for (std::uint64_t k = 0; k < c.jobs; ++k) n += (state.jobs[k].*counter).load(std::memory_order_relaxed);
    return n;
  };
  auto executions_now = [&] { return jobs_sum(&JobState::next); };
  const std::uint64_t executions_before = executions_now();
  const std::map<std::string, std::uint64_t> strategies_before = strategy_counts(c, state);
  CoverageView coverage;
  // Coverage over time: "wall_s executions coverage" samples, kept across --resume.
  std::vector<std::string> history;
  {
    std::ifstream in(c.dir / "jobs" / "coverage.log");
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) history.push_back(line);
  }
  int history_fd = open_append(c.dir / "jobs" / "coverage.log");

  std::printf("weft fuzz: %zu target%s, seeds %llu+i, shard %llu/%llu (%s), %llu job%s, %s -> %s%s\n", c.targets.size(),
              c.targets.size() == 1 ? "" : "s", static_cast<unsigned long long>(c.seed_base),
              static_cast<unsigned long long>(c.shard.index), static_cast<unsigned long long>(c.shard.count),
              c.shard.source.c_str(), static_cast<unsigned long long>(c.jobs), c.jobs == 1 ? "" : "s",
              c.iterations ? (std::to_string(*c.iterations) + " seeds").c_str() : format_seconds(c.duration_s).c_str(),
              c.dir.string().c_str(),
              resumed ? (", resumed after " + std::to_string(executions_before) + " executions").c_str() : "");
  std::fflush(stdout);
  std::fflush(stderr);

  const pid_t parent = ::getpid();
  auto spawn = [&](std::uint64_t k) -> pid_t {
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    if (pid == 0) {
      // A job dies with the campaign, however the campaign dies (SIGKILL, OOM, the node):
      // an orphan would go on running seeds that nobody records.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(0);
      ::close(parent_hits_fd);
      run_job(c, k, state);
    }
    return pid;
  };
  std::vector<Job> jobs;
  for (std::uint64_t k = 0; k < c.jobs; ++k) {
    JobState& js = state.jobs[k];
    if (js.done.load() || !c.campaign_index(k, js.next.load() / T)) {
      js.done.store(1);
      continue;
    }
    jobs.push_back(Job{k, spawn(k), false});
  }

  // Occurrences per signature: the jobs' counter tables plus the hits files.
  std::error_code ec;
  // Paths per finding: one line per distinct execution that shrank into it, per job.
  auto collect_paths = [&] {
    std::map<std::string, std::uint64_t> paths;
    for (fs::directory_iterator it(c.dir / "jobs", ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() != ".paths") continue;
      std::ifstream in(it->path());
      for (std::string line; std::getline(in, line);)
        if (!line.empty()) ++paths[line];
    }
    return paths;
  };
  auto collect_hits = [&] {
    std::map<std::string, std::uint64_t> hits;
    for (std::uint64_t k = 0; k < c.jobs; ++k) {
      const JobState& js = state.jobs[k];
      for (std::size_t i = 0; i < js.slots_used && i < hit_slots_max; ++i)
        hits[std::string(js.slots[i].id, strnlen(js.slots[i].id, sizeof(HitSlot::id)))] += js.slots[i].count;
    }
    for (fs::directory_iterator it(c.dir / "jobs", ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() != ".hits") continue;
      std::ifstream in(it->path());
      for (std::string line; std::getline(in, line);)
        if (!line.empty()) ++hits[line];
    }
    return hits;
  };
  auto elapsed_s = [&] {
    return elapsed_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  auto summarize = [&](bool running, bool interrupted, const std::map<std::string, std::uint64_t>& hits) {
    std::uint64_t seeds = 0;
    for (std::uint64_t k = 0; k < c.jobs; ++k) seeds += (state.jobs[k].next.load() + T - 1) / T;
    std::vector<std::pair<std::string, std::string>> header = {
        {"campaigns", "1"},
        {"targets", join_targets(c.targets)},
        {"seed_base", std::to_string(c.seed_base)},
        {"shard", std::to_string(c.shard.index) + "/" + std::to_string(c.shard.count)},
        {"iterations", c.iterations ? std::to_string(*c.iterations) : ""},
        {"duration_s", c.iterations ? "" : std::to_string(c.duration_s)},
        {"jobs", std::to_string(c.jobs)},
        {"executions", std::to_string(executions_now())},
        {"seeds", std::to_string(seeds)},
        {"crashes", std::to_string(state.header->crashes.load())},
        {"hangs", std::to_string(state.header->hangs.load())},
        {"unshrunk_hits", std::to_string(jobs_sum(&JobState::unshrunk))},
        {"wall_s", std::to_string(elapsed_s())},
        {"runs", std::to_string(state.header->runs)},
        {"job_rss_max_kb", std::to_string(children_rss_max_kb())},
        {"running", running ? "true" : "false"},
        {"interrupted", interrupted ? "true" : "false"},
    };
    // Feedback, strategies and coverage over time (summary.json: objects and an array).
    coverage.update(c);
    const double wall = elapsed_s();
    const std::uint64_t executions = executions_now();
    std::string sample = fixed1(wall) + ":" + std::to_string(executions) + ":" + std::to_string(coverage.points.size());
    if (history.empty() || history.back().substr(history.back().find(':')) != sample.substr(sample.find(':'))) {
      history.push_back(sample);
      write_all(history_fd, sample + "\n");
    }
    std::string strategies, rates, over_time;
    for (const auto& [name, n] : strategy_counts(c, state)) {
      strategies += (strategies.empty() ? "" : " ") + name + "=" + std::to_string(n);
      rates += (rates.empty() ? "" : " ") + name + "=" + fixed1(wall > 0 ? double(n) / wall : 0);
    }
    // At most 64 samples in the summary, evenly spread, the last one always.
    const std::size_t step = history.size() / 64 + 1;
    for (std::size_t i = 0; i < history.size(); ++i)
      if (i % step == 0 || i + 1 == history.size()) over_time += (over_time.empty() ? "" : " ") + history[i];
    header.insert(header.end(), {{"feedback", c.feedback ? "on" : "off"},
                                 {"coverage", c.feedback ? std::to_string(coverage.points.size()) : ""},
                                 {"corpus_entries", c.feedback ? std::to_string(coverage.corpus()) : ""},
                                 {"strategies", strategies},
                                 {"strategies_per_s", rates},
                                 {"coverage_over_time", c.feedback ? over_time : ""}});
    std::map<std::string, std::uint64_t> paths = collect_paths();
    return campaign::write_summary(c.dir, header, &hits, &paths);
  };

  const bool tty = ::isatty(1) != 0;
  std::uint64_t internal_errors = 0;
  auto progress = [&](bool final_line) {
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::uint64_t e = executions_now();
    double rate = elapsed > 0 ? (e - executions_before) / elapsed : 0;
    std::string left;
    if (!c.iterations)
      left = format_seconds(budget_s - elapsed) + " left";
    else if (rate > 0)
      left = "~" + format_seconds((executions_planned > e ? executions_planned - e : 0) / rate) + " left";
    else
      left = "? left";
    // Executions/s of this run per strategy (a portfolio member, or mutations of any kind).
    std::map<std::string, std::uint64_t> per;
    for (const auto& [name, n] : strategy_counts(c, state)) {
      auto b = strategies_before.find(name);
      std::string shown = name.rfind("portfolio/", 0) == 0 ? name.substr(10) : name.rfind("mutate", 0) == 0 ? "mutate" : name;
      per[shown] += n - (b == strategies_before.end() ? 0 : b->second);
    }
    std::string rates;
    for (const auto& [name, n] : per)
      rates += (rates.empty() ? ": " : ", ") + name + " " + std::to_string(static_cast<std::uint64_t>(elapsed > 0 ? n / elapsed + 0.5 : 0));
    std::string cov;
    if (c.feedback) {
      coverage.update(c);
      cov = ", coverage " + std::to_string(coverage.points.size()) + " (" + std::to_string(coverage.corpus()) + " in corpus)";
    }
    char line[512];
    std::snprintf(line, sizeof line, "fuzz: %llu executions (%.0f/s%s)%s, %zu findings, %s%s",
                  static_cast<unsigned long long>(e), rate, rates.c_str(), cov.c_str(), count_dir_entries(c.dir / "findings"),
                  final_line ? "" : left.c_str(), final_line ? "done" : "");
    if (tty)
      std::printf("\r\033[K%s%s", line, final_line ? "\n" : "");
    else
      std::printf("%s\n", line);
    std::fflush(stdout);
  };

  // A summary from the start, marked interrupted until the end rewrites it: a campaign
  // killed outright still leaves one, and --resume picks up from the state file.
  summarize(true, true, collect_hits());
  auto last_progress = std::chrono::steady_clock::now();
  auto last_summary = last_progress;
  const auto progress_every = tty ? std::chrono::milliseconds(500) : std::chrono::milliseconds(10'000);
  const auto summary_every = std::chrono::seconds(5);
  std::size_t running = jobs.size();
  bool stop_forwarded = false;
  while (running > 0) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (Job& j : jobs) {
        if (j.pid != pid || j.done) continue;
        bool stopped = g_stop != 0;
        bool deadline_passed = !c.iterations && std::chrono::steady_clock::now() >= c.deadline;
        bool signalled = WIFSIGNALED(status);
        int code = signalled ? WTERMSIG(status) : WIFEXITED(status) ? WEXITSTATUS(status) : 0;
        if ((!signalled && code == 0) || (signalled && stopped && (code == SIGINT || code == SIGTERM))) {
          j.done = true;
        } else {
          JobState& js = state.jobs[j.index];
          bool go_on = record_death(c, state, j.index, code, signalled, parent_hits_fd);
          if (!go_on) ++internal_errors;
          bool more = c.campaign_index(j.index, js.next.load() / T).has_value();
          if (go_on && more && !stopped && !deadline_passed) {
            j.pid = spawn(j.index);
          } else {
            if (go_on && (!more || deadline_passed)) js.done.store(1);
            j.done = true;
          }
        }
        if (j.done) --running;
      }
      continue;
    }
    if (pid < 0 && errno != EINTR) break;  // no children left (ECHILD)
    if (g_stop && !stop_forwarded) {
      // Ctrl-C reaches the whole process group, but kill/scancel/a pod's SIGTERM may reach
      // only us: ask every child to stop after its current execution.
      for (const Job& j : jobs)
        if (!j.done) ::kill(j.pid, SIGTERM);
      stop_forwarded = true;
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last_progress >= progress_every) {
      progress(false);
      last_progress = now;
    }
    if (now - last_summary >= summary_every) {
      state.header->elapsed_s = elapsed_s();
      state.sync(false);
      summarize(true, true, collect_hits());
      last_summary = now;
    }
    ::usleep(50'000);
  }
  const bool interrupted = g_stop != 0;
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  progress(true);

  std::map<std::string, std::uint64_t> hits = collect_hits();
  std::map<std::string, std::uint64_t> paths = collect_paths();
  ::close(parent_hits_fd);
  for (const auto& [id, n] : hits) {
    fs::path file = c.dir / "findings" / id / "finding.txt";
    auto fields = campaign::read_finding_file(file);
    if (fields.empty()) continue;
    fields["count"] = std::to_string(n);
    if (paths.count(id)) fields["paths"] = std::to_string(paths.at(id));
    campaign::write_finding_file(c.dir / "findings" / id, fields);
  }
  state.header->elapsed_s = elapsed_s();
  const std::uint64_t executions = executions_now();
  std::size_t findings = summarize(false, interrupted, hits);
  ::close(history_fd);
  state.sync(true);

  std::ifstream txt(c.dir / "summary.txt");
  std::stringstream ss;
  ss << txt.rdbuf();
  std::fputs(ss.str().c_str(), stdout);
  if (executions == 0) {
    std::fprintf(stderr, "weft fuzz: the campaign ran no execution\n");
    return exit_internal;
  }
  if (internal_errors != 0) return exit_internal;
  return findings ? exit_violation : exit_ok;
}

int resume_campaign(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw UsageError{"--resume " + dir.string() + ": not a directory"};
  int lock_fd = lock_campaign(dir, "--resume");
  Campaign c = read_campaign_file(dir);
  if (const char* m = env("WEFT_TEST_CRASH_SEED_MOD")) c.crash_seed_mod = parse_u64("WEFT_TEST_CRASH_SEED_MOD", m);
  if (const char* m = env("WEFT_TEST_HANG_SEED_MOD")) c.hang_seed_mod = parse_u64("WEFT_TEST_HANG_SEED_MOD", m);
  if (const char* m = env("WEFT_TEST_THROW_SEED_MOD")) c.throw_seed_mod = parse_u64("WEFT_TEST_THROW_SEED_MOD", m);
  State state = map_state(dir / "jobs" / "state.bin", c.jobs, c.pairs(), false);
  for (std::uint64_t k = 0; k < c.jobs; ++k) {
    fs::remove(c.job_file(k, ".current"), ec);
    fs::remove(c.job_file(k, ".error"), ec);
    std::uint64_t next = state.jobs[k].next.load();
    if (fs::exists(c.job_file(k, ".seeds"), ec)) trim_seed_log(c.job_file(k, ".seeds"), (next + c.pairs() - 1) / c.pairs());
  }
  int rc = run_campaign(c, state, true);
  ::munmap(state.header, state.bytes);
  ::close(lock_fd);
  return rc;
}

}  // namespace

int cmd_fuzz(const std::vector<std::string>& args) {
  Args a = Args::parse(args,
                       {"--duration", "--iterations", "--jobs", "--shard", "--seed", "--out", "--watchdog", "--resume", "--feedback"},
                       {"--all"});
  if (a.has("--resume")) {
    if (a.flags.size() != 1 || !a.positional.empty())
      throw UsageError{"weft fuzz --resume DIR: takes no other argument (the campaign's are in DIR/campaign.txt)"};
    if (a.get("--resume").empty()) throw UsageError{synopsis("fuzz")};
    return resume_campaign(a.get("--resume"));
  }
  Campaign c;
  if (a.has("--all")) {
    if (!a.positional.empty()) throw UsageError{"weft fuzz: give scenario names or --all, not both"};
    for (const scenarios::Scenario& s : scenarios::all()) {
      c.targets.push_back(Target{&s, scenarios::Variant::bug});
      c.targets.push_back(Target{&s, scenarios::Variant::fix});
    }
  } else {
    if (a.positional.empty()) throw UsageError{synopsis("fuzz")};
    for (const std::string& name : a.positional) {
      Target t = resolve(name);
      bool dup = false;
      for (const Target& u : c.targets) dup = dup || u.full_name() == t.full_name();
      if (!dup) c.targets.push_back(t);
    }
  }
  if (c.targets.empty()) throw UsageError{"weft fuzz: no scenarios to fuzz"};
  if (a.has("--duration") == a.has("--iterations"))
    throw UsageError{"weft fuzz: give exactly one of --duration (e.g. 8h) or --iterations N"};
  c.seed_base = a.get_u64("--seed", 0);
  if (c.seed_base > UINT64_MAX / 2) throw UsageError{"--seed: at most 2^63"};
  if (a.has("--iterations")) {
    c.iterations = a.get_u64("--iterations", 0);
    if (*c.iterations == 0) throw UsageError{"--iterations: must be at least 1"};
    if (*c.iterations - 1 > UINT64_MAX - c.seed_base)
      throw UsageError{"--iterations: seed " + std::to_string(c.seed_base) + " + " + std::to_string(*c.iterations) +
                       " iterations passes the last 64-bit seed"};
  } else {
    c.duration_s = parse_duration_s(a.get("--duration"));
    if (c.duration_s > duration_max_s) throw UsageError{"--duration: at most 366 days (8784h), got '" + a.get("--duration") + "'"};
  }
  if (!a.has("--out") || a.get("--out").empty()) throw UsageError{"weft fuzz: --out DIR is required"};
  c.dir = a.get("--out");
  check_out_dir(c.dir.string());
  c.jobs = a.get_u64("--jobs", cores());
  if (c.jobs == 0 || c.jobs > 4096) throw UsageError{"--jobs: expected 1..4096"};
  std::uint64_t wd = a.get_u64("--watchdog", watchdog_default_s);
  if (wd == 0 || wd > 86400) throw UsageError{"--watchdog: expected 1..86400 seconds"};
  c.watchdog_s = static_cast<unsigned>(wd);
  const std::string fb = a.get("--feedback", "on");
  if (fb != "on" && fb != "off") throw UsageError{"--feedback: expected on or off, got '" + fb + "'"};
  c.feedback = fb == "on";
  c.shard = shard_from(a);
  if (c.iterations) {
    if (c.seeds_of_shard() == 0)
      throw UsageError{"--iterations " + std::to_string(*c.iterations) + ": shard " + std::to_string(c.shard.index) + "/" +
                       std::to_string(c.shard.count) + " (" + c.shard.source + ") gets no seed; it needs at least " +
                       std::to_string(c.shard.index + 1) + " iterations"};
    // More jobs than seeds: the extra ones would have nothing to run.
    c.jobs = std::min(c.jobs, c.seeds_of_shard());
  }
  if (const char* m = env("WEFT_TEST_CRASH_SEED_MOD")) c.crash_seed_mod = parse_u64("WEFT_TEST_CRASH_SEED_MOD", m);
  if (const char* m = env("WEFT_TEST_HANG_SEED_MOD")) c.hang_seed_mod = parse_u64("WEFT_TEST_HANG_SEED_MOD", m);
  if (const char* m = env("WEFT_TEST_THROW_SEED_MOD")) c.throw_seed_mod = parse_u64("WEFT_TEST_THROW_SEED_MOD", m);

  std::error_code ec;
  if (fs::exists(c.dir, ec) && !fs::is_directory(c.dir, ec))
    throw UsageError{"--out " + c.dir.string() + ": exists and is not a directory"};
  fs::create_directories(c.dir, ec);
  if (ec) throw UsageError{"--out: cannot create " + c.dir.string() + ": " + ec.message()};
  int lock_fd = lock_campaign(c.dir, "--out");
  if (count_dir_entries(c.dir / "findings") != 0 || fs::exists(c.dir / "summary.json", ec) ||
      fs::exists(c.dir / "campaign.txt", ec))
    throw UsageError{"--out " + c.dir.string() +
                     ": already holds a campaign; continue it with --resume, or use a new directory (weft merge combines campaigns)"};
  fs::remove_all(c.dir / "jobs", ec);
  for (const char* sub : {"jobs", "findings", "corpus"}) {
    fs::create_directories(c.dir / sub, ec);
    if (ec) throw UsageError{"--out: cannot create " + (c.dir / sub).string() + ": " + ec.message()};
  }
  State state = map_state(c.dir / "jobs" / "state.bin", c.jobs, c.pairs(), true);
  write_campaign_file(c);
  int rc = run_campaign(c, state, false);
  ::munmap(state.header, state.bytes);
  ::close(lock_fd);
  return rc;
}

}  // namespace weft::cli
