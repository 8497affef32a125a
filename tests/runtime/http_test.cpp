#include "weft/http/http.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using weft::http::Limits;
using weft::http::Request;
using weft::http::RequestParser;
using weft::http::Response;
using Status = RequestParser::Status;
using namespace std::string_literals;

namespace {

// A Request as a comparable value.
struct Parsed {
    std::string method, target, version;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool keep_alive = false;
    bool operator==(const Parsed&) const = default;
};

Parsed parsed(const Request& r) { return {r.method, r.target, r.version, r.headers, r.body, r.keep_alive}; }

// Everything a connection's byte stream produced: the requests in order, then
// the last status and, if it is an error, its code.
struct Outcome {
    std::vector<Parsed> requests;
    Status last = Status::need_more;
    int error_status = 0;
    bool operator==(const Outcome&) const = default;
};

// Feeds `wire` in chunks of the given sizes (cycled; the last chunk takes the
// rest), handling pipelining the way a server loop would.
Outcome parse_stream(std::string_view wire, const std::vector<std::size_t>& chunk_sizes, Limits limits = {}) {
    RequestParser parser(limits);
    Outcome out;
    std::size_t offset = 0;
    std::size_t next_size = 0;
    while (offset < wire.size()) {
        std::size_t size = chunk_sizes.empty() ? wire.size() : chunk_sizes[next_size++ % chunk_sizes.size()];
        std::string_view chunk = wire.substr(offset, std::max<std::size_t>(size, 1));
        // Re-feed what a finished request left over, as the API asks.
        while (!chunk.empty()) {
            std::size_t consumed = 0;
            out.last = parser.feed(chunk, consumed);
            if (out.last == Status::need_more && consumed != chunk.size()) {
                throw std::logic_error("need_more must consume the whole chunk");
            }
            if (consumed > chunk.size()) throw std::logic_error("consumed past the chunk");
            offset += consumed;
            chunk.remove_prefix(consumed);
            if (out.last == Status::error) {
                out.error_status = parser.error_status();
                return out;
            }
            if (out.last == Status::done) out.requests.push_back(parsed(parser.take()));
        }
    }
    return out;
}

Outcome parse_whole(std::string_view wire, Limits limits = {}) { return parse_stream(wire, {}, limits); }

Outcome parse_bytewise(std::string_view wire, Limits limits = {}) { return parse_stream(wire, {1}, limits); }

// Feeds one chunk and returns the status (and error code through `status`).
Status feed_all(RequestParser& parser, std::string_view wire) {
    std::size_t consumed = 0;
    return parser.feed(wire, consumed);
}

int error_of(std::string_view wire, Limits limits = {}) {
    Outcome whole = parse_whole(wire, limits);
    Outcome bytewise = parse_bytewise(wire, limits);
    CHECK(whole == bytewise);
    return whole.last == Status::error ? whole.error_status : 0;
}

}  // namespace

TEST_CASE("http: simple GET", "[http]") {
    RequestParser parser;
    std::string wire = "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
    std::size_t consumed = 0;
    REQUIRE(parser.feed(wire, consumed) == Status::done);
    CHECK(consumed == wire.size());
    Request r = parser.take();
    CHECK(r.method == "GET");
    CHECK(r.target == "/index.html?q=1");
    CHECK(r.version == "HTTP/1.1");
    REQUIRE(r.headers.size() == 2);
    CHECK(r.headers[0] == std::pair<std::string, std::string>{"Host", "example.com"});
    CHECK(r.headers[1] == std::pair<std::string, std::string>{"Accept", "*/*"});
    CHECK(r.body.empty());
    CHECK(r.keep_alive);
    CHECK(parser.error_status() == 0);
    CHECK(parser.error_message().empty());
}

TEST_CASE("http: POST with a body", "[http]") {
    RequestParser parser;
    std::string wire = "POST /submit HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world";
    std::size_t consumed = 0;
    // The head alone is not enough.
    REQUIRE(parser.feed(std::string_view(wire).substr(0, wire.size() - 5), consumed) == Status::need_more);
    CHECK(consumed == wire.size() - 5);
    REQUIRE(parser.feed(std::string_view(wire).substr(wire.size() - 5), consumed) == Status::done);
    CHECK(consumed == 5);
    Request r = parser.take();
    CHECK(r.method == "POST");
    CHECK(r.body == "hello world");
    CHECK(r.header("content-length") == "11");
}

