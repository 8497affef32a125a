#include "weft/model/schedule.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include "weft/detail/hash.hpp"
#include "weft/trace/trace.hpp"

namespace weft::model {
namespace {

constexpr std::string_view token_prefix = "w1.";
constexpr std::string_view token_prefix_2 = "w2.";
constexpr std::string_view file_magic = "weft-schedule 1";
constexpr std::string_view file_magic_2 = "weft-schedule 2";
// A w2 token and a weft-schedule 2 file carry a trace hash over the fields of schema 1
// (trace::kTraceHashSchema; schema 2 added only fields the hash leaves out): a schema that
// changes what is hashed comes with a new schedule version, so that a recorded hash is only
// ever compared with a hash of the same fields (replay's check, corpus_replay).
static_assert(trace::kTraceHashSchema == 1, "a new hashed trace schema needs a new schedule version (w3 / weft-schedule 3)");
constexpr std::size_t decisions_per_line = 16;
constexpr std::size_t snippet_bytes_max = 40;

// ---------------------------------------------------------------------------------------
// Small text helpers

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_hex_byte(std::string& out, unsigned char byte) {
  constexpr std::string_view digits = "0123456789abcdef";
  out.push_back(digits[byte >> 4]);
  out.push_back(digits[byte & 0xf]);
}

// Parses a decimal number without sign; false if empty, not all digits, or > max.
bool parse_decimal(std::string_view text, std::uint64_t max, std::uint64_t& out) {
  if (text.empty()) return false;
  std::uint64_t value = 0;
  for (char c : text) {
    if (!is_digit(c)) return false;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  out = value;
  return true;
}

// Length of the well-formed UTF-8 sequence starting at text[i] (Unicode table 3-7),
// or 0 if there is none. Sets `code_point`.
std::size_t utf8_sequence(std::string_view text, std::size_t i, std::uint32_t& code_point) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) second_min = 0xa0;
    if (lead == 0xed) second_max = 0x9f;  // no surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) second_min = 0x90;
    if (lead == 0xf4) second_max = 0x8f;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() - i < length) return 0;
  if (byte(1) < second_min || byte(1) > second_max) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(k) < 0x80 || byte(k) > 0xbf) return 0;
  }
  code_point = lead & (0xffu >> (length + 1));
  for (std::size_t k = 1; k < length; ++k) code_point = (code_point << 6) | (byte(k) & 0x3fu);
  return length;
}

// Code points that are valid but would hide or reorder text in an editor or terminal:
// C1 controls, line/paragraph separators, bidi overrides and isolates, the BOM.
bool is_invisible_code_point(std::uint32_t cp) {
  return cp < 0xa0 || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
         cp == 0xfeff;
}

// The two-character escape for `c`, if it has one.
const char* short_escape(char c) {
  switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: return nullptr;
  }
}

// Appends `text` so that the result is one line of visible characters and round-trips
// through FileParser::string_value(): printable ASCII and well-formed visible UTF-8 stay
// as they are, everything else is escaped.
void append_escaped(std::string& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (const char* escape = short_escape(c)) {
      out += escape;
      ++i;
      continue;
    }
    if (byte >= 0x20 && byte < 0x7f) {
      out.push_back(c);
      ++i;
      continue;
    }
    if (byte >= 0x80) {
      std::uint32_t cp = 0;
      const std::size_t length = utf8_sequence(text, i, cp);
      if (length != 0 && !is_invisible_code_point(cp)) {
        out.append(text.substr(i, length));
        i += length;
        continue;
      }
    }
    out += "\\x";
    append_hex_byte(out, byte);
    ++i;
  }
}

// A short, escaped, quoted excerpt of user input for an error message.
std::string snippet(std::string_view text) {
  std::string out = "'";
  append_escaped(out, text.substr(0, snippet_bytes_max));
  if (text.size() > snippet_bytes_max) out += "...";
  out += "'";
  return out;
}

bool is_bare_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
         std::string_view("._:/+@=,-").find(c) != std::string_view::npos;
}

bool is_bare(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_bare_char);
}

// ---------------------------------------------------------------------------------------
// Invariants shared by both parsers

