#include "weft/http/http.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace weft::http {

namespace {

// RFC 9110 §5.6.2 tchar.
bool is_tchar(unsigned char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return true;
    }
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

bool is_token(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

bool is_ctl(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool is_ows(char c) { return c == ' ' || c == '\t'; }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Calls f(token) for each element of a comma-separated list, skipping empty ones.
template <typename F>
void for_each_list_element(std::string_view list, F f) {
    while (!list.empty()) {
        std::size_t comma = list.find(',');
        std::string_view element = trim_ows(list.substr(0, comma));
        if (!element.empty()) f(element);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
}

}  // namespace

std::optional<std::string_view> Request::header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
        if (iequals(n, name)) return std::string_view(v);
    }
    return std::nullopt;
}

RequestParser::RequestParser(Limits limits) : limits_(limits) {}

RequestParser::Status RequestParser::feed(std::string_view chunk, std::size_t& consumed) {
    std::size_t pos = 0;
    while (pos < chunk.size() && (state_ != State::done && state_ != State::error)) {
        if (state_ == State::body) {
            std::size_t n = std::min(body_remaining_, chunk.size() - pos);
            request_.body.append(chunk.data() + pos, n);
            pos += n;
            body_remaining_ -= n;
            if (body_remaining_ == 0) state_ = State::done;
        } else {
            head_byte(static_cast<unsigned char>(chunk[pos++]));
        }
    }
    consumed = pos;
    switch (state_) {
    case State::done: return Status::done;
    case State::error: return Status::error;
    default: return Status::need_more;
    }
}

Request RequestParser::take() {
    Request out = std::move(request_);
    reset();
    return out;
}

int RequestParser::error_status() const { return error_status_; }

std::string_view RequestParser::error_message() const { return error_message_; }

void RequestParser::reset() {
    state_ = State::request_line;
    request_ = Request{};
    line_.clear();
    head_bytes_ = 0;
    saw_cr_ = false;
    request_line_spaces_ = 0;
    target_bytes_ = 0;
    version_bytes_ = 0;
    http_minor_ = 0;
    body_remaining_ = 0;
    error_status_ = 0;
    error_message_.clear();
}

void RequestParser::fail(int status, std::string message) {
    state_ = State::error;
    error_status_ = status;
    error_message_ = std::move(message);
}

void RequestParser::head_byte(unsigned char c) {
    // Counting before storing is what bounds line_ (and so memory) by the limit.
    if (++head_bytes_ > limits_.header_bytes_max) {
        return fail(431, "request head exceeds " + std::to_string(limits_.header_bytes_max) +
                             " bytes (Limits::header_bytes_max)");
    }
    if (c == '\n') {  // CRLF or bare LF (RFC 9112 §2.2 lets a recipient accept LF)
        saw_cr_ = false;
        return end_line();
    }
    if (saw_cr_) return fail(400, "bare CR in request head");
    if (c == '\r') {
        saw_cr_ = true;
        return;
    }
    if (is_ctl(c) && c != '\t') return fail(400, "control character in request head");

    if (state_ == State::request_line) {
        if (c == ' ') {
            if (line_.empty()) return fail(400, "request line starts with a space");
            if (++request_line_spaces_ > 2) {
                return fail(400, "request line is not METHOD SP target SP version");
            }
        } else if (request_line_spaces_ == 0) {
            if (!is_tchar(c)) return fail(400, "method is not a token");
        } else if (request_line_spaces_ == 1) {
            if (c == '\t' || c >= 0x80) return fail(400, "invalid byte in request target");
            if (++target_bytes_ > limits_.target_bytes_max) {
                return fail(414, "request target exceeds " + std::to_string(limits_.target_bytes_max) +
                                     " bytes (Limits::target_bytes_max)");
            }
        } else if (++version_bytes_ > 8) {
            return fail(400, "malformed HTTP version");
        }
    }
    line_.push_back(static_cast<char>(c));
}

void RequestParser::end_line() {
    if (state_ == State::request_line) {
        end_request_line();
    } else {
        end_header_line();
    }
    line_.clear();
}

void RequestParser::end_request_line() {
    // RFC 9112 §2.2: ignore empty lines before the request line (some clients
    // send a CRLF after a body). They still count against header_bytes_max.
    if (line_.empty()) return;

    std::string_view line = line_;
    std::size_t sp1 = line.find(' ');
    std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return fail(400, "request line is not METHOD SP target SP version");
    std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = line.substr(sp2 + 1);
    if (target.empty()) return fail(400, "empty request target");
    // head_byte() already checked the method's and target's bytes.

    if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !is_digit(version[5]) || version[6] != '.' ||
        !is_digit(version[7])) {
        return fail(400, "malformed HTTP version");
    }
    if (version[5] != '1') return fail(505, "HTTP version " + std::string(version.substr(5)) + " is not supported");
    http_minor_ = static_cast<unsigned>(version[7] - '0');

    request_.method = method;
    request_.target = target;
    request_.version = version;
    state_ = State::header_line;
}

