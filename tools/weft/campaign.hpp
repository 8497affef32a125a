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
// no more. So a job shrinks the first 2 * shrinks_per_doubling paths of a signature that
// need it, then shrinks_per_doubling of each doubling of their number (the n-th for n a
// multiple of the largest power of two <= n / shrinks_per_doubling): about
// 16 * log2(n / 32) + 32 shrinks for n paths, while a second cause of the same symptom,
// a tenth of the paths, is still met within the next doubling or so. The others are
// counted as unshrunk hits (summary: unshrunk_hits). A signature the default schedule
// shows needs no shrinking (shape "none") and is exempt.
inline constexpr std::uint64_t shrinks_per_doubling = 16;
inline bool shrink_due(std::uint64_t n) {
  if (n < 2 * shrinks_per_doubling) return true;
  std::uint64_t step = 1;
  while (step * 2 <= n / shrinks_per_doubling) step *= 2;
  return n % step == 0;
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
