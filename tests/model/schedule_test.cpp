#include "weft/detail/hash.hpp"
#include "weft/model/schedule.hpp"

#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace weft::model {

// Failing cases print as the schedule file, which is the readable form.
void showValue(const Schedule& schedule, std::ostream& os) { os << "\n" << to_file(schedule); }

}  // namespace weft::model

namespace Catch {
template <>
struct StringMaker<weft::model::Schedule> {
  static std::string convert(const weft::model::Schedule& schedule) {
    return "\n" + weft::model::to_file(schedule);
  }
};
}  // namespace Catch

namespace {

using weft::model::Decision;
using weft::model::DecisionKind;
using weft::model::parse_file;
using weft::model::parse_token;
using weft::model::parse_token_or_file;
using weft::model::Parsed;
using weft::model::Schedule;
using weft::model::to_file;
using weft::model::to_token;

// ---------------------------------------------------------------------------------------
// An independent encoder written from the token grammar in schedule.hpp, so the tests
// can build well-checksummed tokens around malformed payloads.

std::string uleb(std::uint64_t value) {
  std::string out;
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

std::string str(std::string_view text) { return uleb(text.size()) + std::string(text); }

std::string token_for_payload(std::string_view payload) {
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out = "w1.";
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (char c : payload) {
    bits = (bits << 8) | static_cast<unsigned char>(c);
    bit_count += 8;
    while (bit_count >= 6) {
      bit_count -= 6;
      out.push_back(alphabet[(bits >> bit_count) & 63]);
    }
    bits &= (1u << bit_count) - 1;
  }
  if (bit_count > 0) out.push_back(alphabet[(bits << (6 - bit_count)) & 63]);
  const std::uint32_t hash = weft::detail::fnv1a32(payload);
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(hash));
  return out + "." + hex;
}

// A valid payload header announcing `count` decisions.
std::string payload_header(std::uint64_t count) {
  return str("s") + str("random") + uleb(1) + str("coarse") + str("0.1.0") + uleb(count);
}

void require_error(const Parsed& parsed, std::string_view fragment) {
  REQUIRE_FALSE(parsed.ok());
  const std::string& message = parsed.error().message;
  INFO("message: " << message);
  CHECK_FALSE(message.empty());
  CHECK(message.find('\n') == std::string::npos);
  CHECK(message.find(fragment) != std::string::npos);
}

bool is_one_line_error(const Parsed& parsed) {
  return !parsed.ok() && !parsed.error().message.empty() &&
         parsed.error().message.find('\n') == std::string::npos;
}

// ---------------------------------------------------------------------------------------
// Generators

rc::Gen<std::string> any_bytes() {
  return rc::gen::container<std::string>(rc::gen::cast<char>(rc::gen::inRange(0, 256)));
}

rc::Gen<std::string> any_name() {
  return rc::gen::oneOf(rc::gen::arbitrary<std::string>(), any_bytes(),
                        rc::gen::element<std::string>(
                            "", " ", "lost wakeup", "<script>alert('x')</script>", "\"quoted\"",
                            "back\\slash", "two\nlines\r\n", "tab\there", "ünïcødé → 😀",
                            "\xff\xfe invalid utf-8 \xc0\x80", std::string("nul\0inside", 10),
                            "trailing space ", "\xe2\x80\xae bidi override", "\xc2\x9b csi"));
}

rc::Gen<Decision> any_decision() {
  const auto thread_value = rc::gen::weightedOneOf<std::uint64_t>(
      {{4, rc::gen::inRange<std::uint64_t>(0, 16)}, {1, rc::gen::arbitrary<std::uint64_t>()}});
  const auto key = rc::gen::weightedOneOf<std::uint32_t>(
      {{2, rc::gen::just<std::uint32_t>(0)}, {1, rc::gen::arbitrary<std::uint32_t>()}});
  return rc::gen::oneOf(rc::gen::apply(
                            [](std::uint64_t v, std::uint32_t k) {
                              return Decision{DecisionKind::thread, v, k};
                            },
                            thread_value, key),
                        rc::gen::map(rc::gen::arbitrary<std::uint64_t>(),
                                     [](std::uint64_t v) {
                                       return Decision{DecisionKind::random, v, 0};
                                     }),
                        rc::gen::map(rc::gen::inRange<std::uint64_t>(0, 2), [](std::uint64_t v) {
                          return Decision{DecisionKind::fault, v, 0};
                        }));
}

rc::Gen<Schedule> any_schedule() {
  return rc::gen::apply(
      [](std::string scenario, std::string strategy, std::uint64_t seed, bool fine,
         std::string version, std::vector<Decision> decisions) {
        Schedule s;
        s.scenario = std::move(scenario);
        s.strategy = std::move(strategy);
        s.seed = seed;
        s.granularity = fine ? "fine" : "coarse";
        s.weft_version = std::move(version);
        s.decisions = std::move(decisions);
        return s;
      },
      any_name(),
      rc::gen::oneOf(rc::gen::element<std::string>("random", "pct:3", "dfs:2"), any_name()),
      rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<bool>(),
      rc::gen::oneOf(rc::gen::just<std::string>("0.1.0"), any_name()),
      rc::gen::container<std::vector<Decision>>(any_decision()));
}

Schedule golden_schedule() {
  Schedule s;
  s.scenario = "lost wakeup";
  s.strategy = "pct:3";
  s.seed = 42;
  s.granularity = "coarse";
  s.weft_version = "0.1.0";
  s.decisions = {{DecisionKind::thread, 0, 0},
                 {DecisionKind::thread, 1, 7},
                 {DecisionKind::random, 123456789, 0},
                 {DecisionKind::fault, 1, 0},
                 {DecisionKind::thread, 2, 0}};
  return s;
}

constexpr std::string_view golden_token =
    "w1.C2xvc3Qgd2FrZXVwBXBjdDozKgZjb2Fyc2UFMC4xLjAFAAwHqdH51gMKEA.1042da39";

constexpr std::string_view golden_file =
    "weft-schedule 1\n"
    "scenario: \"lost wakeup\"\n"
    "strategy: pct:3\n"
    "seed: 42\n"
    "granularity: coarse\n"
    "weft-version: 0.1.0\n"
    "decisions: 5\n"
    "t0 t1@7 r123456789 f1 t2\n";

// ---------------------------------------------------------------------------------------
// Round trips

TEST_CASE("schedule token round-trips every valid schedule", "[model][schedule]") {
  rc::prop("parse_token(to_token(s)) == s", [] {
    const Schedule s = *any_schedule();
    const Parsed parsed = parse_token(to_token(s));
    RC_ASSERT(parsed.ok());
    RC_ASSERT(parsed.value() == s);
  });
  rc::prop("a token is one line of URL- and shell-safe characters starting with w1.", [] {
    const std::string token = to_token(*any_schedule());
    RC_ASSERT(token.rfind("w1.", 0) == 0);
    for (char c : token) {
      const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '~';
      RC_ASSERT(safe);
    }
  });
  rc::prop("tokens are canonical: re-encoding a parsed token gives the same string", [] {
    const std::string token = to_token(*any_schedule());
    RC_ASSERT(to_token(parse_token(token).value()) == token);
  });
  rc::prop("parse_token_or_file reads a token with surrounding whitespace", [] {
    const Schedule s = *any_schedule();
    const Parsed parsed = parse_token_or_file("  " + to_token(s) + "\r\n");
    RC_ASSERT(parsed.ok());
    RC_ASSERT(parsed.value() == s);
  });
  rc::prop("changing one character of a token is detected", [] {
    std::string token = to_token(*any_schedule());
    const auto position = *rc::gen::inRange<std::size_t>(0, token.size());
    const char replacement = *rc::gen::element('A', 'z', '0', '-', '_', '.', '~', ' ', '\0');
    RC_PRE(token[position] != replacement);
    token[position] = replacement;
    RC_ASSERT(is_one_line_error(parse_token(token)));
  });
}

TEST_CASE("schedule file round-trips every valid schedule", "[model][schedule]") {
  rc::prop("parse_file(to_file(s)) == s", [] {
    const Schedule s = *any_schedule();
    const Parsed parsed = parse_file(to_file(s));
    RC_ASSERT(parsed.ok());
    RC_ASSERT(parsed.value() == s);
  });
  rc::prop("parse_token_or_file reads a file", [] {
    const Schedule s = *any_schedule();
    const Parsed parsed = parse_token_or_file(to_file(s));
    RC_ASSERT(parsed.ok());
    RC_ASSERT(parsed.value() == s);
  });
  rc::prop("a file has 7 header lines, 16 decisions a line, no raw control characters", [] {
    const Schedule s = *any_schedule();
    const std::string file = to_file(s);
    RC_ASSERT(file.rfind("weft-schedule 1\nscenario: ", 0) == 0);
    std::size_t newlines = 0;
    for (char c : file) {
      const auto byte = static_cast<unsigned char>(c);
      if (c == '\n') ++newlines;
      RC_ASSERT((c == '\n' || byte >= 0x20) && byte != 0x7f);
    }
    RC_ASSERT(newlines == 7 + (s.decisions.size() + 15) / 16);
  });
  rc::prop("CRLF line endings read the same", [] {
    const Schedule s = *any_schedule();
    std::string crlf;
    for (char c : to_file(s)) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    const Parsed parsed = parse_file(crlf);
    RC_ASSERT(parsed.ok());
    RC_ASSERT(parsed.value() == s);
  });
}

TEST_CASE("large schedules round-trip and thread decisions stay compact", "[model][schedule]") {
  Schedule s = golden_schedule();
  s.decisions.clear();
  for (std::uint32_t i = 0; i < 100'000; ++i) {
    s.decisions.push_back({DecisionKind::thread, i % 16, 0});
  }
  const std::string token = to_token(s);
  CHECK(token.size() < 100'000 * 4 / 3 + 64);  // one byte per small thread decision
  CHECK(parse_token(token).value() == s);
  CHECK(parse_file(to_file(s)).value() == s);
}

TEST_CASE("extreme values round-trip", "[model][schedule]") {
  Schedule s;
  s.seed = UINT64_MAX;
  s.granularity = "fine";
  s.decisions = {{DecisionKind::thread, UINT64_MAX, UINT32_MAX},
                 {DecisionKind::random, UINT64_MAX, 0},
                 {DecisionKind::thread, (std::uint64_t{1} << 61) - 1, 1},
                 {DecisionKind::thread, std::uint64_t{1} << 61, 1},
                 {DecisionKind::random, 0, 0},
                 {DecisionKind::fault, 0, 0}};
  CHECK(parse_token(to_token(s)).value() == s);
  CHECK(parse_file(to_file(s)).value() == s);
}

// ---------------------------------------------------------------------------------------
// Golden examples: the formats must not drift silently.

TEST_CASE("schedule token golden examples", "[model][schedule]") {
  CHECK(to_token(golden_schedule()) == golden_token);
  CHECK(parse_token(golden_token).value() == golden_schedule());

  Schedule empty;
  CHECK(to_token(empty) == "w1.AAAABmNvYXJzZQAA.911877b2");
  CHECK(parse_token("w1.AAAABmNvYXJzZQAA.911877b2").value() == empty);

  Schedule odd;
  odd.scenario = "a\n\"<script>\"";
  odd.strategy = "dfs:2";
  odd.seed = UINT64_MAX;
  odd.granularity = "fine";
  odd.weft_version = "0.1.0";
  odd.decisions = {{DecisionKind::thread, UINT64_MAX, UINT32_MAX},
                   {DecisionKind::random, UINT64_MAX, 0},
                   {DecisionKind::thread, 15, 0},
                   {DecisionKind::thread, 16, 0}};
  constexpr std::string_view odd_token =
      "w1.DGEKIjxzY3JpcHQ-IgVkZnM6Mv___________wEEZmluZQUwLjEuMAT8__________8P_____w_5__________"
      "8PeIAB.14870684";
  CHECK(to_token(odd) == odd_token);
  CHECK(parse_token(odd_token).value() == odd);
}

TEST_CASE("schedule file golden example", "[model][schedule]") {
  CHECK(to_file(golden_schedule()) == golden_file);
  CHECK(parse_file(golden_file).value() == golden_schedule());

  Schedule many = golden_schedule();
  many.decisions.assign(17, Decision{DecisionKind::thread, 3, 0});
  CHECK(to_file(many) ==
        "weft-schedule 1\n"
        "scenario: \"lost wakeup\"\n"
        "strategy: pct:3\n"
        "seed: 42\n"
        "granularity: coarse\n"
        "weft-version: 0.1.0\n"
        "decisions: 17\n"
        "t3 t3 t3 t3 t3 t3 t3 t3 t3 t3 t3 t3 t3 t3 t3 t3\n"
        "t3\n");

  Schedule none;
  CHECK(to_file(none) ==
        "weft-schedule 1\n"
        "scenario: \"\"\n"
        "strategy: \"\"\n"
        "seed: 0\n"
        "granularity: coarse\n"
        "weft-version: \"\"\n"
        "decisions: 0\n");
}

TEST_CASE("schedule file escapes names so any bytes survive", "[model][schedule]") {
  const auto scenario_line = [](std::string name) {
    Schedule s;
    s.scenario = std::move(name);
    const std::string file = to_file(s);
    const std::size_t begin = file.find('\n') + 1;
    return file.substr(begin, file.find('\n', begin) - begin);
  };
  CHECK(scenario_line("lost_wakeup") == "scenario: lost_wakeup");
  CHECK(scenario_line("say \"hi\"\\") == R"(scenario: "say \"hi\"\\")");
  CHECK(scenario_line("a\nb\r\tc") == R"(scenario: "a\nb\r\tc")");
  CHECK(scenario_line("<script>") == R"(scenario: "<script>")");
  CHECK(scenario_line(std::string("\0\x1f\x7f", 3)) == R"(scenario: "\x00\x1f\x7f")");
  CHECK(scenario_line("ünïcødé 😀") == "scenario: \"ünïcødé 😀\"");
  CHECK(scenario_line("\xff\xc3") == R"(scenario: "\xff\xc3")");
  CHECK(scenario_line("\xe2\x80\xae!") == R"(scenario: "\xe2\x80\xae!")");
  CHECK(scenario_line("\xc2\x9b[2J") == R"(scenario: "\xc2\x9b[2J")");  // C1 CSI
  CHECK(scenario_line(" padded ") == "scenario: \" padded \"");

  const Parsed parsed = parse_file(
      "weft-schedule 1\nscenario: \"\\x41\\xfF\\\\\"\nstrategy: random\nseed: 1\n"
      "granularity: \"fine\"\nweft-version: 0.1.0\ndecisions: 0\n");
  REQUIRE(parsed.ok());
  CHECK(parsed.value().scenario == "A\xff\\");
  CHECK(parsed.value().granularity == "fine");
}

TEST_CASE("schedule file accepts harmless variations", "[model][schedule]") {
  const std::string header =
      "weft-schedule 1\nscenario: x\nstrategy: random\nseed: 7\ngranularity: coarse\n"
      "weft-version: 0.1.0\n";
  const Parsed parsed =
      parse_file(header + "decisions: 4\n\n  t1   t2@0\t\n r5\nf0\n\n\n");  // no final text
  REQUIRE(parsed.ok());
  const std::vector<Decision> expected = {{DecisionKind::thread, 1, 0},
                                          {DecisionKind::thread, 2, 0},
                                          {DecisionKind::random, 5, 0},
                                          {DecisionKind::fault, 0, 0}};
  CHECK(parsed.value().decisions == expected);
  CHECK(parse_file(header + "decisions: 1\nt1").ok());  // no final newline
  CHECK(parse_file(header + "decisions: 0").ok());
  CHECK(parse_file(header + "decisions: 0\n\n").ok());
}

// ---------------------------------------------------------------------------------------
// Bad tokens

TEST_CASE("schedule token rejects truncation at every position", "[model][schedule]") {
  for (std::size_t length = 0; length < golden_token.size(); ++length) {
    INFO("length " << length);
    CHECK(is_one_line_error(parse_token(golden_token.substr(0, length))));
  }
  // The same with a recomputed checksum, so the payload decoder itself sees the cut.
  const std::string payload = str("lost wakeup") + str("pct:3") + uleb(42) + str("coarse") +
                              str("0.1.0") + uleb(5) + uleb(0) + uleb(1 << 3 | 4) + uleb(7) +
                              uleb(123456789ull << 3 | 1) + uleb(1 << 3 | 2) + uleb(2 << 3);
  REQUIRE(token_for_payload(payload) == golden_token);
  for (std::size_t length = 0; length < payload.size(); ++length) {
    INFO("length " << length);
    require_error(parse_token(token_for_payload(payload.substr(0, length))), "truncated");
  }
}

TEST_CASE("schedule token rejects every single-character change", "[model][schedule]") {
  for (std::size_t i = 0; i < golden_token.size(); ++i) {
    for (char c : std::string_view("AbZz09-_.~ %\n")) {
      if (c == golden_token[i]) continue;
      std::string changed(golden_token);
      changed[i] = c;
      INFO(changed);
      CHECK(is_one_line_error(parse_token(changed)));
    }
  }
}

TEST_CASE("schedule token rejects malformed text", "[model][schedule]") {
  require_error(parse_token(""), "empty");
  require_error(parse_token("w3.AAAA.00000000"), "unsupported version 'w3'");
  require_error(parse_token("W1.AAAA.00000000"), "expected prefix 'w1.'");
  require_error(parse_token("weft-schedule 1\n"), "expected prefix 'w1.'");
  require_error(parse_token("w1"), "expected prefix");
  require_error(parse_token(std::string(golden_token) + "\n"),
                "invalid character '\\n' at position 70");
  require_error(parse_token(" " + std::string(golden_token)), "expected prefix");
  require_error(parse_token("w1.C2xv c3Q.1042da39"), "invalid character ' ' at position 7");
  require_error(parse_token("w1.C2xvc3Qgd2FrZXVw"), "no '.<checksum>'");
  require_error(parse_token("w1.AAAABmNvYXJzZQAA.911877B2"), "8 lowercase hex");
  require_error(parse_token("w1.AAAABmNvYXJzZQAA.911877b"), "truncated?");
  require_error(parse_token("w1.AAAABmNvYXJzZQAA.911877b22"), "8 lowercase hex");
  require_error(parse_token("w1.AAAABmNvYXJzZQAA.911877b2.x"), "8 lowercase hex");
  require_error(parse_token("w1.AAAABmNvYXJzZQAA.00000000"),
                "bad checksum (expected 911877b2, got 00000000)");
  require_error(parse_token("w1.AAAABmNvYXJzZQ~A.911877b2"), "invalid payload character '~'");
  require_error(parse_token("w1.AAAABmNvYXJzZQAAA.911877b2"), "not a valid base64url length");
  std::string non_canonical = token_for_payload(std::string(1, '\0'));  // "w1.AA.<checksum>"
  non_canonical[4] = 'B';
  require_error(parse_token(non_canonical), "not canonical");
  require_error(parse_token("w1..811c9dc5"), "truncated in scenario");
  require_error(parse_token(std::string(10'000, 'w')), "expected prefix");
}

TEST_CASE("schedule token rejects malformed payloads", "[model][schedule]") {
  const auto check = [](const std::string& payload, std::string_view fragment) {
    require_error(parse_token(token_for_payload(payload)), fragment);
  };
  check(payload_header(weft::model::decision_count_max + 1), "exceeds the limit of 100000000");
  check(payload_header(UINT64_MAX), "exceeds the limit");
  // Within the limit but with no bytes behind it: must fail fast without reserving.
  check(payload_header(weft::model::decision_count_max), "decision 0: truncated");
  check(uleb(std::uint64_t{1} << 60), "truncated in scenario (length 1152921504606846976");
  check(str("s") + uleb(UINT64_MAX), "truncated in strategy");
  check(std::string(11, '\xff') + '\x01', "varint too long in scenario");
  check(std::string("\x80\x00", 2), "non-canonical varint in scenario");
  check(str("s") + str("r") + std::string(9, '\xff') + '\x02', "seed does not fit in 64 bits");
  check(str("s") + str("r") + uleb(1) + str("medium"),
        "granularity must be coarse or fine, got 'medium'");
  check(payload_header(1) + uleb(3), "decision 0: unknown kind 3");
  check(payload_header(1) + uleb(4), "decision 0: truncated in decision key");
  check(payload_header(1) + uleb(4) + uleb(0), "key flag set but key is 0");
  check(payload_header(1) + uleb(4) + uleb(std::uint64_t{1} << 32),
        "decision key does not fit in 32 bits");
  check(payload_header(1) + uleb(2 << 3 | 2), "a fault decision is 0 or 1");
  check(payload_header(1) + uleb(5 << 3 | 4 | 1) + uleb(9), "only thread decisions carry a key");
  check(payload_header(1) + uleb(1 << 3 | 4 | 2) + uleb(9), "only thread decisions carry a key");
  // A 67-bit head whose value would need more than 64 bits.
  check(payload_header(1) + std::string(9, '\xff') + '\x10', "decision does not fit in 67 bits");
  check(payload_header(1) + std::string(9, '\xff') + '\x7f', "decision does not fit in 67 bits");
  check(payload_header(2) + uleb(0), "decision 1: truncated");
  check(payload_header(0) + uleb(0), "1 unexpected bytes after the last decision");
}

TEST_CASE("schedule parsers survive arbitrary bytes", "[model][schedule]") {
  rc::prop("garbage gives a one-line error or a schedule that round-trips", [] {
    const std::string bytes = *any_bytes();
    for (const Parsed& parsed :
         {parse_token(bytes), parse_file(bytes), parse_token_or_file(bytes)}) {
      if (parsed.ok()) {
        RC_ASSERT(parse_file(to_file(parsed.value())).value() == parsed.value());
      } else {
        RC_ASSERT(is_one_line_error(parsed));
      }
    }
  });
  rc::prop("a checksummed garbage payload gives a one-line error", [] {
    const std::string payload = *any_bytes();
    const Parsed parsed = parse_token(token_for_payload(payload));
    RC_ASSERT(parsed.ok() || is_one_line_error(parsed));
  });
}

// ---------------------------------------------------------------------------------------
// Bad files

TEST_CASE("schedule file rejects malformed text", "[model][schedule]") {
  const std::vector<std::string> lines = {
      "weft-schedule 1",     "scenario: x",         "strategy: random", "seed: 7",
      "granularity: coarse", "weft-version: 0.1.0", "decisions: 2",     "t1 t2"};
  const auto join = [](const std::vector<std::string>& parts) {
    std::string out;
    for (const std::string& part : parts) out += part + "\n";
    return out;
  };
  const auto with_line = [&](std::size_t index, std::string replacement) {
    std::vector<std::string> changed = lines;
    changed[index] = std::move(replacement);
    return join(changed);
  };
  REQUIRE(parse_file(join(lines)).ok());

  SECTION("empty and wrong magic") {
    require_error(parse_file(""),
                  "schedule file line 1: expected 'weft-schedule 1', got end of file");
    require_error(parse_file("\n"), "line 1: expected 'weft-schedule 1', got ''");
    require_error(parse_file(with_line(0, "weft-schedule 3")),
                  "line 1: unsupported version '3' (this build reads versions 1 and 2)");
    require_error(parse_file(with_line(0, "weft-schedule 1 ")), "line 1: unsupported version '1 '");
    require_error(parse_file(with_line(0, "WEFT-SCHEDULE 1")),
                  "line 1: expected 'weft-schedule 1'");
    require_error(parse_file(std::string(golden_token)),
                  "line 1: expected 'weft-schedule 1', got 'w1.");
  }
  SECTION("each missing header line is named") {
    const std::vector<std::string> expected = {
        "",
        "line 2: expected 'scenario: <string>', got 'strategy: random'",
        "line 3: expected 'strategy: <string>', got 'seed: 7'",
        "line 4: expected 'seed: <uint64>', got 'granularity: coarse'",
        "line 5: expected 'granularity: coarse|fine', got 'weft-version: 0.1.0'",
        "line 6: expected 'weft-version: <string>', got 'decisions: 2'",
        "line 7: expected 'decisions: <count>', got 't1 t2'"};
    for (std::size_t missing = 1; missing < expected.size(); ++missing) {
      std::vector<std::string> changed = lines;
      changed.erase(changed.begin() + static_cast<std::ptrdiff_t>(missing));
      INFO("without line " << missing + 1);
      require_error(parse_file(join(changed)), expected[missing]);
    }
    for (std::size_t kept = 1; kept < 7; ++kept) {
      const std::vector<std::string> head(lines.begin(),
                                          lines.begin() + static_cast<std::ptrdiff_t>(kept));
      INFO("only " << kept << " lines");
      require_error(parse_file(join(head)), "got end of file");
    }
  }
  SECTION("bad header values") {
    require_error(parse_file(with_line(3, "seed: abc")),
                  "line 4: expected 'seed: <uint64>', got 'seed: abc'");
    require_error(parse_file(with_line(3, "seed: -1")), "line 4: expected 'seed: <uint64>'");
    require_error(parse_file(with_line(3, "seed: ")), "line 4: expected 'seed: <uint64>'");
    require_error(parse_file(with_line(3, "seed: 18446744073709551616")),
                  "line 4: expected 'seed: <uint64>'");
    require_error(parse_file(with_line(3, "seed:7")),
                  "line 4: expected 'seed: <uint64>', got 'seed:7'");
    require_error(parse_file(with_line(4, "granularity: medium")),
                  "line 5: expected 'granularity: coarse|fine', got 'medium'");
    require_error(parse_file(with_line(1, "scenario: two words")),
                  "line 2: scenario: 'two words' must be double-quoted");
    require_error(parse_file(with_line(1, "scenario: ")),
                  "line 2: scenario: '' must be double-quoted");
    require_error(parse_file(with_line(1, "scenario: \"open")),
                  "line 2: scenario: missing closing quote at column 16");
    require_error(parse_file(with_line(1, "scenario: \"a\" b")),
                  "line 2: scenario: unexpected text after the closing quote");
    require_error(parse_file(with_line(1, "scenario: \"\\q\"")),
                  "line 2: scenario: unknown escape '\\\\q'");
    require_error(parse_file(with_line(1, "scenario: \"\\x4\"")),
                  "line 2: scenario: '\\x' needs two hex digits");
    require_error(parse_file(with_line(1, "scenario: \"\\")),
                  "line 2: scenario: missing closing quote");
    require_error(parse_file(with_line(1, "scenario: \"a\tb\"")),
                  "line 2: scenario: raw control character");
    require_error(parse_file(with_line(6, "decisions: 100000001")),
                  "line 7: decision count 100000001 exceeds the limit");
    require_error(parse_file(with_line(6, "decisions: two")),
                  "line 7: expected 'decisions: <count>'");
  }
  SECTION("decision count mismatches") {
    require_error(parse_file(with_line(6, "decisions: 3")),
                  "line 9: expected 3 decisions, got 2 (truncated file?)");
    require_error(parse_file(with_line(6, "decisions: 1")),
                  "line 8: unexpected 't2' after the 1 decisions announced");
    require_error(parse_file(with_line(6, "decisions: 100000000")),
                  "expected 100000000 decisions, got 2");
  }
  SECTION("bad decisions") {
    require_error(parse_file(with_line(7, "t1 x2")),
                  "line 8: decision 'x2': expected t<thread>[@<key>], r<value>, f0 or f1");
    require_error(parse_file(with_line(7, "t1 t")), "line 8: decision 't': expected a uint64");
    require_error(parse_file(with_line(7, "t1 t-2")), "decision 't-2': expected a uint64");
    require_error(parse_file(with_line(7, "t1 t18446744073709551616")), "expected a uint64");
    require_error(parse_file(with_line(7, "t1 t2@")), "decision 't2@': expected a uint32 key");
    require_error(parse_file(with_line(7, "t1 t2@4294967296")), "expected a uint32 key");
    require_error(parse_file(with_line(7, "t1 t2@3@4")), "expected a uint32 key");
    require_error(parse_file(with_line(7, "t1 f2")), "decision 'f2': a fault decision is 0 or 1");
    require_error(parse_file(with_line(7, "t1 r2@3")),
                  "decision 'r2@3': only thread decisions carry a key");
    require_error(parse_file(with_line(7, "t1,t2")), "decision 't1,t2'");
  }
}

// ---------------------------------------------------------------------------------------
// Dispatch and validation

TEST_CASE("parse_token_or_file picks the format", "[model][schedule]") {
  CHECK(parse_token_or_file(golden_token).value() == golden_schedule());
  CHECK(parse_token_or_file("\n\t" + std::string(golden_token) + "\n").value() ==
        golden_schedule());
  CHECK(parse_token_or_file(golden_file).value() == golden_schedule());
  require_error(parse_token_or_file("w3.AAAA.00000000"), "schedule token: unsupported version");
  require_error(parse_token_or_file("weft-schedule 3\n"),
                "schedule file line 1: unsupported version");
  require_error(parse_token_or_file(""),
                "schedule: expected a token ('w1.' or 'w2.' ...) or a schedule file");
  require_error(parse_token_or_file("  \n "), "schedule: expected a token");
  require_error(parse_token_or_file("hello\nworld"), "got 'hello\\nworld'");
}

TEST_CASE("validate reports broken invariants", "[model][schedule]") {
  CHECK_FALSE(weft::model::validate(golden_schedule()).has_value());
  Schedule s = golden_schedule();
  s.granularity = "medium";
  CHECK(weft::model::validate(s).value() == "granularity must be coarse or fine, got 'medium'");
  s = golden_schedule();
  s.decisions[3].value = 2;
  CHECK(weft::model::validate(s).value() == "decision 3: a fault decision is 0 or 1");
  s = golden_schedule();
  s.decisions[2].key = 1;
  CHECK(weft::model::validate(s).value() == "decision 2: only thread decisions carry a key");
  // Serialisers still write invalid schedules; the parsers refuse them with the same words.
  require_error(parse_token(to_token(s)), "decision 2: only thread decisions carry a key");
  require_error(parse_file(to_file(s)),
                "line 8: decision 'r123456789@1': only thread decisions carry a key");
}

}  // namespace
