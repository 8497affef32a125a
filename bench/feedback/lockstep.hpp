// A bug behind N lucky orderings in a row, each opening code no other ordering reaches:
// the shape coverage feedback is for (bench/feedback, tests/model/feedback_test.cpp).
//
// A server posts rounds 1..N into a mailbox; a client follows. In round i the client,
// after a hop, reads the mailbox under its lock: if it sees round i posted (the server
// exactly one round ahead), it takes round i's fast path -- the round's own lock, which the
// server takes too when it posts round i -- and goes on to round i + 1; otherwise it falls
// back to the slow path and stops. A client that took the fast path N times in a row
// switches to a pipelined mode that trusts the next post without reading it under the
// lock: the invariant fails. The twin keeps reading under the lock (the pipelined mode
// checks the mailbox like every round did), so it never fails.
//
// A random walk must win every round's race in one execution (about 0.4^N). With
// coverage feedback, the execution that first wins round i is new coverage (the client
// and the server meet on round i's lock for the first time), enters the corpus, and its
// mutations keep the prefix that won rounds 1..i.
#pragma once

namespace weft::feedback_bench {

// rounds >= 1; fixed selects the twin.
void lockstep(int rounds, bool fixed);

}  // namespace weft::feedback_bench
