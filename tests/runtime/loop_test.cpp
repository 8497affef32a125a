// Event loops on real loopback sockets.
#include <catch2/catch.hpp>

#include <weft/io/loop.hpp>
#include <weft/weft.hpp>