TEST_CASE("http: pipelined requests in one chunk", "[http]") {
    std::string first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
    std::string second = "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz";
    std::string third = "GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    std::string wire = first + second + third;

    RequestParser parser;
    std::string_view rest = wire;
    std::size_t consumed = 0;
    REQUIRE(parser.feed(rest, consumed) == Status::done);
    CHECK(consumed == first.size());
    // Without take() the parser holds its request and uses nothing more.
    std::size_t again = 99;
    CHECK(parser.feed(rest.substr(consumed), again) == Status::done);
    CHECK(again == 0);
    CHECK(parser.take().target == "/a");
    rest.remove_prefix(consumed);

    REQUIRE(parser.feed(rest, consumed) == Status::done);
    CHECK(consumed == second.size());
    Request b = parser.take();
    CHECK(b.target == "/b");
    CHECK(b.body == "xyz");
    rest.remove_prefix(consumed);

    REQUIRE(parser.feed(rest, consumed) == Status::done);
    CHECK(consumed == third.size());
    Request c = parser.take();
    CHECK(c.target == "/c");
    CHECK_FALSE(c.keep_alive);
}

TEST_CASE("http: empty lines between pipelined requests are skipped", "[http]") {
    std::string wire = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n\r\n\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
    Outcome out = parse_whole(wire);
    REQUIRE(out.requests.size() == 2);
    CHECK(out.requests[1].target == "/b");
}

TEST_CASE("http: bare LF line endings are accepted", "[http]") {
    Outcome crlf = parse_whole("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok");
    Outcome lf = parse_whole("POST / HTTP/1.1\nHost: h\nContent-Length: 2\n\nok");
    REQUIRE(lf.requests.size() == 1);
    CHECK(lf == crlf);
}

TEST_CASE("http: one byte at a time equals one chunk", "[http]") {
    std::string wire =
        "PUT /x HTTP/1.1\r\nHost: h\r\nX-A:  spaced value \t\r\nContent-Length: 5\r\n\r\n12345"
        "GET /y HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    Outcome whole = parse_whole(wire);
    REQUIRE(whole.requests.size() == 2);
    CHECK(whole.requests[0].headers[1].second == "spaced value");
    CHECK(parse_bytewise(wire) == whole);
    CHECK(parse_stream(wire, {3, 1, 7}) == whole);
}

TEST_CASE("http: feeding never stores more of the head than the limit", "[http]") {
    // A client that never ends its header line gets 431 as soon as it passes
    // the limit, however it dribbles the bytes.
    Limits limits;
    limits.header_bytes_max = 100;
    RequestParser parser(limits);
    std::size_t consumed = 0;
    REQUIRE(parser.feed("GET / HTTP/1.1\r\nX: ", consumed) == Status::need_more);
    std::size_t fed = consumed;
    Status status = Status::need_more;
    while (status == Status::need_more) {
        status = parser.feed("a", consumed);
        fed += consumed;
    }
    CHECK(status == Status::error);
    CHECK(parser.error_status() == 431);
    CHECK(fed == 101);
}

