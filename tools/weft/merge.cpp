// weft merge: combines campaign directories (shards, machines, nights) into one.
// Findings are the union deduplicated by signature and shape (the directory name is a hash
// of both) with their counts and paths summed; the corpus is the union of schedule files;
// the summary's counters are summed. Also home of the campaign summary writer used by `weft fuzz`.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "campaign.hpp"
#include "common.hpp"
#include "weft/detail/hash.hpp"

namespace fs = std::filesystem;

namespace weft::cli {

namespace campaign {

namespace {

constexpr const char* summary_title = "weft fuzz campaign";
// The order of finding.txt's fields, which is also the order of summary.json's.
const char* const finding_keys[] = {"kind",  "target", "message", "signature", "shape",       "seed",
                                    "token", "count",  "paths",   "strategy",  "corpus_entry"};

void write_text(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << s;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

bool is_number(const std::string& s) {
  if (s.empty()) return false;
  bool dot = false;
  for (char c : s) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return s.front() != '.' && s.back() != '.';
}

std::string json_value(const std::string& v) {
  if (v.empty()) return "null";
  if (v == "true" || v == "false" || is_number(v)) return v;
  return "\"" + json_escape(v) + "\"";
}

// A header value in summary.json: lists, per-strategy objects and the coverage samples
// are written as JSON structures, everything else as a scalar.
std::string json_header_value(const std::string& k, const std::string& v) {
  std::ostringstream js;
  if (k == "targets" || k == "shards") {
    // space-separated lists
    js << "[";
    std::istringstream in(v);
    std::string item;
    for (bool first = true; in >> item; first = false) js << (first ? "" : ", ") << "\"" << json_escape(item) << "\"";
    js << "]";
  } else if (k == "strategies" || k == "strategies_per_s") {
    // "name=number ..." -> {"name": number, ...}
    js << "{";
    std::istringstream in(v);
    std::string item;
    for (bool first = true; in >> item; first = false) {
      auto eq = item.rfind('=');
      std::string n = eq == std::string::npos ? "" : item.substr(eq + 1);
      js << (first ? "" : ", ") << "\"" << json_escape(item.substr(0, eq)) << "\": " << (is_number(n) ? n : "null");
    }
    js << "}";
  } else if (k == "coverage_over_time") {
    // "wall_s:executions:coverage ..." -> [{"wall_s": .., "executions": .., "coverage": ..}, ...]
    js << "[";
    std::istringstream in(v);
    std::string item;
    for (bool first = true; in >> item; first = false) {
      std::string parts[3];
      std::istringstream fields(item);
      for (std::string& part : parts) std::getline(fields, part, ':');
      js << (first ? "" : ", ") << "{\"wall_s\": " << (is_number(parts[0]) ? parts[0] : "null")
         << ", \"executions\": " << (is_number(parts[1]) ? parts[1] : "null")
         << ", \"coverage\": " << (is_number(parts[2]) ? parts[2] : "null") << "}";
    }
    js << "]";
  } else {
    js << json_value(v);
  }
  return js.str();
}

struct Finding {
  std::string id;
  std::map<std::string, std::string> fields;
  std::uint64_t count() const {
    auto it = fields.find("count");
    if (it == fields.end()) return 0;
    try {
      return parse_u64("count", it->second);
    } catch (const UsageError&) {
      return 0;
    }
  }
};

std::vector<Finding> read_findings(const fs::path& dir) {
  std::vector<Finding> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir / "findings", ec), end; !ec && it != end; it.increment(ec)) {
    auto fields = read_finding_file(it->path() / "finding.txt");
    if (fields.empty()) continue;
    out.push_back(Finding{it->path().filename().string(), std::move(fields)});
  }
  std::sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return a.count() != b.count() ? a.count() > b.count() : a.id < b.id;
  });
  return out;
}

}  // namespace

// 12 hex digits of FNV-1a 64: short enough for a directory name, and a collision among
// a campaign's few distinct findings is not a practical concern.
std::string finding_id(const std::string& key) {
  return hex64(weft::detail::fnv1a(key)).substr(0, 12);
}

