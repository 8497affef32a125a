// Internal helpers shared by the built-in properties: lookups over a Trace that several of
// them need (spawn sites, the threads serving an executor, who is blocked in block_on).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "weft/properties/property.hpp"

namespace weft::properties::detail {

// "file:line" of a site index ("" for none).
std::string site_str(const trace::Trace& t, std::uint32_t site);
// Spawn site of a task ("" when unknown).
std::string spawn_site(const trace::Trace& t, TaskId id);
// "task 7 (spawned at f.cpp:12 on pool)".
std::string describe_task(const trace::Trace& t, TaskId id);
// "ms" with three decimals: 1500000 -> "1.500 ms".
std::string format_ms(Nanos d);
// Threads that ran jobs of executor `e`, or whose name is the executor's ("ui") or one of its
// workers ("pool-3"); ascending.
std::vector<trace::ThreadIndex> threads_of(const trace::Trace& t, ObjectId e);
// True when `id` descends from `ancestor` (strictly) through TaskInfo::parent.
bool descends_from(const trace::Trace& t, TaskId id, TaskId ancestor);
// Appends `s` to `v` unless present or empty.
void add_unique(std::vector<std::string>& v, const std::string& s);
// A violation of `kind` established by record `index`: its time, thread, task and site.
Violation violation_at(const trace::Trace& t, std::uint32_t index, ViolationKind kind);

// One factory per property file.
std::unique_ptr<Property> make_deadlock();
std::unique_ptr<Property> make_starvation();
std::unique_ptr<Property> make_lost_exception();
std::unique_ptr<Property> make_hang();
std::unique_ptr<Property> make_cancellation();
std::unique_ptr<Property> make_misuse();
std::unique_ptr<Property> make_invariant();
std::unique_ptr<Property> make_crash();
std::unique_ptr<Property> make_limit();

}  // namespace weft::properties::detail
