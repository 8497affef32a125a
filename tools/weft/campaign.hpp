// A fuzz campaign's files (merge.cpp), shared by `weft fuzz` and `weft merge`: each
// finding in DIR/findings/<id>/finding.txt, the totals in DIR/summary.{json,txt}.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace weft::cli::campaign {

// Shrinking a path costs up to thousands of replays. A signature reached by ever new paths
// (a frequent bug, many interleavings to it) would have a job shrink all night and search
// no more. So a job shrinks the first `always_shrunk` paths of each signature that need a
// shrink, and a later one only while its shrinking so far has replayed at most
// `replays_per_explored` executions per execution it explored: cheap shrinks are all done,
// costly ones are sampled. A replay costs about half of a campaign's execution on a small
// program here (no coverage, no corpus, no state to write), so the bound keeps shrinking
// to about a third of a job's time. Counted in replays, not seconds,
// so a campaign stays a function of its seeds and its split into jobs. A violation on a
// path left unshrunk is counted in unshrunk_hits. A signature the default schedule shows
// needs no shrinking (shape "none") and is exempt.
inline constexpr std::uint64_t always_shrunk = 4;
inline constexpr std::uint64_t replays_per_explored = 1;
inline bool shrink_due(std::uint64_t nth_path, std::uint64_t replays, std::uint64_t explored) {
  return nth_path <= always_shrunk || replays <= replays_per_explored * explored;
}

std::string finding_id(const std::string& key);
// What a finding's id hashes: its signature and the shape of its shrunk schedule (none for
// crashes and hangs).
std::string finding_key(const std::string& signature, const std::string& shape);
void write_finding_file(const std::filesystem::path& dir, const std::map<std::string, std::string>& fields);
std::map<std::string, std::string> read_finding_file(const std::filesystem::path& file);
// Rebuilds DIR/summary.{json,txt} from DIR/findings/*/finding.txt and `header`; returns
// the number of findings. `counts` (finding id -> occurrences), when given, replaces the
// counts in the finding files (a campaign still running does not rewrite them); `paths`
// (finding id -> distinct executions shrunk into it) likewise.
std::size_t write_summary(const std::filesystem::path& dir,
                          const std::vector<std::pair<std::string, std::string>>& header,
                          const std::map<std::string, std::uint64_t>* counts = nullptr,
                          const std::map<std::string, std::uint64_t>* paths = nullptr);

}  // namespace weft::cli::campaign