// A finding is a signature and, for violations, the shape of the shrunk schedule (crashes
// and hangs have no trace, hence no shape): the id hashes both.
std::string finding_key(const std::string& signature, const std::string& shape) {
  return shape.empty() ? signature : signature + "\nshape: " + shape;
}

void write_finding_file(const fs::path& dir, const std::map<std::string, std::string>& fields) {
  std::string s;
  for (const char* k : finding_keys) {
    auto it = fields.find(k);
    if (it != fields.end()) s += std::string(k) + ": " + it->second + "\n";
  }
  fs::create_directories(dir);
  // Write then rename, so a reader (or a crash) never sees half a file.
  fs::path tmp = dir / "finding.txt.tmp";
  write_text(tmp, s);
  fs::rename(tmp, dir / "finding.txt");
}

// Empty if missing or not a finding file.
std::map<std::string, std::string> read_finding_file(const fs::path& file) {
  std::map<std::string, std::string> fields;
  std::ifstream in(file);
  if (!in) return fields;
  for (std::string line; std::getline(in, line);) {
    auto colon = line.find(": ");
    if (colon == std::string::npos) return {};
    fields[line.substr(0, colon)] = line.substr(colon + 2);
  }
  if (!fields.count("kind") || !fields.count("signature") || !fields.count("token")) return {};
  return fields;
}

std::size_t write_summary(const fs::path& dir, const std::vector<std::pair<std::string, std::string>>& header,
                          const std::map<std::string, std::uint64_t>* counts,
                          const std::map<std::string, std::uint64_t>* paths) {
  std::vector<Finding> findings = read_findings(dir);
  if (counts) {
    for (Finding& f : findings) {
      auto it = counts->find(f.id);
      f.fields["count"] = std::to_string(it == counts->end() ? 0 : it->second);
      if (paths && paths->count(f.id)) f.fields["paths"] = std::to_string(paths->at(f.id));
    }
    std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
      return a.count() != b.count() ? a.count() > b.count() : a.id < b.id;
    });
  }

  std::ostringstream js;
  js << "{\n  \"weft_campaign\": 1";
  for (const auto& [k, v] : header) {
    js << ",\n  \"" << json_escape(k) << "\": ";
    js << json_header_value(k, v);
  }
  // Executions are single random walks; the explorer does not report their trace hashes,
  // so distinct schedules are not counted.
  js << ",\n  \"distinct_schedules\": null,\n  \"findings\": [";
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    js << (i ? "," : "") << "\n    {\"id\": \"" << f.id << "\"";
    for (const char* k : finding_keys) {
      auto it = f.fields.find(k);
      std::string v = it == f.fields.end() ? "" : it->second;
      js << ", \"" << k << "\": ";
      if (std::string(k) == "count" || std::string(k) == "seed" || std::string(k) == "paths" ||
          std::string(k) == "corpus_entry")
        js << (is_number(v) ? v : "null");
      else
        js << json_value(v);
    }
    js << ", \"schedule_file\": \"findings/" << f.id << "/schedule.weft\", \"corpus\": \"corpus/" << f.id
       << ".weft\"}";
  }
  js << (findings.empty() ? "]\n}\n" : "\n  ]\n}\n");
  write_text(dir / "summary.json", js.str());

  // summary.txt: "key: value" lines up to the first blank line (read back by merge),
  // then the findings for people.
  std::ostringstream tx;
  tx << summary_title << "\n";
  for (const auto& [k, v] : header) tx << k << ": " << v << "\n";
  tx << "findings: " << findings.size() << "\n\n";
  for (const Finding& f : findings) {
    auto get = [&](const char* k) {
      auto it = f.fields.find(k);
      return it == f.fields.end() ? std::string() : it->second;
    };
    tx << "[" << f.id << "] " << get("kind") << " x" << f.count() << " in " << get("target") << ": "
       << get("message") << "\n";
    if (!get("shape").empty())
      tx << "    shape: " << get("shape") << (get("paths").empty() ? "" : " (" + get("paths") + " paths)") << "\n";
    if (!get("strategy").empty())
      tx << "    found by: " << get("strategy")
         << (get("corpus_entry").empty() ? "" : " (mutating the corpus entry of seed " + get("corpus_entry") + ")") << "\n";
    tx << "    replay: weft replay " << get("token") << "\n";
    tx << "    artefacts: " << (dir / "findings" / f.id).string() << "/\n";
  }
  if (findings.empty()) tx << "no findings\n";
  auto unshrunk = std::find_if(header.begin(), header.end(), [](const auto& kv) { return kv.first == "unshrunk_hits"; });
  if (unshrunk != header.end() && is_number(unshrunk->second) && unshrunk->second != "0")
    tx << "and " << unshrunk->second << " more violations of these signatures on paths left unshrunk (a job shrinks the first "
       << always_shrunk << " paths of a signature, then more only while its shrinking has replayed "
       << (replays_per_explored == 1 ? std::string("no more executions than it explored")
                                     : "at most " + std::to_string(replays_per_explored) +
                                           " executions per execution it explored")
       << ")\n";
  write_text(dir / "summary.txt", tx.str());
  return findings.size();
}

}  // namespace campaign

