// One model of a finding, shared by every view (lanes graph, sequence diagram, Mermaid, the
// interleaving table, the timeline): who is who (names), what happened before what
// (happens-before edges), what makes the violation (red), and what the picture focuses on.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "weft/render/render.hpp"

namespace weft::render::detail {

using sim::ThreadIndex;
using sim::Trace;
using sim::TraceRecord;

// reads: a weft::Shared variable's write -> a read of another task that saw its value.
enum class Edge : std::uint8_t { spawn, queued, done, timer, io, mutex, exception, wait_for, lost, permit, message, reads };

struct RecordEdge {
  std::uint32_t from;
  std::uint32_t to;
  Edge kind;
  std::string label;  // empty: the kind's label
};

struct Model {
  const Trace& t;
  const Violation* v = nullptr;  // null: a passing run
  bool focused = false;          // false: every record is shown
  std::vector<bool> key;         // red: the records that make the violation
  std::vector<bool> keep;        // shown by the focused views
  std::vector<bool> involved;    // records of the violation's tasks: never folded into a run
  std::vector<bool> anchor;      // drawn on their own, not red: who took the objects the violation waits for,
                                 // an invariant's racing accesses up to it
  std::set<ThreadIndex> red_threads;
  std::vector<RecordEdge> hb;        // happens-before between records on different threads
  std::vector<RecordEdge> culprit;   // the red edges: wait-for cycle / chain, spawn -> lost exception
  std::size_t hidden_records = 0;    // records the focus leaves out
  std::set<TaskId> hidden_tasks;     // tasks with no record shown
  std::set<ThreadIndex> hidden_threads;
  std::map<TaskId, std::string> task_names;     // names as drawn (a namespace they all share left out)
  std::map<TaskId, std::string> full_task_names; // given names (the spawn record's text)
  std::map<ObjectId, std::string> object_names; // given names (object_create)
  std::map<ObjectId, std::string> object_kinds; // "mutex", "semaphore", ... when known
  std::map<ObjectId, std::uint32_t> object_sites; // declaration sites (object_create)
  std::map<ObjectId, std::string> object_labels;  // what object() says, ids added where labels collide
  std::set<std::string> shared_task_names;        // names several tasks carry: shown with the id

  Model(const Trace& trace, const Violation* violation) : t(trace), v(violation) {}

  std::string task(TaskId id) const;       // "load_profile" or "task 2"
  // 'mutex "cache"' when named, else the kind and its declaration site ("semaphore at
  // pool.cpp:12"), else "mutex #3"; "object #3" when not even the kind is known.
  std::string object(ObjectId id) const;
  std::string object_kind(ObjectId id) const;  // "mutex", "semaphore", ..., "object"
  // Objects the shown records touch (sync objects with an id), in order of first appearance.
  std::vector<ObjectId> shown_objects() const;
  std::string thread(ThreadIndex i) const;
  std::string site(std::uint32_t site) const;        // "scenarios/src/x.cpp:12" (relative)
  std::string short_site(std::uint32_t site) const;  // "x.cpp:12"
  std::string headline(const TraceRecord& r) const;  // what happened, in words, names resolved
  std::string specifics(const TraceRecord& r) const; // the other party and the numbers (plain text)
  std::string hidden_summary() const;                // "412 other events on 6 tasks, 2 threads"
};

// A block of `period` records of a sequence repeated `reps` times in a row (reps == 1: one
// record, no repetition).
struct Repeat {
  std::size_t begin;
  std::size_t period;
  std::size_t reps;
};
// `seq` (record indices) cut into pieces: maximal consecutive repetitions of a block of at most
// `period_max` records (same kind, task, site and text), none of them pinned; the rest one by one.
std::vector<Repeat> find_repeats(const Trace& t, const std::vector<std::uint32_t>& seq, const std::vector<bool>& pinned,
                                 std::size_t period_max);

// The story the sequence views and the interleaving table tell: one actor per task (or per
// thread for steps outside any task), one step per record that matters, messages between
// actors along happens-before, the culprit in red.
struct Actor {
  TaskId task = 0;          // 0: a thread outside any task
  ThreadIndex thread = 0;
  std::string name;
};
struct Step {
  std::vector<std::uint32_t> records;  // one record, or a repeated block (period x reps)
  std::size_t period = 1;
  std::size_t reps = 1;
  std::size_t actor = 0;
  bool red = false;
};
struct Message {
  std::size_t from_step;
  std::size_t to_step;
  std::size_t at_step;  // where a sequence diagram draws it: the later of the two
  Edge kind;
  std::string label;
  bool red = false;
};
struct Story {
  std::vector<Actor> actors;
  std::vector<Step> steps;
  std::vector<Message> messages;  // ordered by at_step
  std::size_t dropped_steps = 0;  // beyond the row limit
};
Story build_story(const Model& m, std::size_t steps_max = 48);
// A step in words without its actor's name ("timer armed, deadline 40 ms"), or the repeated block.
std::string step_text(const Model& m, const Story& s, const Step& st);
// Why the scheduler left the previous actor before this step: "on_click blocks", "preempted"...
std::string switch_reason(const Model& m, const Story& s, std::size_t step);

// `full`: no focus (every record kept).
Model build_model(const Trace& t, const Violation* v, bool full);

// Absolute source paths inside free text (messages, details) made relative; "path:line" too.
std::string relative_text(const std::string& s);
std::string relative_location(const std::string& loc);

// The violation's message without a leading "<kind>: " (repeated): the kind is said once.
std::string message_without_kind(const Violation& v);
// "deadlock: ui waits for load_profile" — kind once, then the message.
std::string violation_line(const Violation& v);

// Steps that only move a task along (nothing blocked, failed, timed or awaited across threads).
bool is_routine(const TraceRecord& r);
// The kind of object a record acts on ("mutex" for mutex_wait, ...), null when the record kind
// does not tell (channel_wait / channel_wake serve every waitable object) or is not a sync step.
const char* sync_kind(EventKind k);
// A record whose `object` is a synchronisation object or a weft::Shared variable (not an
// executor, a work kind, a stop source): the objects the views list and name.
bool is_sync(const TraceRecord& r);
bool is_faulted_complete(const TraceRecord& r);
// The `object_create` record of the naming contract, recognised by name so that traces from
// runtimes with or without it render alike.
bool is_object_create(EventKind k);

// At most `max` code points of `s`, with an ellipsis when cut.
std::string truncate(std::string_view s, std::size_t max);
// Text for an HTML / SVG / HTML-like DOT label: entities for markup characters, controls as spaces.
std::string html(std::string_view s);

}  // namespace weft::render::detail
