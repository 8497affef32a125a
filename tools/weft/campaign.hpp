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