namespace {

// The "key: value" header of a campaign's summary.txt; UsageError if it is not one.
std::map<std::string, std::string> read_summary_header(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw UsageError{"weft merge: " + dir.string() + ": not a directory"};
  std::ifstream in(dir / "summary.txt");
  std::string line;
  if (!in || !std::getline(in, line) || line != campaign::summary_title || !fs::is_regular_file(dir / "summary.json", ec))
    throw UsageError{"weft merge: " + dir.string() + ": not a campaign directory (no summary.txt/summary.json from weft fuzz)"};
  std::map<std::string, std::string> h;
  while (std::getline(in, line) && !line.empty()) {
    auto colon = line.find(':');
    if (colon == std::string::npos)
      throw UsageError{"weft merge: " + (dir / "summary.txt").string() + ": malformed line '" + line.substr(0, 60) + "'"};
    std::string v = line.substr(colon + 1);
    if (!v.empty() && v.front() == ' ') v.erase(0, 1);
    h[line.substr(0, colon)] = v;
  }
  for (const char* k : {"executions", "seeds"}) {
    auto it = h.find(k);
    if (it == h.end() || !campaign::is_number(it->second) || it->second.find('.') != std::string::npos)
      throw UsageError{"weft merge: " + (dir / "summary.txt").string() + ": missing or bad '" + k + "'"};
  }
  return h;
}

std::uint64_t num(const std::map<std::string, std::string>& h, const char* k) {
  auto it = h.find(k);
  if (it == h.end() || it->second.empty()) return 0;
  try {
    return parse_u64(k, it->second);
  } catch (const UsageError&) {
    return 0;
  }
}

}  // namespace