TEST_CASE("http: errors carry their status", "[http]") {
    SECTION("400 malformed") {
        for (std::string wire : std::vector<std::string>{
                 "GET /\r\n\r\n",                                         // no version
                 "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",                     // double space
                 " GET / HTTP/1.1\r\nHost: h\r\n\r\n",                     // leading space
                 "GET / HTTP/1.1 \r\nHost: h\r\n\r\n",                     // trailing space
                 "G(T / HTTP/1.1\r\nHost: h\r\n\r\n",                      // method not a token
                 "GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n",                  // tab in target
                 "GET / HTTP/1.1x\r\nHost: h\r\n\r\n",                     // version too long
                 "GET / http/1.1\r\nHost: h\r\n\r\n",                      // version case
                 "GET / HTTP/11\r\nHost: h\r\n\r\n",                       // version shape
                 "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n folded\r\n\r\n", // obs-fold
                 "GET / HTTP/1.1\r\n Host: h\r\n\r\n",                     // space before first header
                 "GET / HTTP/1.1\r\nHost : h\r\n\r\n",                     // space before colon
                 "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n",           // no colon
                 "GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n",               // empty name
                 "GET / HTTP/1.1\r\nHost: h\r\nX\"Y: v\r\n\r\n",           // name not a token
                 "GET / HTTP/1.1\r\nHost: h\rX: v\r\n\r\n",                // bare CR
                 "GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n"s,  // NUL
                 "GET / HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n",           // DEL
                 "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n",
                 "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n",
                 "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
                 "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n",
                 "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n",
                 "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n",
                 "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\ncontent-length: 6\r\n\r\n",
                 "GET / HTTP/1.1\r\n\r\n",                                  // 1.1 without Host
                 "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",            // two Hosts
             }) {
            INFO(wire);
            CHECK(error_of(wire) == 400);
        }
        RequestParser parser;
        REQUIRE(feed_all(parser, "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n") == Status::error);
        CHECK(parser.error_message().find("obs-fold") != std::string_view::npos);
        CHECK(parser.error_message().find('\n') == std::string_view::npos);
    }
    SECTION("agreeing duplicate Content-Length is fine") {
        Outcome out = parse_whole("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 002\r\n\r\nab");
        REQUIRE(out.requests.size() == 1);
        CHECK(out.requests[0].body == "ab");
    }
    SECTION("413 body too large, overflow-safe") {
        CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1048577\r\n\r\n") == 413);
        CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 18446744073709551616\r\n\r\n") == 413);
        CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999999999\r\n\r\n") ==
              413);
    }
    SECTION("414 target too long, refused before the line ends") {
        RequestParser parser;
        std::string wire = "GET /" + std::string(2047, 'a');
        REQUIRE(feed_all(parser, wire) == Status::need_more);
        REQUIRE(feed_all(parser, "a") == Status::error);
        CHECK(parser.error_status() == 414);
    }
    SECTION("431 head too large or too many headers") {
        CHECK(error_of("GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(9000, 'v') + "\r\n\r\n") == 431);
        std::string many = "GET / HTTP/1.1\r\nHost: h\r\n";
        for (int i = 0; i < 64; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
        CHECK(error_of(many + "\r\n") == 431);
    }
    SECTION("501 Transfer-Encoding") {
        CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") == 501);
        CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") == 501);
        CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n") ==
              501);
    }
    SECTION("505 version") {
        CHECK(error_of("GET / HTTP/2.0\r\nHost: h\r\n\r\n") == 505);
        CHECK(error_of("GET / HTTP/0.9\r\n\r\n") == 505);
        CHECK(error_of("GET / HTTP/3.0\r\n\r\n") == 505);
    }
    SECTION("after an error the parser stays failed and uses nothing") {
        RequestParser parser;
        REQUIRE(feed_all(parser, "GET / HTTP/9.9\r\n") == Status::error);
        std::size_t consumed = 42;
        CHECK(parser.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n", consumed) == Status::error);
        CHECK(consumed == 0);
        CHECK(parser.error_status() == 505);
        CHECK_FALSE(parser.error_message().empty());
    }
}

TEST_CASE("http: limits hold at exactly the limit and fail one over", "[http]") {
    SECTION("header_bytes_max") {
        std::string head = "GET / HTTP/1.1\r\nHost: h\r\nX: \r\n\r\n";
        std::string fits = head;
        fits.insert(head.size() - 4, 8192 - head.size(), 'v');
        REQUIRE(fits.size() == 8192);
        Outcome ok = parse_whole(fits);
        REQUIRE(ok.requests.size() == 1);
        CHECK(ok.requests[0].headers[1].second.size() == 8192 - head.size());
        CHECK(parse_bytewise(fits) == ok);

        std::string over = fits;
        over.insert(head.size() - 4, 1, 'v');
        CHECK(error_of(over) == 431);
        // Empty lines before the request line count too.
        CHECK(error_of("\n" + fits) == 431);
    }
    SECTION("headers_max") {
        Limits limits;
        limits.headers_max = 4;
        std::string four = "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
        CHECK(parse_whole(four, limits).requests.size() == 1);
        std::string five = "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n";
        CHECK(error_of(five, limits) == 431);
    }
    SECTION("body_bytes_max") {
        Limits limits;
        limits.body_bytes_max = 10;
        Outcome ok = parse_whole("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", limits);
        REQUIRE(ok.requests.size() == 1);
        CHECK(ok.requests[0].body == "0123456789");
        CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n01234567890", limits) == 413);
    }
    SECTION("target_bytes_max") {
        Limits limits;
        limits.target_bytes_max = 8;
        Outcome ok = parse_whole("GET /2345678 HTTP/1.1\r\nHost: h\r\n\r\n", limits);
        REQUIRE(ok.requests.size() == 1);
        CHECK(ok.requests[0].target == "/2345678");
        CHECK(error_of("GET /23456789 HTTP/1.1\r\nHost: h\r\n\r\n", limits) == 414);
    }
}

TEST_CASE("http: keep-alive rules", "[http]") {
    auto keep_alive = [](std::string_view version, std::string_view connection) {
        std::string wire = "GET / " + std::string(version) + "\r\nHost: h\r\n";
        if (!connection.empty()) wire += "Connection: " + std::string(connection) + "\r\n";
        Outcome out = parse_whole(wire + "\r\n");
        REQUIRE(out.requests.size() == 1);
        return out.requests[0].keep_alive;
    };
    CHECK(keep_alive("HTTP/1.1", ""));
    CHECK(keep_alive("HTTP/1.1", "keep-alive"));
    CHECK_FALSE(keep_alive("HTTP/1.1", "close"));
    CHECK_FALSE(keep_alive("HTTP/1.1", "Upgrade, CLOSE"));
    CHECK(keep_alive("HTTP/1.1", "upgrade"));
    CHECK_FALSE(keep_alive("HTTP/1.0", ""));
    CHECK(keep_alive("HTTP/1.0", "Keep-Alive"));
    CHECK(keep_alive("HTTP/1.0", "foo ,keep-alive"));
    CHECK_FALSE(keep_alive("HTTP/1.0", "close"));
    CHECK_FALSE(keep_alive("HTTP/1.0", "keep-alive, close"));
    CHECK_FALSE(keep_alive("HTTP/1.0", "keep-alives"));

    // Two Connection headers are one list.
    Outcome two = parse_whole("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n");
    REQUIRE(two.requests.size() == 1);
    CHECK_FALSE(two.requests[0].keep_alive);
}

TEST_CASE("http: header lookup is case-insensitive", "[http]") {
    Outcome out = parse_whole("GET / HTTP/1.1\r\nHost: h\r\nX-Trace-Id: one\r\nx-trace-id: two\r\nEmpty:\r\n\r\n");
    REQUIRE(out.requests.size() == 1);
    Request r;
    r.headers = out.requests[0].headers;
    CHECK(r.header("x-trace-id") == "one");  // the first of duplicates
    CHECK(r.header("X-TRACE-ID") == "one");
    CHECK(r.header("HOST") == "h");
    CHECK(r.header("empty") == "");
    CHECK_FALSE(r.header("x-trace").has_value());
    CHECK_FALSE(r.header("missing").has_value());
}

TEST_CASE("http: take() resets the parser for the next request", "[http]") {
    RequestParser parser;
    REQUIRE(feed_all(parser, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nA") == Status::done);
    CHECK(parser.take().body == "A");
    REQUIRE(feed_all(parser, "GET /next HTTP/1.0\r\n\r\n") == Status::done);
    Request r = parser.take();
    CHECK(r.target == "/next");
    CHECK(r.body.empty());
    CHECK(r.headers.empty());
    CHECK_FALSE(r.keep_alive);
}

namespace {

// Splits a serialized response into status line, header lines and body.
struct ResponseShape {
    std::string status_line;
    std::vector<std::string> header_lines;
    std::string body;
};

ResponseShape shape_of(const std::string& wire) {
    ResponseShape shape;
    std::size_t head_end = wire.find("\r\n\r\n");
    REQUIRE(head_end != std::string::npos);
    std::string head = wire.substr(0, head_end + 2);
    shape.body = wire.substr(head_end + 4);
    std::size_t pos = 0;
    bool first = true;
    while (pos < head.size()) {
        std::size_t eol = head.find("\r\n", pos);
        REQUIRE(eol != std::string::npos);
        std::string line = head.substr(pos, eol - pos);
        // No stray line breaks anywhere in the head.
        REQUIRE(line.find('\r') == std::string::npos);
        REQUIRE(line.find('\n') == std::string::npos);
        if (first) {
            shape.status_line = line;
        } else {
            shape.header_lines.push_back(line);
        }
        first = false;
        pos = eol + 2;
    }
    return shape;
}

}  // namespace

TEST_CASE("http: serialize writes a well-formed response", "[http]") {
    Response response;
    response.headers = {{"Content-Type", "text/plain"}, {"X-Id", "7"}};
    response.body = "hello";
    std::string wire = weft::http::serialize(response);
    CHECK(wire ==
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Id: 7\r\nContent-Length: 5\r\n"
          "Connection: keep-alive\r\n\r\nhello");

    ResponseShape shape = shape_of(wire);
    CHECK(shape.status_line == "HTTP/1.1 200 OK");
    CHECK(shape.header_lines.size() == 4);
    CHECK(shape.body == "hello");

    SECTION("reason defaults from the status; caller's reason is kept") {
        Response not_found{404, "", {}, "", false};
        CHECK(shape_of(weft::http::serialize(not_found)).status_line == "HTTP/1.1 404 Not Found");
        Response teapot{418, "I'm a teapot", {}, "", true};
        CHECK(shape_of(weft::http::serialize(teapot)).status_line == "HTTP/1.1 418 I'm a teapot");
        Response odd{599, "", {}, "", true};
        CHECK(shape_of(weft::http::serialize(odd)).status_line == "HTTP/1.1 599 Server Error");
        Response invalid{42, "Nope", {}, "", true};
        CHECK(shape_of(weft::http::serialize(invalid)).status_line == "HTTP/1.1 500 Internal Server Error");
    }
    SECTION("framing headers are the serializer's") {
        Response r{200, "", {{"content-length", "999"}, {"Transfer-Encoding", "chunked"}, {"CONNECTION", "x"}}, "ab",
                   false};
        ResponseShape s = shape_of(weft::http::serialize(r));
        CHECK(s.header_lines == std::vector<std::string>{"Content-Length: 2", "Connection: close"});
        CHECK(s.body == "ab");
    }
    SECTION("no Content-Length or body for 204 and 304") {
        for (int status : {204, 304, 100}) {
            Response r{status, "", {}, "ignored", true};
            ResponseShape s = shape_of(weft::http::serialize(r));
            CHECK(s.header_lines == std::vector<std::string>{"Connection: keep-alive"});
            CHECK(s.body.empty());
        }
    }
}

TEST_CASE("http: CR/LF in header values cannot split a response", "[http]") {
    Response r;
    r.reason = "OK\r\nSet-Cookie: reason=1";
    r.headers = {
        {"Location", "/x\r\nSet-Cookie: evil=1\r\n\r\n<html>"},
        {"X-Lf", "a\nb"},
        {"X-Nul", std::string("a\0b", 3)},
        {"Bad\r\nName", "v"},
        {"Bad Name", "v"},
        {"", "v"},
    };
    r.body = "ok";
    std::string wire = weft::http::serialize(r);
    ResponseShape s = shape_of(wire);
    CHECK(s.status_line == "HTTP/1.1 200 OK  Set-Cookie: reason=1");
    CHECK(s.header_lines == std::vector<std::string>{
                                "Location: /x  Set-Cookie: evil=1    <html>",
                                "X-Lf: a b",
                                "X-Nul: a b",
                                "Content-Length: 2",
                                "Connection: keep-alive",
                            });
    CHECK(s.body == "ok");
    CHECK(wire.find("\r\nSet-Cookie") == std::string::npos);
}

TEST_CASE("http: error_response closes and explains", "[http]") {
    RequestParser parser;
    REQUIRE(feed_all(parser, "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n") == Status::error);
    Response r = weft::http::error_response(parser.error_status(), parser.error_message());
    CHECK(r.status == 501);
    CHECK_FALSE(r.keep_alive);
    ResponseShape s = shape_of(weft::http::serialize(r));
    CHECK(s.status_line == "HTTP/1.1 501 Not Implemented");
    CHECK(s.body == std::string(parser.error_message()) + "\n");
    CHECK(std::find(s.header_lines.begin(), s.header_lines.end(), "Connection: close") != s.header_lines.end());
    CHECK(std::find(s.header_lines.begin(), s.header_lines.end(),
                    "Content-Length: " + std::to_string(s.body.size())) != s.header_lines.end());
}

namespace {

// A valid request, and the Parsed value it must produce.
struct Spec {
    std::string wire;
    Parsed expected;
};

rc::Gen<std::string> token_gen(std::size_t min_size) {
    static const std::string tchars =
        "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    return rc::gen::map(
        rc::gen::pair(rc::gen::elementOf(tchars), rc::gen::container<std::string>(rc::gen::elementOf(tchars))),
        [min_size](const std::pair<char, std::string>& p) {
            std::string s = p.first + p.second;
            while (s.size() < min_size) s += 'x';
            return s;
        });
}

// Header value without surrounding whitespace: visible bytes, obs-text, and
// inner spaces or tabs.
rc::Gen<std::string> value_gen() {
    return rc::gen::map(rc::gen::container<std::string>(rc::gen::oneOf(
                            rc::gen::inRange<char>('!', '~' + 1), rc::gen::element(' ', '\t'),
                            rc::gen::map(rc::gen::inRange(0x80, 0x100), [](int c) { return static_cast<char>(c); }))),
                        [](std::string v) {
                            while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
                            while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(0, 1);
                            return v;
                        });
}

// So a failing property prints the bytes it sent.
void showValue(const Spec& spec, std::ostream& os) {
    for (char c : spec.wire) {
        auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f && c != '\\') {
            os << c;
        } else {
            const char* hex = "0123456789abcdef";
            os << "\\x" << hex[u >> 4] << hex[u & 15];
        }
    }
}

Spec gen_spec() {
    Spec spec;
    Parsed& e = spec.expected;
    e.method = *rc::gen::oneOf(rc::gen::element<std::string>("GET", "POST", "PUT", "DELETE"), token_gen(1));
    e.target = "/" + *rc::gen::container<std::string>(rc::gen::inRange<char>('!', '~' + 1));
    e.version = *rc::gen::element<std::string>("HTTP/1.0", "HTTP/1.1");
    std::string eol = *rc::gen::element<std::string>("\r\n", "\n");

    std::string ows_before = *rc::gen::element<std::string>("", " ", "\t ", "  ");
    e.headers.emplace_back("Host", "example.test");
    auto extra = *rc::gen::container<std::vector<std::pair<std::string, std::string>>>(
        rc::gen::pair(token_gen(1), value_gen()));
    extra.resize(std::min<std::size_t>(extra.size(), 32));  // stay under Limits::headers_max
    for (auto& [name, value] : extra) e.headers.emplace_back("X-" + name, value);
    e.body = *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
    if (!e.body.empty() || *rc::gen::arbitrary<bool>()) {
        e.headers.emplace_back("Content-Length", std::to_string(e.body.size()));
    }
    std::string connection = *rc::gen::element<std::string>("", "close", "keep-alive", "Upgrade, Keep-Alive");
    if (!connection.empty()) e.headers.emplace_back("Connection", connection);
    e.keep_alive = connection != "close" && (e.version == "HTTP/1.1" || connection != "");

    spec.wire = e.method + " " + e.target + " " + e.version + eol;
    for (const auto& [name, value] : e.headers) spec.wire += name + ":" + ows_before + value + ows_before + eol;
    spec.wire += eol + e.body;
    return spec;
}

}  // namespace

TEST_CASE("http: any chunking of valid requests parses the same", "[http][property]") {
    rc::prop("chunked feeding == whole feeding == the requests that were sent", [] {
        std::vector<Spec> specs = *rc::gen::container<std::vector<Spec>>(rc::gen::exec(gen_spec));
        RC_PRE(!specs.empty());
        std::string wire;
        Outcome expected;
        for (const Spec& spec : specs) {
            wire += spec.wire;
            expected.requests.push_back(spec.expected);
        }
        expected.last = Status::done;

        // Room for any generated head; the limits have their own tests.
        Limits roomy;
        roomy.header_bytes_max = 1 << 20;
        Outcome whole = parse_whole(wire, roomy);
        RC_ASSERT(whole == expected);
        auto chunk_sizes = *rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(1, 20));
        RC_ASSERT(parse_stream(wire, chunk_sizes, roomy) == expected);
        RC_ASSERT(parse_bytewise(wire, roomy) == expected);
    });
}

TEST_CASE("http: any chunking of arbitrary bytes gives the same outcome", "[http][property]") {
    rc::prop("chunked feeding == whole feeding on garbage too", [] {
        // Start from a valid request and damage it, so errors come from every
        // part of the grammar, not only from the first byte.
        Spec spec = gen_spec();
        std::string wire = spec.wire;
        auto edits = *rc::gen::container<std::vector<std::pair<std::size_t, char>>>(
            rc::gen::pair(rc::gen::arbitrary<std::size_t>(), rc::gen::arbitrary<char>()));
        for (auto [at, byte] : edits) wire[at % wire.size()] = byte;
        Limits limits;
        limits.header_bytes_max = *rc::gen::inRange<std::size_t>(1, 200);
        limits.target_bytes_max = *rc::gen::inRange<std::size_t>(1, 40);
        auto chunk_sizes = *rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(1, 20));
        Outcome whole = parse_whole(wire, limits);
        RC_ASSERT(parse_stream(wire, chunk_sizes, limits) == whole);
        RC_ASSERT(parse_bytewise(wire, limits) == whole);
    });
}