const char* decision_problem(const Decision& d) {
  switch (d.kind) {
    case DecisionKind::thread: return nullptr;
    case DecisionKind::random: return d.key != 0 ? "only thread decisions carry a key" : nullptr;
    case DecisionKind::fault:
      if (d.value > 1) return "a fault decision is 0 or 1";
      return d.key != 0 ? "only thread decisions carry a key" : nullptr;
  }
  return "unknown decision kind";
}

bool is_granularity(std::string_view text) { return text == "coarse" || text == "fine"; }

// ---------------------------------------------------------------------------------------
// Token: bytes, base64url, checksum

using weft::detail::fnv1a32;

std::string hex64(std::uint64_t value) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) append_hex_byte(out, static_cast<unsigned char>(value >> shift));
  return out;
}

std::string hex32(std::uint32_t value) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    append_hex_byte(out, static_cast<unsigned char>(value >> shift));
  }
  return out;
}

constexpr std::string_view base64url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (is_digit(c)) return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  const auto at = [&](std::size_t k) {
    return std::uint32_t{static_cast<unsigned char>(bytes[k])};
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6)
      out.push_back(base64url_alphabet[(group >> shift) & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t group = at(i) << 16;
    out.push_back(base64url_alphabet[(group >> 18) & 63]);
    out.push_back(base64url_alphabet[(group >> 12) & 63]);
  } else if (rest == 2) {
    const std::uint32_t group = at(i) << 16 | at(i + 1) << 8;
    out.push_back(base64url_alphabet[(group >> 18) & 63]);
    out.push_back(base64url_alphabet[(group >> 12) & 63]);
    out.push_back(base64url_alphabet[(group >> 6) & 63]);
  }
  return out;
}

// Accepts only the canonical encoding (no padding, unused trailing bits zero), so each
// byte string has exactly one token.
std::optional<std::string> base64url_decode(std::string_view text, std::string& error) {
  if (text.size() % 4 == 1) {
    error = "payload length " + std::to_string(text.size()) + " is not a valid base64url length";
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (char c : text) {
    const int value = base64url_value(c);
    if (value < 0) {
      error = "invalid payload character " + snippet(std::string_view(&c, 1));
      return std::nullopt;
    }
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<char>((bits >> bit_count) & 0xff));
      bits &= (1u << bit_count) - 1;
    }
  }
  if (bits != 0) {
    error = "payload is not canonical base64url (nonzero trailing bits)";
    return std::nullopt;
  }
  return out;
}

// Unsigned LEB128 of up to 70 bits, as a (low 64 bits, high bits) pair.
void put_uleb(std::string& out, std::uint64_t low, std::uint64_t high = 0) {
  while (high != 0 || low >= 0x80) {
    out.push_back(static_cast<char>((low & 0x7f) | 0x80));
    low = (low >> 7) | (high << 57);
    high >>= 7;
  }
  out.push_back(static_cast<char>(low));
}

void put_str(std::string& out, std::string_view text) {
  put_uleb(out, text.size());
  out.append(text);
}

// Reads the decoded payload. After the first failure every read returns zero and
// `error` keeps the first message.
class PayloadReader {
 public:
  explicit PayloadReader(std::string_view bytes) : bytes_(bytes) {}

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  std::size_t remaining() const { return bytes_.size() - position_; }
  std::size_t position() const { return position_; }

  void fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }

  // A canonical (shortest) uleb of at most `bits_max` bits, 1 <= bits_max <= 70.
  std::pair<std::uint64_t, std::uint64_t> uleb(unsigned bits_max, const char* what) {
    std::uint64_t low = 0;
    std::uint64_t high = 0;
    if (failed()) return {0, 0};
    for (unsigned shift = 0;; shift += 7) {
      if (remaining() == 0) {
        fail(std::string("truncated in ") + what);
        return {0, 0};
      }
      const auto byte = static_cast<unsigned char>(bytes_[position_++]);
      const std::uint64_t group = byte & 0x7fu;
      if (shift < 64) {
        low |= group << shift;
        if (shift > 57) high |= group >> (64 - shift);
      } else {
        high |= group << (shift - 64);
      }
      if ((byte & 0x80) == 0) {
        if (group == 0 && shift != 0) {
          fail(std::string("non-canonical varint in ") + what);
          return {0, 0};
        }
        break;
      }
      if (shift + 7 >= bits_max) {
        fail(std::string("varint too long in ") + what);
        return {0, 0};
      }
    }
    const bool fits = bits_max >= 64 ? (bits_max >= 70 || (high >> (bits_max - 64)) == 0)
                                     : (high == 0 && (low >> bits_max) == 0);
    if (!fits) {
      fail(std::string(what) + " does not fit in " + std::to_string(bits_max) + " bits");
      return {0, 0};
    }
    return {low, high};
  }

  std::uint64_t u64(const char* what) { return uleb(64, what).first; }

  std::string str(const char* what) {
    const std::uint64_t length = u64(what);
    if (failed()) return {};
    if (length > remaining()) {
      fail(std::string("truncated in ") + what + " (length " + std::to_string(length) + ", " +
           std::to_string(remaining()) + " bytes left)");
      return {};
    }
    std::string out(bytes_.substr(position_, static_cast<std::size_t>(length)));
    position_ += static_cast<std::size_t>(length);
    return out;
  }

 private:
  std::string_view bytes_;
  std::size_t position_ = 0;
  std::string error_;
};

