// libFuzzer target for weft::http.
//
// Input: 4 bytes that pick the limits and seed the chunking, then the byte
// stream a client sends on one connection. The stream is parsed twice, once as
// a single chunk and once in pseudo-random chunks (1..32 bytes, sometimes one
// byte at a time), the way a server loop handles pipelining. Beyond "no crash,
// no sanitizer report" the target checks:
//  - both feedings give the same requests and the same final status and code;
//  - the parser's promises: need_more uses the whole chunk, done/error never use
//    more than the chunk, every request respects the limits, names are tokens,
//    values carry no control characters but HTAB and no surrounding whitespace;
//  - echoing each request's headers into serialize() never yields more head
//    lines than headers written (no response splitting).
#include "weft/detail/random.hpp"
#include "weft/http/http.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using weft::http::Limits;
using weft::http::Request;
using weft::http::RequestParser;
using Status = RequestParser::Status;

void check(bool ok) {
    if (!ok) std::abort();
}

// splitmix64: enough to spread chunk sizes; libFuzzer owns the real randomness.
struct Chunker {
    std::uint64_t state;
    std::size_t next() {
        const std::uint64_t z = weft::detail::splitmix64_next(state);
        return (z & 3) == 0 ? 1 : 1 + static_cast<std::size_t>((z >> 8) % 32);
    }
};

struct Outcome {
    std::vector<Request> requests;
    Status last = Status::need_more;
    int error_status = 0;
};

bool is_tchar(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

void check_request(const Request& r, const Limits& limits) {
    check(!r.method.empty() && r.target.size() <= limits.target_bytes_max && !r.target.empty());
    check(r.version.size() == 8 && r.version.compare(0, 7, "HTTP/1.") == 0);
    check(r.headers.size() <= limits.headers_max);
    check(r.body.size() <= limits.body_bytes_max);
    for (unsigned char c : r.method) check(is_tchar(c));
    for (const auto& [name, value] : r.headers) {
        check(!name.empty());
        for (unsigned char c : name) check(is_tchar(c));
        for (unsigned char c : value) check(c == '\t' || (c >= 0x20 && c != 0x7f));
        if (!value.empty()) {
            check(value.front() != ' ' && value.front() != '\t');
            check(value.back() != ' ' && value.back() != '\t');
        }
    }
}

Outcome parse(std::string_view wire, const Limits& limits, Chunker* chunker) {
    RequestParser parser(limits);
    Outcome out;
    while (!wire.empty()) {
        std::string_view chunk = chunker ? wire.substr(0, chunker->next()) : wire;
        while (!chunk.empty()) {
            std::size_t consumed = 0;
            out.last = parser.feed(chunk, consumed);
            check(consumed <= chunk.size());
            if (out.last == Status::need_more) check(consumed == chunk.size());
            chunk.remove_prefix(consumed);
            wire.remove_prefix(consumed);
            if (out.last == Status::error) {
                out.error_status = parser.error_status();
                std::string_view message = parser.error_message();
                check(!message.empty() && message.find('\n') == std::string_view::npos);
                return out;
            }
            if (out.last == Status::done) {
                Request r = parser.take();
                check_request(r, limits);
                out.requests.push_back(std::move(r));
            }
        }
    }
    return out;
}

bool same(const Request& a, const Request& b) {
    return a.method == b.method && a.target == b.target && a.version == b.version && a.headers == b.headers &&
           a.body == b.body && a.keep_alive == b.keep_alive;
}

std::size_t count(std::string_view s, std::string_view needle) {
    std::size_t n = 0;
    for (std::size_t pos = s.find(needle); pos != std::string_view::npos; pos = s.find(needle, pos + 1)) ++n;
    return n;
}

void check_serialize(const Request& r) {
    weft::http::Response response;
    response.status = 200;
    response.reason = r.target;  // arbitrary caller text in the status line too
    response.headers = r.headers;
    response.body = r.body;
    response.keep_alive = r.keep_alive;
    std::string wire = weft::http::serialize(response);
    std::size_t head_end = wire.find("\r\n\r\n");
    check(head_end != std::string::npos);
    std::string_view head(wire.data(), head_end + 2);
    // status line + kept headers + Content-Length + Connection, nothing more.
    check(count(head, "\n") == count(head, "\r\n"));
    check(count(head, "\r") == count(head, "\r\n"));
    check(count(head, "\r\n") <= 1 + r.headers.size() + 2);
    check(wire.size() - (head_end + 4) == r.body.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return 0;
    // Small limits so the fuzzer reaches every limit's edge quickly.
    Limits limits;
    limits.header_bytes_max = 16 + data[0] * 4u;
    limits.headers_max = data[1] % 16;
    limits.body_bytes_max = data[2] * 8u;
    limits.target_bytes_max = 1 + data[3] % 64;
    Chunker chunker{std::uint64_t(data[0]) << 24 | std::uint64_t(data[1]) << 16 | std::uint64_t(data[2]) << 8 |
                    data[3]};
    std::string_view wire(reinterpret_cast<const char*>(data) + 4, size - 4);

    Outcome whole = parse(wire, limits, nullptr);
    Outcome chunked = parse(wire, limits, &chunker);
    check(whole.last == chunked.last && whole.error_status == chunked.error_status);
    check(whole.requests.size() == chunked.requests.size());
    for (std::size_t i = 0; i < whole.requests.size(); ++i) {
        check(same(whole.requests[i], chunked.requests[i]));
        check_serialize(whole.requests[i]);
    }
    if (whole.last == Status::error) {
        int s = whole.error_status;
        check(s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505);
        std::string response = weft::http::serialize(weft::http::error_response(s, "x"));
        check(response.find("Connection: close\r\n") != std::string::npos);
    }
    return 0;
}
