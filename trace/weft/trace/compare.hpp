// Two traces compared by content: every field Trace::hash() reads (records with sites and
// texts by content, the threads' names and executors, the tasks, the executors), and every
// field of each record (so at least as strict as comparing hashes). Cheaper than hashing
// both when one execution is checked against its re-run (model/wrappers/nondeterminism).
#pragma once

#include <cstddef>

#include "weft/trace/trace.hpp"

namespace weft::trace {

bool same_content(const Trace& a, const Trace& b);
// Record x of trace a and record y of trace b say the same: every field, sites and texts by
// content (the tables of the two traces may number them differently).
bool same_record(const Trace& a, const TraceRecord& x, const Trace& b, const TraceRecord& y);
// The index of the first record where a and b differ; the shorter one's length when one
// is a prefix of the other.
std::size_t first_difference(const Trace& a, const Trace& b);

}  // namespace weft::trace