std::string payload_bytes(const Schedule& s) {
  std::string out;
  out.reserve(32 + s.scenario.size() + s.strategy.size() + s.weft_version.size() +
              s.decisions.size() * 2);
  put_str(out, s.scenario);
  put_str(out, s.strategy);
  put_uleb(out, s.seed);
  put_str(out, s.granularity);
  put_str(out, s.weft_version);
  put_uleb(out, s.decisions.size());
  for (const Decision& d : s.decisions) {
    const std::uint64_t has_key = d.key != 0 ? 1 : 0;
    const auto kind = static_cast<std::uint64_t>(d.kind) & 3u;
    put_uleb(out, (d.value << 3) | (has_key << 2) | kind, d.value >> 61);
    if (has_key != 0) put_uleb(out, d.key);
  }
  if (s.trace_records != 0) {
    put_uleb(out, s.trace_records);
    put_uleb(out, s.trace_hash);
  }
  return out;
}

Parsed decode_payload(std::string_view bytes, bool with_trace) {
  const auto error = [](const std::string& message) {
    return ParseError{"schedule token: " + message};
  };
  PayloadReader in(bytes);
  Schedule s;
  s.scenario = in.str("scenario");
  s.strategy = in.str("strategy");
  s.seed = in.u64("seed");
  s.granularity = in.str("granularity");
  if (!in.failed() && !is_granularity(s.granularity)) {
    return error("granularity must be coarse or fine, got " + snippet(s.granularity));
  }
  s.weft_version = in.str("weft version");
  const std::uint64_t count = in.u64("decision count");
  if (in.failed()) return error(in.error());
  if (count > decision_count_max) {
    return error("decision count " + std::to_string(count) + " exceeds the limit of " +
                 std::to_string(decision_count_max));
  }
  // Each decision takes at least one byte.
  s.decisions.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(count, in.remaining())));
  for (std::uint64_t i = 0; i < count; ++i) {
    const auto [low, high] = in.uleb(67, "decision");
    if (in.failed()) return error("decision " + std::to_string(i) + ": " + in.error());
    const auto kind = static_cast<unsigned>(low & 3u);
    if (kind > 2) return error("decision " + std::to_string(i) + ": unknown kind 3");
    Decision d{static_cast<DecisionKind>(kind), (low >> 3) | (high << 61), 0};
    if ((low & 4u) != 0) {
      const std::uint64_t key = in.uleb(32, "decision key").first;
      if (in.failed()) return error("decision " + std::to_string(i) + ": " + in.error());
      if (key == 0) return error("decision " + std::to_string(i) + ": key flag set but key is 0");
      d.key = static_cast<std::uint32_t>(key);
    }
    if (const char* problem = decision_problem(d)) {
      return error("decision " + std::to_string(i) + ": " + problem);
    }
    s.decisions.push_back(d);
  }
  if (with_trace) {
    s.trace_records = in.u64("trace record count");
    s.trace_hash = in.u64("trace hash");
    if (in.failed()) return error(in.error());
    if (s.trace_records == 0) return error("a w2 token records at least one trace record");
  }
  if (in.remaining() != 0) {
    return error(std::to_string(in.remaining()) + " unexpected bytes after the last decision");
  }
  return s;
}

bool is_token_char(char c) { return base64url_value(c) >= 0 || c == '.' || c == '~'; }

