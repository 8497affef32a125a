// libFuzzer target for the schedule parsers. Besides "never crash", it checks what the
// formats promise: an accepted token is canonical (re-encoding gives the same bytes),
// anything accepted round-trips through both forms, and errors are one non-empty line.
// The input is also wrapped as a token payload with a correct checksum, so mutations
// reach the payload decoder instead of stopping at the checksum.
//
//   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++-16 -DWEFT_FUZZERS=ON
//   cmake --build build-fuzz --target schedule_fuzz
//   build-fuzz/tools/fuzz/schedule_fuzz -max_total_time=60 corpus/

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "weft/detail/hash.hpp"
#include "weft/model/schedule.hpp"

namespace {

using weft::model::Parsed;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

void check(const Parsed& parsed) {
  if (!parsed.ok()) {
    const std::string& message = parsed.error().message;
    require(!message.empty() && message.find('\n') == std::string::npos);
    return;
  }
  const weft::model::Schedule& schedule = parsed.value();
  require(!weft::model::validate(schedule).has_value());
  const Parsed from_token = weft::model::parse_token(weft::model::to_token(schedule));
  require(from_token.ok() && from_token.value() == schedule);
  const Parsed from_file = weft::model::parse_file(weft::model::to_file(schedule));
  require(from_file.ok() && from_file.value() == schedule);
}

// "w1." + base64url(payload) + "." + FNV-1a 32 of payload, as in schedule.hpp.
std::string token_for_payload(std::string_view payload) {
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out = "w1.";
  std::uint32_t bits = 0;
  int bit_count = 0;
  const std::uint32_t hash = weft::detail::fnv1a32(payload);
  for (char c : payload) {
    const auto byte = static_cast<unsigned char>(c);
    bits = (bits << 8) | byte;
    bit_count += 8;
    while (bit_count >= 6) {
      bit_count -= 6;
      out.push_back(alphabet[(bits >> bit_count) & 63]);
    }
    bits &= (1u << bit_count) - 1;
  }
  if (bit_count > 0) out.push_back(alphabet[(bits << (6 - bit_count)) & 63]);
  out.push_back('.');
  for (int shift = 28; shift >= 0; shift -= 4)
    out.push_back("0123456789abcdef"[(hash >> shift) & 15]);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const Parsed token = weft::model::parse_token(text);
  check(token);
  if (token.ok()) require(weft::model::to_token(token.value()) == text);

  check(weft::model::parse_file(text));
  check(weft::model::parse_token_or_file(text));

  const std::string wrapped = token_for_payload(text);
  const Parsed from_payload = weft::model::parse_token(wrapped);
  check(from_payload);
  if (from_payload.ok()) require(weft::model::to_token(from_payload.value()) == wrapped);
  return 0;
}
