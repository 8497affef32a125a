// Programs written once in the ordinary asio C++20-coroutine style (programs/*.inc) and
// compiled twice: against asio (programs_real.cpp) and against weft::asio
// (programs_weft.cpp); the only difference is the namespace alias `net`.
#pragma once

#include <string>

namespace weft::sim {
class Network;
}

namespace programs {
inline const char* const kNames[] = {"echo", "timeout", "fanout", "chat"};
namespace real {
std::string run(const std::string& name);
}
namespace weft_asio {
std::string run(const std::string& name);
std::string run_simulated(const std::string& name, ::weft::sim::Network& wire);
}  // namespace weft_asio
}  // namespace programs