// ---------------------------------------------------------------------------------------
// File

// Writes a header value: bare when unambiguous, otherwise quoted and escaped.
void append_value(std::string& out, std::string_view text) {
  if (is_bare(text)) {
    out.append(text);
    return;
  }
  out.push_back('"');
  append_escaped(out, text);
  out.push_back('"');
}

void append_decision(std::string& out, const Decision& d) {
  switch (d.kind) {
    case DecisionKind::thread: out.push_back('t'); break;
    case DecisionKind::random: out.push_back('r'); break;
    case DecisionKind::fault: out.push_back('f'); break;
    default: out.push_back('?'); break;
  }
  out += std::to_string(d.value);
  if (d.key != 0) {
    out.push_back('@');
    out += std::to_string(d.key);
  }
}

// Splits into lines on '\n', dropping one '\r' before it; a final '\n' does not start
// another line.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  bool at_end() const { return position_ >= text_.size(); }
  std::size_t remaining_bytes() const { return at_end() ? 0 : text_.size() - position_; }
  std::size_t line_number() const { return line_number_; }  // of the last line read

  std::string_view next() {
    const std::size_t end = std::min(text_.find('\n', position_), text_.size());
    std::string_view line = text_.substr(position_, end - position_);
    position_ = end + 1;
    ++line_number_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  }

 private:
  std::string_view text_;
  std::size_t position_ = 0;
  std::size_t line_number_ = 0;
};

class FileParser {
 public:
  explicit FileParser(std::string_view text) : lines_(text) {}

  Parsed parse() {
    Schedule s;
    if (!magic() || !string_field("scenario", s.scenario) ||
        !string_field("strategy", s.strategy) || !seed_field(s.seed) ||
        !granularity_field(s.granularity) || !string_field("weft-version", s.weft_version)) {
      return ParseError{std::move(error_)};
    }
    std::optional<std::uint32_t> checksum;
    std::size_t checksum_line = 0;
    if (version_ == 2 && !trace_field(s) ) return ParseError{std::move(error_)};
    if (version_ == 2 && !checksum_field(checksum, checksum_line)) return ParseError{std::move(error_)};
    std::uint64_t count = 0;
    if (!count_field(count) || !decision_lines(count, s.decisions)) {
      return ParseError{std::move(error_)};
    }
    if (checksum) {
      const std::uint32_t expected = fnv1a32(payload_bytes(s));
      if (*checksum != expected) {
        fail(checksum_line, "bad checksum (expected " + hex32(expected) + ", got " + hex32(*checksum) +
                                "): the file was altered or cut (to replay a schedule edited by hand, delete "
                                "its checksum line)");
        return ParseError{std::move(error_)};
      }
    }
    return s;
  }

 private:
  bool fail(std::size_t line_number, const std::string& message) {
    error_ = "schedule file line " + std::to_string(line_number) + ": " + message;
    return false;
  }

  // Reads the next line, or fails with "expected <what>, got end of file".
  bool next_line(std::string_view what, std::string_view& line) {
    if (lines_.at_end()) {
      return fail(lines_.line_number() + 1, "expected " + std::string(what) + ", got end of file");
    }
    line = lines_.next();
    return true;
  }

  bool magic() {
    std::string_view line;
    if (!next_line("'weft-schedule 1'", line)) return false;
    if (line == file_magic) return true;
    if (line == file_magic_2) {
      version_ = 2;
      return true;
    }
    constexpr std::string_view any_version = "weft-schedule ";
    if (line.substr(0, any_version.size()) == any_version) {
      return fail(lines_.line_number(), "unsupported version " +
                                            snippet(line.substr(any_version.size())) +
                                            " (this build reads versions 1 and 2)");
    }
    return fail(lines_.line_number(), "expected 'weft-schedule 1', got " + snippet(line));
  }

  // Reads "<key>: <rest>" and returns rest.
  bool header(std::string_view key, std::string_view shape, std::string_view& rest) {
    const std::string expected = "'" + std::string(key) + ": " + std::string(shape) + "'";
    std::string_view line;
    if (!next_line(expected, line)) return false;
    if (line.size() < key.size() + 2 || line.substr(0, key.size()) != key ||
        line.substr(key.size(), 2) != ": ") {
      return fail(lines_.line_number(), "expected " + expected + ", got " + snippet(line));
    }
    rest = line.substr(key.size() + 2);
    return true;
  }

