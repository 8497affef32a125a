// The trace types moved to weft::trace (weft/trace/trace.hpp); this header keeps old
// includes working. sim::Trace and the other sim:: names remain.
#pragma once

#include "weft/trace/result.hpp"
#include "weft/trace/trace.hpp"
