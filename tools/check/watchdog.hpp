// weft::check's watchdog (watchdog.cpp): explores on a thread of its own; an execution that
// makes no progress for `watchdog_s` seconds of wall time becomes a hang finding, and the
// stuck explorer thread is abandoned.
#pragma once

#include "weft/model/explorer.hpp"

namespace weft::detail {

model::ExploreReport explore_watched(const model::ExploreOptions& options, const model::Body& body,
                                     const model::Checker& checker, double watchdog_s);

}  // namespace weft::detail