  bool string_field(std::string_view key, std::string& out) {
    std::string_view rest;
    if (!header(key, "<string>", rest)) return false;
    return string_value(key, rest, out);
  }

  bool string_value(std::string_view key, std::string_view text, std::string& out) {
    const auto bad = [&](std::size_t offset, const std::string& what) {
      const std::size_t column = key.size() + 2 + offset + 1;
      return fail(lines_.line_number(),
                  std::string(key) + ": " + what + " at column " + std::to_string(column));
    };
    if (text.empty() || text.front() != '"') {
      if (!is_bare(text)) {
        return fail(
            lines_.line_number(),
            std::string(key) + ": " + snippet(text) +
                " must be double-quoted (bare values use only A-Z a-z 0-9 . _ : / + @ = , -)");
      }
      out.assign(text);
      return true;
    }
    out.clear();
    for (std::size_t i = 1; i < text.size(); ++i) {
      const char c = text[i];
      const auto byte = static_cast<unsigned char>(c);
      if (c == '"') {
        if (i + 1 != text.size()) return bad(i + 1, "unexpected text after the closing quote");
        return true;
      }
      if (c == '\\') {
        if (i + 1 == text.size()) break;
        const char e = text[++i];
        switch (e) {
          case '\\': out.push_back('\\'); break;
          case '"': out.push_back('"'); break;
          case 'n': out.push_back('\n'); break;
          case 'r': out.push_back('\r'); break;
          case 't': out.push_back('\t'); break;
          case 'x': {
            const int high = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
            const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
            if (high < 0 || low < 0) return bad(i - 1, "'\\x' needs two hex digits");
            out.push_back(static_cast<char>(high * 16 + low));
            i += 2;
            break;
          }
          default:
            return bad(i - 1, "unknown escape " + snippet(text.substr(i - 1, 2)) +
                                  " (use \\\\ \\\" \\n \\r \\t or \\xHH)");
        }
        continue;
      }
      if (byte < 0x20 || byte == 0x7f) {
        return bad(i, "raw control character (write it as \\xHH)");
      }
      out.push_back(c);
    }
    return bad(text.size(), "missing closing quote");
  }

  bool seed_field(std::uint64_t& seed) {
    std::string_view rest;
    if (!header("seed", "<uint64>", rest)) return false;
    if (!parse_decimal(rest, UINT64_MAX, seed)) {
      return fail(lines_.line_number(),
                  "expected 'seed: <uint64>', got " + snippet("seed: " + std::string(rest)));
    }
    return true;
  }

  bool granularity_field(std::string& out) {
    std::string_view rest;
    if (!header("granularity", "coarse|fine", rest)) return false;
    if (!string_value("granularity", rest, out)) return false;
    if (!is_granularity(out)) {
      return fail(lines_.line_number(), "expected 'granularity: coarse|fine', got " + snippet(out));
    }
    return true;
  }

  // "trace: <16 hex digits> records <count>"
  bool trace_field(Schedule& s) {
    std::string_view rest;
    if (!header("trace", "<hash> records <count>", rest)) return false;
    const auto bad = [&] {
      return fail(lines_.line_number(), "expected 'trace: <16 hex digits> records <count>', got " +
                                            snippet("trace: " + std::string(rest)));
    };
    constexpr std::string_view records = " records ";
    if (rest.size() < 16 + records.size() || rest.substr(16, records.size()) != records) return bad();
    std::uint64_t hash = 0;
    for (char c : rest.substr(0, 16)) {
      const int v = hex_value(c);
      if (v < 0 || (c >= 'A' && c <= 'F')) return bad();
      hash = hash << 4 | static_cast<std::uint64_t>(v);
    }
    std::uint64_t count = 0;
    if (!parse_decimal(rest.substr(16 + records.size()), UINT64_MAX, count) || count == 0) return bad();
    s.trace_hash = hash;
    s.trace_records = count;
    return true;
  }