void RequestParser::end_header_line() {
    if (line_.empty()) return end_head();

    std::string_view line = line_;
    if (is_ows(line.front())) {
        return fail(400, "obs-fold or whitespace before a header name");
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return fail(400, "header line without a colon");
    std::string_view name = line.substr(0, colon);
    if (!is_token(name)) return fail(400, "header name is not a token");
    if (request_.headers.size() >= limits_.headers_max) {
        return fail(431, "more than " + std::to_string(limits_.headers_max) + " headers (Limits::headers_max)");
    }
    // head_byte() already refused control characters other than HTAB.
    request_.headers.emplace_back(std::string(name), std::string(trim_ows(line.substr(colon + 1))));
}

void RequestParser::end_head() {
    std::optional<std::string_view> content_length;  // digits, leading zeros stripped
    bool transfer_encoding = false;
    bool close = false;
    bool keep_alive_token = false;
    std::size_t host_count = 0;

    for (const auto& [name, value] : request_.headers) {
        if (iequals(name, "content-length")) {
            if (value.empty() || !std::all_of(value.begin(), value.end(), is_digit)) {
                return fail(400, "Content-Length is not a decimal number");
            }
            std::string_view digits = value;
            while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
            if (content_length && *content_length != digits) {
                return fail(400, "conflicting Content-Length values");
            }
            content_length = digits;
        } else if (iequals(name, "transfer-encoding")) {
            transfer_encoding = true;
        } else if (iequals(name, "connection")) {
            for_each_list_element(value, [&](std::string_view option) {
                if (iequals(option, "close")) close = true;
                if (iequals(option, "keep-alive")) keep_alive_token = true;
            });
        } else if (iequals(name, "host")) {
            ++host_count;
        }
    }
    // RFC 9112 §3.2: a server MUST answer 400 to a request with several Host
    // headers, or to an HTTP/1.1 request without one.
    if (host_count > 1) return fail(400, "more than one Host header");
    if (host_count == 0 && http_minor_ >= 1) return fail(400, "HTTP/1.1 request without a Host header");
    if (transfer_encoding) {
        return fail(501, "Transfer-Encoding is not supported; send a Content-Length body");
    }

    std::uint64_t body_bytes = 0;
    if (content_length) {
        constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
        for (char digit : *content_length) {
            auto d = static_cast<std::uint64_t>(digit - '0');
            if (body_bytes > (max - d) / 10) {
                body_bytes = max;  // saturate: surely over the limit
                break;
            }
            body_bytes = body_bytes * 10 + d;
        }
        if (body_bytes > limits_.body_bytes_max) {
            return fail(413, "body exceeds " + std::to_string(limits_.body_bytes_max) +
                                 " bytes (Limits::body_bytes_max)");
        }
    }

    // HTTP/1.1 and later minors persist unless told to close; HTTP/1.0 only
    // when asked to. "close" wins over "keep-alive".
    request_.keep_alive = !close && (http_minor_ >= 1 || keep_alive_token);
    body_remaining_ = static_cast<std::size_t>(body_bytes);
    state_ = body_remaining_ == 0 ? State::done : State::body;
}

std::string_view reason_phrase(int status) {
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: break;
    }
    switch (status / 100) {
    case 1: return "Informational";
    case 2: return "Success";
    case 3: return "Redirection";
    case 4: return "Client Error";
    case 5: return "Server Error";
    default: return "Unknown";
    }
}

namespace {

// Appends `s` with every control character but HTAB turned into a space, then
// trimmed, so no caller-supplied string can end a line of the head.
void append_field_text(std::string& out, std::string_view s) {
    std::size_t start = out.size();
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        out.push_back(is_ctl(u) && c != '\t' ? ' ' : c);
    }
    std::size_t end = out.size();
    while (end > start && is_ows(out[end - 1])) --end;
    out.resize(end);
    std::size_t first = start;
    while (first < out.size() && is_ows(out[first])) ++first;
    out.erase(start, first - start);
}

}  // namespace

std::string serialize(const Response& response) {
    int status = (response.status >= 100 && response.status <= 999) ? response.status : 500;
    bool has_body = !(status < 200 || status == 204 || status == 304);

    std::string out;
    out.reserve(128 + response.body.size());
    out += "HTTP/1.1 ";
    out += std::to_string(status);
    out += ' ';
    if (response.reason.empty() || status != response.status) {
        out += reason_phrase(status);
    } else {
        append_field_text(out, response.reason);
    }
    out += "\r\n";
    for (const auto& [name, value] : response.headers) {
        if (!is_token(name) || iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
            iequals(name, "connection")) {
            continue;
        }
        out += name;
        out += ": ";
        append_field_text(out, value);
        out += "\r\n";
    }
    if (has_body) {
        out += "Content-Length: ";
        out += std::to_string(response.body.size());
        out += "\r\n";
    }
    out += response.keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    out += "\r\n";
    if (has_body) out += response.body;
    return out;
}

Response error_response(int status, std::string_view message) {
    Response response;
    response.status = status;
    response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    response.body.assign(message);
    response.body += '\n';
    response.keep_alive = false;
    return response;
}

}  // namespace weft::http
