// A program for the grouping of campaign findings (tests/tools/shapes_test.sh): two bugs
// behind one message, and noise that gives each of them many paths.
//
// Two accounts are debited by pool tasks that check the balance, do some synchronous work,
// then debit: check-then-act without a lock. Two debits of one account both pass the check
// only if the first is preempted between its check and its debit. The debit of the main
// account (debit_main) and the reversal of a refund (reverse_refund) make that mistake in
// two places; both end in the same check_balance, so their violations have one message and
// one signature, yet they are two bugs (fixing one leaves the other). Two noise tasks on
// the same pool do unrelated work, so the executions that find either bug interleave in
// many different ways.
#include <weft/properties/invariant.hpp>
#include <weft/scenarios/scenario.hpp>
#include <weft/sim/sim.hpp>
#include <weft/weft.hpp>

using namespace weft;

namespace {

struct Account {
  int balance = 10;
};

void check_balance(const Account& a) { invariant("balance never negative", a.balance >= 0); }

void debit_main(Account* a, bool fixed) {
  if (a->balance >= 10) {
    if (!fixed) cpu_work(0);  // a log call between the check and the debit
    a->balance -= 10;
  }
  check_balance(*a);
}

void reverse_refund(Account* a, bool fixed) {
  if (a->balance >= 10) {
    if (!fixed) cpu_work(0);  // the same mistake, elsewhere
    a->balance -= 10;
  }
  check_balance(*a);
}

void noise(int* counter) {
  for (int i = 0; i < 3; ++i) {
    ++*counter;
    cpu_work(0);
  }
}

Task<void> run(std::function<void()> f) {
  f();
  co_return;
}

void accounts(bool fixed) {
  ThreadPool pool(2, "pool");
  Account main_account, refunds;
  int n1 = 0, n2 = 0;
  std::vector<JoinHandle<void>> tasks;
  tasks.push_back(spawn(pool, run([&] { noise(&n1); })));
  tasks.push_back(spawn(pool, run([&] { debit_main(&main_account, fixed); })));
  tasks.push_back(spawn(pool, run([&] { reverse_refund(&refunds, fixed); })));
  tasks.push_back(spawn(pool, run([&] { debit_main(&main_account, fixed); })));
  tasks.push_back(spawn(pool, run([&] { reverse_refund(&refunds, fixed); })));
  tasks.push_back(spawn(pool, run([&] { noise(&n2); })));
  for (auto& t : tasks) t.join();
}

scenarios::Register reg(scenarios::Scenario{"two-accounts", ViolationKind::invariant,
                                            "two check-then-act debits, one message, two places",
                                            [] { accounts(false); }, [] { accounts(true); }, {}});
}  // namespace