  // "checksum: <8 hex digits>", optional: absent on a schedule edited by hand.
  bool checksum_field(std::optional<std::uint32_t>& out, std::size_t& line_number) {
    if (!peek_starts_with("checksum: ")) return true;
    std::string_view rest;
    if (!header("checksum", "<8 hex digits>", rest)) return false;
    line_number = lines_.line_number();
    std::uint32_t value = 0;
    bool ok = rest.size() == 8;
    for (char c : rest) {
      const int v = hex_value(c);
      if (v < 0 || (c >= 'A' && c <= 'F')) ok = false;
      value = value << 4 | static_cast<std::uint32_t>(v < 0 ? 0 : v);
    }
    if (!ok) return fail(line_number, "expected 'checksum: <8 lowercase hex digits>', got " + snippet(rest));
    out = value;
    return true;
  }

  bool peek_starts_with(std::string_view prefix) const {
    LineReader copy = lines_;
    return !copy.at_end() && copy.next().substr(0, prefix.size()) == prefix;
  }

  bool count_field(std::uint64_t& count) {
    std::string_view rest;
    if (!header("decisions", "<count>", rest)) return false;
    if (!parse_decimal(rest, UINT64_MAX, count)) {
      return fail(lines_.line_number(), "expected 'decisions: <count>', got " +
                                            snippet("decisions: " + std::string(rest)));
    }
    if (count > decision_count_max) {
      return fail(lines_.line_number(), "decision count " + std::to_string(count) +
                                            " exceeds the limit of " +
                                            std::to_string(decision_count_max));
    }
    return true;
  }

  bool decision_lines(std::uint64_t count, std::vector<Decision>& out) {
    // Each decision takes at least two characters ("t0").
    out.reserve(
        static_cast<std::size_t>(std::min<std::uint64_t>(count, lines_.remaining_bytes() / 2)));
    while (!lines_.at_end()) {
      const std::string_view line = lines_.next();
      std::size_t i = 0;
      while (i < line.size()) {
        if (line[i] == ' ' || line[i] == '\t') {
          ++i;
          continue;
        }
        std::size_t end = i;
        while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
        const std::string_view word = line.substr(i, end - i);
        if (out.size() == count) {
          return fail(lines_.line_number(), "unexpected " + snippet(word) + " after the " +
                                                std::to_string(count) + " decisions announced");
        }
        Decision d;
        if (!decision(word, d)) return false;
        out.push_back(d);
        i = end;
      }
    }
    if (out.size() != count) {
      return fail(lines_.line_number() + 1, "expected " + std::to_string(count) +
                                                " decisions, got " + std::to_string(out.size()) +
                                                " (truncated file?)");
    }
    return true;
  }

  bool decision(std::string_view word, Decision& d) {
    const auto bad = [&](const std::string& why) {
      return fail(lines_.line_number(), "decision " + snippet(word) + ": " + why);
    };
    switch (word.front()) {
      case 't': d.kind = DecisionKind::thread; break;
      case 'r': d.kind = DecisionKind::random; break;
      case 'f': d.kind = DecisionKind::fault; break;
      default: return bad("expected t<thread>[@<key>], r<value>, f0 or f1");
    }
    const std::size_t at = word.find('@');
    const std::string_view value =
        word.substr(1, at == std::string_view::npos ? word.npos : at - 1);
    if (!parse_decimal(value, UINT64_MAX, d.value))
      return bad("expected a uint64 after the kind letter");
    if (at != std::string_view::npos) {
      std::uint64_t key = 0;
      if (!parse_decimal(word.substr(at + 1), UINT32_MAX, key))
        return bad("expected a uint32 key after '@'");
      d.key = static_cast<std::uint32_t>(key);
    }
    if (const char* problem = decision_problem(d)) return bad(problem);
    return true;
  }

 private:
  LineReader lines_;
  std::string error_;
  int version_ = 1;
};

}  // namespace

std::optional<std::string> validate(const Schedule& schedule) {
  if (!is_granularity(schedule.granularity)) {
    return "granularity must be coarse or fine, got " + snippet(schedule.granularity);
  }
  if (schedule.decisions.size() > decision_count_max) {
    return "more than " + std::to_string(decision_count_max) + " decisions";
  }
  for (std::size_t i = 0; i < schedule.decisions.size(); ++i) {
    if (const char* problem = decision_problem(schedule.decisions[i])) {
      return "decision " + std::to_string(i) + ": " + problem;
    }
  }
  return std::nullopt;
}

