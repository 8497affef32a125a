#include "weft/io/net.hpp"

namespace weft::io {

NetError::NetError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}

}  // namespace weft::io
