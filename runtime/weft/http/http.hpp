// weft::http — an incremental HTTP/1.1 request parser and response writer.
//
// Pure: no I/O, no clock, no allocation beyond the request being built, and no
// dependency on the rest of weft, so the same code runs behind the real epoll
// backend and behind the simulated network. The parser is a push parser: bytes
// arrive in chunks of any size (one byte at a time works) and the parser keeps
// whatever it needs, so the caller never has to hold bytes back.
//
// Framing is Content-Length only. Any Transfer-Encoding in a request is refused
// with 501; after any error the connection's framing is unknown and the server
// must send the error response and close.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::http {

struct Limits {
    // The whole head: request line, header lines and the blank line that ends
    // them, line endings included (and any empty lines before the request line).
    std::size_t header_bytes_max = 8192;
    std::size_t headers_max = 64;
    std::size_t body_bytes_max = 1 << 20;
    std::size_t target_bytes_max = 2048;
};

using Header = std::pair<std::string, std::string>;

struct Request {
    std::string method;
    std::string target;
    std::string version;  // "HTTP/1.0", "HTTP/1.1", ... exactly as received
    std::vector<Header> headers;  // names as received, values trimmed, in order
    std::string body;
    bool keep_alive = false;

    // Value of the first header named `name` (ASCII case-insensitive). The view
    // points into this Request and lives as long as it is not modified.
    std::optional<std::string_view> header(std::string_view name) const;
};

class RequestParser {
public:
    explicit RequestParser(Limits limits = {});

    enum class Status { need_more, done, error };

    // Parses as much of `chunk` as it can and sets `consumed` to the number of
    // bytes it used:
    //  - need_more: all of `chunk` was used (consumed == chunk.size());
    //  - done: a whole request is ready; bytes after `consumed` belong to the
    //    next pipelined request: take() it, then feed the rest again;
    //  - error: see error_status() / error_message(); reply and close.
    // Once done or error, further feeds use no bytes and return the same status
    // until take().
    Status feed(std::string_view chunk, std::size_t& consumed);

    // Moves the parsed request out and resets the parser for the next request
    // on the same connection. Meant to be called after feed() returned done.
    Request take();

    // 400 malformed, 413 body over Limits::body_bytes_max, 414 target over
    // Limits::target_bytes_max, 431 head over Limits::header_bytes_max or more
    // than Limits::headers_max headers, 501 Transfer-Encoding, 505 version
    // other than HTTP/1.x. 0 while there is no error.
    int error_status() const;
    // One line saying what was wrong; empty while there is no error.
    std::string_view error_message() const;

private:
    enum class State { request_line, header_line, body, done, error };

    void head_byte(unsigned char c);
    void end_line();
    void end_request_line();
    void end_header_line();
    void end_head();
    void fail(int status, std::string message);
    void reset();

    Limits limits_;
    State state_ = State::request_line;
    Request request_;
    // Current line without its line ending; never longer than header_bytes_max
    // because every byte stored here was counted in head_bytes_ first.
    std::string line_;
    std::size_t head_bytes_ = 0;
    bool saw_cr_ = false;  // the previous head byte was CR; only LF may follow
    // Request-line progress, so an oversized target or garbage is refused as it
    // arrives instead of after the line ends.
    std::size_t request_line_spaces_ = 0;
    std::size_t target_bytes_ = 0;
    std::size_t version_bytes_ = 0;
    unsigned http_minor_ = 0;
    std::size_t body_remaining_ = 0;
    int error_status_ = 0;
    std::string error_message_;
};

struct Response {
    int status = 200;
    std::string reason;  // empty: the standard phrase for `status`
    std::vector<Header> headers;
    std::string body;
    bool keep_alive = true;
};

// The standard reason phrase for `status`, or a generic one for its class.
std::string_view reason_phrase(int status);

// Writes an HTTP/1.1 response. serialize() owns framing: it always writes
// Content-Length (except for 1xx, 204 and 304, which RFC 9110 forbids to carry
// one and which never carry a body) and Connection (keep-alive or close), and
// drops any Content-Length, Transfer-Encoding or Connection in `headers`.
// It never lets a caller's string split the response: header names that are
// not tokens are dropped, and control characters (CR, LF, NUL, ...) in values
// and in the reason are replaced by spaces. A status outside 100..999 is
// written as 500.
std::string serialize(const Response& response);

// A plain-text response carrying `message`, with keep_alive = false: after a
// parse error the request's framing is unknown, so the connection must close.
Response error_response(int status, std::string_view message);

}  // namespace weft::http