std::string to_token(const Schedule& schedule) {
  const std::string bytes = payload_bytes(schedule);
  return std::string(schedule.trace_records != 0 ? token_prefix_2 : token_prefix) + base64url_encode(bytes) + "." +
         hex32(fnv1a32(bytes));
}

Parsed parse_token(std::string_view text) {
  const auto error = [](const std::string& message) {
    return ParseError{"schedule token: " + message};
  };
  if (text.empty()) return error("empty");
  const bool with_trace = text.substr(0, token_prefix_2.size()) == token_prefix_2;
  if (!with_trace && text.substr(0, token_prefix.size()) != token_prefix) {
    // "w<digits>." is some other version of the format.
    std::size_t digits = 1;
    while (digits < text.size() && is_digit(text[digits])) ++digits;
    if (text[0] == 'w' && digits > 1 && digits < text.size() && text[digits] == '.') {
      return error("unsupported version " + snippet(text.substr(0, digits)) +
                   " (this build reads w1 and w2)");
    }
    return error("expected prefix 'w1.', got " + snippet(text.substr(0, 8)));
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_token_char(text[i])) {
      return error("invalid character " + snippet(text.substr(i, 1)) + " at position " +
                   std::to_string(i) + " (tokens use only A-Z a-z 0-9 - _ . ~)");
    }
  }
  const std::string_view body = text.substr(token_prefix.size());
  const std::size_t dot = body.find('.');
  if (dot == std::string_view::npos) return error("truncated: no '.<checksum>' after the payload");
  const std::string_view payload = body.substr(0, dot);
  const std::string_view checksum = body.substr(dot + 1);
  if (checksum.size() != 8 || !std::all_of(checksum.begin(), checksum.end(), [](char c) {
        return is_digit(c) || (c >= 'a' && c <= 'f');
      })) {
    return error("checksum must be 8 lowercase hex digits, got " + snippet(checksum) +
                 (checksum.size() < 8 ? " (truncated?)" : ""));
  }
  std::string decode_error;
  const std::optional<std::string> bytes = base64url_decode(payload, decode_error);
  if (!bytes) return error(decode_error);
  const std::string expected = hex32(fnv1a32(*bytes));
  if (checksum != expected) {
    return error("bad checksum (expected " + expected + ", got " + std::string(checksum) +
                 "): the token was altered or cut");
  }
  return decode_payload(*bytes, with_trace);
}

std::string to_file(const Schedule& schedule) {
  std::string out;
  out.reserve(128 + schedule.scenario.size() + schedule.decisions.size() * 4);
  out += schedule.trace_records != 0 ? file_magic_2 : file_magic;
  out += "\nscenario: ";
  append_value(out, schedule.scenario);
  out += "\nstrategy: ";
  append_value(out, schedule.strategy);
  out += "\nseed: " + std::to_string(schedule.seed);
  out += "\ngranularity: ";
  append_value(out, schedule.granularity);
  out += "\nweft-version: ";
  append_value(out, schedule.weft_version);
  if (schedule.trace_records != 0) {
    out += "\ntrace: " + hex64(schedule.trace_hash) + " records " + std::to_string(schedule.trace_records);
    out += "\nchecksum: " + hex32(fnv1a32(payload_bytes(schedule)));
  }
  out += "\ndecisions: " + std::to_string(schedule.decisions.size());
  for (std::size_t i = 0; i < schedule.decisions.size(); ++i) {
    out.push_back(i % decisions_per_line == 0 ? '\n' : ' ');
    append_decision(out, schedule.decisions[i]);
  }
  out.push_back('\n');
  return out;
}

Parsed parse_file(std::string_view text) { return FileParser(text).parse(); }

Parsed parse_token_or_file(std::string_view text) {
  constexpr std::string_view space = " \t\r\n\v\f";
  const std::size_t first = text.find_first_not_of(space);
  text = first == std::string_view::npos ? std::string_view{} : text.substr(first);
  text = text.substr(0, text.find_last_not_of(space) + 1);
  if (text.size() >= 2 && text[0] == 'w' && is_digit(text[1])) return parse_token(text);
  if (text.substr(0, 13) == "weft-schedule") return parse_file(text);
  return ParseError{
      "schedule: expected a token ('w1.' or 'w2.' ...) or a schedule file ('weft-schedule 1' or 2 ...), got " +
      snippet(text)};
}

}  // namespace weft::model
