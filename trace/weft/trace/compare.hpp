// Two traces compared by content: every field Trace::hash() reads (records with sites and
// texts by content, the threads' names and executors, the tasks, the executors), and every
// field of each record (so at least as strict as comparing hashes). Cheaper than hashing both when one execution
// is checked against its re-run (model/wrappers/nondeterminism).
#pragma once

#include "weft/trace/trace.hpp"

namespace weft::trace {

bool same_content(const Trace& a, const Trace& b);

}  // namespace weft::trace
