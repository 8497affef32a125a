// The wait-for graph moved to weft::trace (weft/trace/waits.hpp); this header keeps old
// includes working. sim::WaitGraph remains.
#pragma once

#include "weft/trace/waits.hpp"