int cmd_merge(const std::vector<std::string>& args) {
  Args a = Args::parse(args, {"-o", "--output"}, {});
  std::string out = a.get("-o", a.get("--output"));
  if (a.positional.empty() || out.empty()) throw UsageError{"usage: weft merge DIR... -o DIR"};

  std::error_code ec;
  std::vector<std::map<std::string, std::string>> headers;
  for (const std::string& d : a.positional) {
    headers.push_back(read_summary_header(d));
    if (fs::equivalent(d, out, ec)) throw UsageError{"weft merge: -o " + out + " is also an input; write to a new directory"};
  }
  fs::path o(out);
  if (fs::exists(o / "findings", ec) && !fs::is_empty(o / "findings", ec))
    throw UsageError{"weft merge: -o " + out + " already holds findings; write to a new directory"};
  for (const char* sub : {"findings", "corpus"}) {
    fs::create_directories(o / sub, ec);
    if (ec) throw UsageError{"weft merge: cannot create " + (o / sub).string() + ": " + ec.message()};
  }

  std::map<std::string, std::uint64_t> counts, paths;
  std::map<std::string, std::uint64_t> totals;
  std::vector<std::string> targets, shards;
  std::set<std::string> seed_bases;
  std::map<std::string, std::uint64_t> strategies;  // executions per strategy, summed
  bool interrupted = false;
  double wall_s_max = 0;
  for (std::size_t i = 0; i < a.positional.size(); ++i) {
    fs::path in(a.positional[i]);
    const auto& h = headers[i];
    for (const char* k : {"executions", "seeds", "crashes", "hangs", "unshrunk_hits"}) totals[k] += num(h, k);
    totals["campaigns"] += std::max<std::uint64_t>(1, num(h, "campaigns"));
    std::istringstream ts(h.count("targets") ? h.at("targets") : "");
    for (std::string t; ts >> t;)
      if (std::find(targets.begin(), targets.end(), t) == targets.end()) targets.push_back(t);
    std::istringstream ss(h.count("shards") ? h.at("shards") : h.count("shard") ? h.at("shard") : "");
    for (std::string s; ss >> s;) shards.push_back(s);
    if (h.count("seed_base")) seed_bases.insert(h.at("seed_base"));
    std::istringstream st(h.count("strategies") ? h.at("strategies") : "");
    for (std::string item; st >> item;) {
      auto eq = item.rfind('=');
      if (eq == std::string::npos || !campaign::is_number(item.substr(eq + 1))) continue;
      strategies[item.substr(0, eq)] += std::strtoull(item.c_str() + eq + 1, nullptr, 10);
    }
    interrupted = interrupted || (h.count("interrupted") && h.at("interrupted") == "true");
    if (h.count("wall_s")) wall_s_max = std::max(wall_s_max, std::strtod(h.at("wall_s").c_str(), nullptr));

    for (fs::directory_iterator it(in / "findings", ec), end; !ec && it != end; it.increment(ec)) {
      auto fields = campaign::read_finding_file(it->path() / "finding.txt");
      if (fields.empty()) continue;
      // Re-derive the id from the signature and shape, so directories renamed by hand still merge.
      std::string id = campaign::finding_id(
          campaign::finding_key(fields["signature"], fields.count("shape") ? fields.at("shape") : std::string()));
      std::uint64_t n = 0;
      try {
        n = parse_u64("count", fields["count"]);
      } catch (const UsageError&) {
        n = 1;
      }
      if (!counts.count(id)) {
        fs::copy(it->path(), o / "findings" / id, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
      }
      counts[id] += n;
      if (fields.count("paths")) {
        try {
          paths[id] += parse_u64("paths", fields["paths"]);
        } catch (const UsageError&) {
        }
      }
    }
    for (fs::directory_iterator it(in / "corpus", ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() != ".weft") continue;
      fs::copy_file(it->path(), o / "corpus" / it->path().filename(), fs::copy_options::skip_existing, ec);
      ec.clear();
    }
  }
  for (const auto& [id, n] : counts) {
    auto fields = campaign::read_finding_file(o / "findings" / id / "finding.txt");
    fields["count"] = std::to_string(n);
    if (paths.count(id)) fields["paths"] = std::to_string(paths.at(id));
    campaign::write_finding_file(o / "findings" / id, fields);
  }

  std::string target_list, shard_list, strategy_list;
  for (const auto& [name, n] : strategies) strategy_list += (strategy_list.empty() ? "" : " ") + name + "=" + std::to_string(n);
  for (const auto& t : targets) target_list += (target_list.empty() ? "" : " ") + t;
  for (const auto& s : shards) shard_list += (shard_list.empty() ? "" : " ") + s;
  std::vector<std::pair<std::string, std::string>> header = {
      {"campaigns", std::to_string(totals["campaigns"])},
      {"targets", target_list},
      {"seed_base", seed_bases.size() == 1 ? *seed_bases.begin() : ""},
      {"shards", shard_list},
      {"executions", std::to_string(totals["executions"])},
      {"seeds", std::to_string(totals["seeds"])},
      {"crashes", std::to_string(totals["crashes"])},
      {"hangs", std::to_string(totals["hangs"])},
      {"unshrunk_hits", std::to_string(totals["unshrunk_hits"])},
      {"wall_s", std::to_string(wall_s_max)},
      {"interrupted", interrupted ? "true" : "false"},
      {"strategies", strategy_list},
  };
  std::size_t findings = campaign::write_summary(o, header);
  std::ifstream txt(o / "summary.txt");
  std::stringstream ss;
  ss << txt.rdbuf();
  std::printf("merged %zu campaign director%s into %s\n", a.positional.size(), a.positional.size() == 1 ? "y" : "ies",
              out.c_str());
  std::fputs(ss.str().c_str(), stdout);
  return findings ? exit_violation : exit_ok;
}

}  // namespace weft::cli
