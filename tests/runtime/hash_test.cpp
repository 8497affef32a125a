// weft/detail/hash.hpp and random.hpp against values derived independently of them: the
// published FNV-1a and splitmix64 test vectors, and xoshiro256** from its reference
// definition. Trace hashes, tokens and saved schedules are built from these functions.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string_view>
#include <weft/detail/hash.hpp>
#include <weft/detail/random.hpp>

using namespace std::string_view_literals;

TEST_CASE("FNV-1a 64 and 32 give the published test vectors", "[hash]") {
  CHECK(weft::detail::fnv1a("") == 0xcbf29ce484222325ull);
  CHECK(weft::detail::fnv1a("a") == 0xaf63dc4c8601ec8cull);
  CHECK(weft::detail::fnv1a("foobar") == 0x85944171f73967e8ull);
  CHECK(weft::detail::fnv1a32("") == 0x811c9dc5u);
  CHECK(weft::detail::fnv1a32("a") == 0xe40c292cu);
  CHECK(weft::detail::fnv1a32("foobar") == 0xbf9cf968u);
  static_assert(weft::detail::fnv1a("a") == 0xaf63dc4c8601ec8cull, "usable at compile time");
}

TEST_CASE("incremental FNV-1a: integers little-endian, strings with or without their length", "[hash]") {
  weft::detail::Fnv1a a;
  a.u64(0x0102);
  CHECK(a.value() == weft::detail::fnv1a("\x02\x01\0\0\0\0\0\0"sv));
  weft::detail::Fnv1a b, c;
  b.bytes("ab");
  b.bytes("c");
  c.bytes("abc");
  CHECK(b.value() == c.value());
  weft::detail::Fnv1a d, e;
  d.str("ab");
  d.str("c");
  e.str("a");
  e.str("bc");
  CHECK(d.value() != e.value());
  CHECK(weft::detail::Fnv1a(weft::detail::fnv1a64_short_basis).value() == 1469598103934665603ull);
}

TEST_CASE("splitmix64 gives the published outputs for seed 0, stream_seed is its n-th output", "[hash]") {
  weft::detail::SplitMix64 g(0);
  CHECK(g.next() == 0xe220a8397b1dcdafull);
  CHECK(g.next() == 0x6e789e6aa1b965f4ull);
  CHECK(g.next() == 0x06c45d188009454full);
  weft::detail::SplitMix64 h(12345);
  for (std::uint64_t n = 0; n < 5; ++n) CHECK(weft::detail::stream_seed(12345, n) == h.next());
}

TEST_CASE("xoshiro256** seeded through splitmix64 follows its reference definition", "[hash]") {
  weft::detail::Xoshiro256ss x(0);
  CHECK(x.next() == 0x99ec5f36cb75f2b4ull);
  CHECK(x.next() == 0xbf6e1f784956452aull);
  CHECK(x.next() == 0x1a5f849d4933e6e0ull);
  CHECK(weft::detail::below(0, 10) == 0);
  CHECK(weft::detail::below(~std::uint64_t(0), 10) == 9);
  CHECK(weft::detail::below(std::uint64_t(1) << 63, 10) == 5);
}

TEST_CASE("a file name hashes alike with or without a leading ./ or ../", "[hash]") {
  using weft::detail::hashed_file;
  CHECK(hashed_file("../scenarios/src/x.cpp") == "scenarios/src/x.cpp");
  CHECK(hashed_file("./../../a/b.cpp") == "a/b.cpp");
  CHECK(hashed_file("scenarios/src/x.cpp") == "scenarios/src/x.cpp");
  CHECK(hashed_file("/abs/x.cpp") == "/abs/x.cpp");
  CHECK(hashed_file("..x/y.cpp") == "..x/y.cpp");
  CHECK(hashed_file("") == "");
}
