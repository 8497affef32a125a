#!/usr/bin/env bash
# The documented Slurm recipe on a real, single-node Slurm cluster.
#
# usage: tests/tools/slurm_test.sh PATH/TO/weft SOURCE_DIR
#
# Starts munged, slurmctld and slurmd (Debian's munge and slurm-wlm) on localhost, each
# with its own key, slurm.conf, ports, pid files, state and logs in a temporary
# directory; submits tools/weft/slurm/campaign.sbatch as a 4-task array and
# tools/weft/slurm/merge.sbatch after it (--dependency=afterany), as tools/weft/CAMPAIGNS.md
# says; waits for the queue to empty; then checks that the 4 shards ran exactly the seeds
# of an unsharded run of the same campaign, that the merged campaign found the same
# signatures with the same counts, and that each shard had the CPUs Slurm gave it. The
# daemons are stopped on every exit path. Exit 77 (skipped) if the packages are absent.
# WEFT_KEEP=1 keeps the temporary directory (logs of the daemons and of the jobs).
set -u

WEFT=${1:?usage: slurm_test.sh PATH/TO/weft SOURCE_DIR}
SRC=${2:?usage: slurm_test.sh PATH/TO/weft SOURCE_DIR}
[[ -x $WEFT ]] || { echo "FAIL: $WEFT is not executable"; exit 1; }
WEFT=$(cd "$(dirname "$WEFT")" && pwd)/$(basename "$WEFT")
SRC=$(cd "$SRC" && pwd)
SBATCH_DIR=$SRC/tools/weft/slurm

failures=0
passes=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; passes=$((passes + 1)); }

# 1. The recipe in CAMPAIGNS.md is the one this test runs: its Slurm scripts are shown
#    there verbatim (checked before any skip, so a stale document fails everywhere).
for f in campaign.sbatch merge.sbatch; do
  shown=$(awk -v f="tools/weft/slurm/$f" '
    index($0, "`" f "`:") == 1 {want = 1; next}
    want && /^```/ {if (inside) exit; inside = 1; next}
    want && inside {print}' "$SRC/tools/weft/CAMPAIGNS.md")
  [[ -n $shown ]] || { fail "CAMPAIGNS.md does not show $f"; continue; }
  [[ $shown == "$(cat "$SBATCH_DIR/$f")" ]] && pass "CAMPAIGNS.md shows $f as it is" \
    || fail "CAMPAIGNS.md's $f differs from tools/weft/slurm/$f: $(diff <(echo "$shown") "$SBATCH_DIR/$f" | head -4 | tr '\n' ' ')"
done

missing=()
for b in munged mungekey slurmctld slurmd sbatch squeue sinfo scontrol scancel srun; do
  command -v "$b" >/dev/null || missing+=("$b")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "SKIP: Slurm is not installed (no ${missing[*]}): apt-get install slurm-wlm munge"
  [[ $failures -eq 0 ]] && exit 77 || exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: slurmd launches jobs as their user, so this test needs root (it is root in CI)"
  [[ $failures -eq 0 ]] && exit 77 || exit 1
fi

# Nothing of an enclosing Slurm job or of another scheduler may leak into ours.
while read -r v; do unset "$v"; done < <(env | sed -n 's/^\(SLURM_[A-Za-z0-9_]*\)=.*/\1/p')
unset WEFT_SHARD JOB_COMPLETION_INDEX WEFT_SHARD_COUNT SBATCH_ARRAY_INX

TMP=$(mktemp -d "${TMPDIR:-/tmp}/weft-slurm.XXXXXX")
chmod 755 "$TMP"
export SLURM_CONF=$TMP/slurm.conf
pidfiles=("$TMP/slurmd.pid" "$TMP/slurmctld.pid" "$TMP/munge/munged.pid")
cleanup() {
  # Jobs first (their steps are slurmd's), then the daemons, each by its own pid file.
  if [[ -f $TMP/slurmctld.pid ]]; then
    scancel --quiet --user=root >/dev/null 2>&1
    for _ in $(seq 1 50); do [[ -z $(squeue -h 2>/dev/null) ]] && break; sleep 0.2; done
    scontrol shutdown >/dev/null 2>&1
  fi
  for f in "${pidfiles[@]}"; do
    [[ -f $f ]] || continue
    local pid
    pid=$(cat "$f" 2>/dev/null)
    [[ $pid =~ ^[0-9]+$ ]] || continue
    kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  done
  # A step that outlived its slurmd (slurmstepd and the job's processes) still holds
  # files or its working directory in $TMP: those, and only those, are ours to end.
  cd / || true
  local p strays=()
  for p in /proc/[0-9]*; do
    [[ ${p#/proc/} == "$$" || ${p#/proc/} == "$BASHPID" ]] && continue
    if [[ $(readlink "$p/cwd" 2>/dev/null) == "$TMP"* ]] \
      || find "$p/fd" -maxdepth 1 -lname "$TMP/*" 2>/dev/null | grep -q .; then strays+=("${p#/proc/}"); fi
  done
  if [[ ${#strays[@]} -gt 0 ]]; then
    echo "ending processes left in $TMP: ${strays[*]}"
    kill -TERM "${strays[@]}" 2>/dev/null; sleep 1; kill -KILL "${strays[@]}" 2>/dev/null
  fi
  if [[ ${WEFT_KEEP:-0} == 1 ]]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The unsharded campaign the cluster must reproduce: two targets whose findings depend on
# the seed (block-on-under-load deadlocks in about 60% of them) and one clean fix. Without
# coverage feedback: with it, a seed's execution depends on the corpus of the job that ran
# it, and 4 shards of 2 jobs are not the 2 jobs of the unsharded run, so the counts would
# differ (the seeds explored would not).
CAMPAIGN="block-on-under-load when-any-leak capture-context.fix --iterations 1000 --seed 4242 --feedback off"
read -ra campaign <<<"$CAMPAIGN"
"$WEFT" fuzz "${campaign[@]}" --jobs 2 --out "$TMP/unsharded" >"$TMP/unsharded.log" 2>&1
rc=$?
[[ $rc -eq 1 ]] && pass "unsharded campaign: exit 1 (findings)" || { fail "unsharded campaign: exit $rc"; cat "$TMP/unsharded.log"; }

# A free TCP port on 127.0.0.1 (nothing accepts a connection on it).
free_port() {
  local p
  for p in $(seq "$1" "$(($1 + 200))"); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  echo "$1"
}
ctl_port=$(free_port $((20000 + $$ % 20000)))
d_port=$(free_port $((ctl_port + 1)))
host=$(hostname -s)
cpus=$(nproc)

mkdir -p "$TMP/munge" "$TMP/state" "$TMP/spool" "$TMP/log" "$TMP/runs" "$TMP/submit"
chmod 700 "$TMP/state"
mungekey --create --keyfile="$TMP/munge/munge.key" || { fail "mungekey"; exit 1; }
chmod 600 "$TMP/munge/munge.key"
munged --force --socket="$TMP/munge/socket" --key-file="$TMP/munge/munge.key" \
  --pid-file="$TMP/munge/munged.pid" --seed-file="$TMP/munge/seed" --log-file="$TMP/log/munged.log" \
  || { fail "munged did not start: $(tail -3 "$TMP/log/munged.log")"; exit 1; }

# No cgroups, no systemd, no accounting database: processes are tracked through /proc,
# and task/affinity pins each task to the CPUs it was given (sched_setaffinity).
cat >"$SLURM_CONF" <<EOF
ClusterName=weft-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctl_port
SlurmdPort=$d_port
AuthType=auth/munge
AuthInfo=socket=$TMP/munge/socket
CredType=cred/munge
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/log/slurmctld.log
SlurmdLogFile=$TMP/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=weft Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -c >"$TMP/log/slurmctld.out" 2>&1 || { fail "slurmctld did not start: $(tail -3 "$TMP/log/slurmctld.log")"; exit 1; }
slurmd >"$TMP/log/slurmd.out" 2>&1 || { fail "slurmd did not start: $(tail -3 "$TMP/log/slurmd.log")"; exit 1; }
state=
for _ in $(seq 1 150); do
  state=$(sinfo -h -N -o '%t' 2>/dev/null | head -1)
  [[ $state == idle ]] && break
  sleep 0.2
done
if [[ $state == idle ]]; then
  pass "single-node Slurm is up: $host with $cpus CPUs is idle"
else
  fail "the node is not idle after 30 s (state '$state')"
  tail -5 "$TMP/log/slurmctld.log" "$TMP/log/slurmd.log"
  exit 1
fi

# 2. The recipe: the array (4 shards, 2 CPUs each where there are 2), then the merge once
#    it has ended.
cpt=$((cpus >= 2 ? 2 : 1))
cd "$TMP/submit" || exit 1
export WEFT WEFT_RUNS=$TMP/runs WEFT_FUZZ=$CAMPAIGN
array=$(sbatch --parsable --array=0-3 --cpus-per-task=$cpt --time=10 "$SBATCH_DIR/campaign.sbatch")
array=${array%%;*}
[[ $array =~ ^[0-9]+$ ]] || { fail "sbatch campaign.sbatch: '$array'"; exit 1; }
merge=$(sbatch --parsable --dependency=afterany:"$array" --export=ALL,WEFT_ARRAY_JOB="$array" "$SBATCH_DIR/merge.sbatch")
merge=${merge%%;*}
[[ $merge =~ ^[0-9]+$ ]] && pass "submitted array job $array and merge job $merge" || { fail "sbatch merge.sbatch: '$merge'"; exit 1; }
queue=x
for _ in $(seq 1 600); do
  queue=$(squeue -h -o '%i %T' 2>/dev/null)
  [[ -z $queue ]] && break
  sleep 0.5
done
[[ -z $queue ]] && pass "the queue emptied" || { fail "jobs still queued after 300 s: $queue"; exit 1; }

# Every job ended COMPLETED (exit 1 for findings is not a failure in the scripts).
states=$(scontrol -o show job 2>/dev/null | sed -n 's/.*JobId=\([0-9]*\) .*JobState=\([A-Z_]*\) .*ExitCode=\([0-9:]*\).*/\1 \2 \3/p' | sort)
[[ $(grep -c ' COMPLETED 0:0$' <<<"$states") -eq 5 && $(wc -l <<<"$states") -eq 5 ]] \
  && pass "the 4 array tasks and the merge job COMPLETED" || fail "job states: $(tr '\n' ',' <<<"$states")"

RUN=$TMP/runs/$array
field() { sed -n "s/^$2: //p" "$1/summary.txt" | head -1; }
seeds_of() { cat "$@" 2>/dev/null | sort -n; }
for k in 0 1 2 3; do
  d=$RUN/shard-$k
  if [[ ! -f $d/summary.txt ]]; then
    fail "shard $k wrote no summary"; cat "$TMP/submit/weft-fuzz-${array}_$k.log" 2>/dev/null | tail -5; continue
  fi
  [[ $(field "$d" shard) == "$k/4" ]] && pass "array task $k ran shard $k/4" || fail "shard-$k: shard '$(field "$d" shard)'"
  # The task is pinned to the CPUs it was given, and weft runs one job on each.
  [[ $(field "$d" jobs) -eq $cpt ]] && pass "shard $k ran $cpt jobs (--cpus-per-task=$cpt)" \
    || fail "shard $k: jobs $(field "$d" jobs), want $cpt (--cpus-per-task=$cpt)"
done
seeds_of "$TMP"/unsharded/jobs/*.seeds >"$TMP/unsharded.seeds"
seeds_of "$RUN"/shard-*/jobs/*.seeds >"$TMP/sharded.seeds"
[[ -s $TMP/unsharded.seeds ]] && cmp -s "$TMP/unsharded.seeds" "$TMP/sharded.seeds" \
  && pass "the 4 shards ran exactly the seeds of the unsharded run ($(wc -l <"$TMP/sharded.seeds") seed logs lines)" \
  || fail "sharded seeds differ: $(diff "$TMP/unsharded.seeds" "$TMP/sharded.seeds" | head -4 | tr '\n' ' ')"

M=$RUN/merged
if [[ -f $M/summary.txt && -f $M/summary.json ]]; then
  pass "merge.sbatch wrote $M/summary.txt"
  for k in executions seeds crashes hangs; do
    [[ $(field "$M" $k) == "$(field "$TMP/unsharded" $k)" ]] && pass "merged $k = unsharded $k ($(field "$M" $k))" \
      || fail "merged $k $(field "$M" $k), unsharded $(field "$TMP/unsharded" $k)"
  done
  [[ $(field "$M" shards) == "0/4 1/4 2/4 3/4" ]] && pass "merged shards 0/4..3/4" || fail "merged shards '$(field "$M" shards)'"
  # The same signatures and the same violations in all (counted in a finding, or as unshrunk
  # once a job's shrinking budget for the signature is spent: which paths a job shrinks
  # depends on what that job met before, so shapes and per-finding counts may differ).
  sigs() { for f in "$1"/findings/*/finding.txt; do [[ -f $f ]] && sed -n 's/^signature: //p' "$f"; done | sort -u; }
  violations() { local n; n=$(field "$1" unshrunk_hits); n=${n:-0}
    for f in "$1"/findings/*/finding.txt; do [[ -f $f ]] && n=$((n + $(sed -n 's/^count: //p' "$f"))); done; echo "$n"; }
  sigs "$TMP/unsharded" >"$TMP/unsharded.sigs"
  sigs "$M" >"$TMP/merged.sigs"
  [[ -s $TMP/unsharded.sigs ]] && cmp -s "$TMP/unsharded.sigs" "$TMP/merged.sigs" \
    && [[ $(violations "$M") == "$(violations "$TMP/unsharded")" ]] \
    && pass "merged findings = unsharded findings: signatures $(tr '\n' ';' <"$TMP/merged.sigs") and $(violations "$M") violations" \
    || fail "findings differ: $(diff "$TMP/unsharded.sigs" "$TMP/merged.sigs" | tr '\n' ' ') violations $(violations "$M") vs $(violations "$TMP/unsharded")"
  # The merged corpus is the union of the shards'.
  union=$(ls "$RUN"/shard-*/corpus | grep '\.weft$' | sort -u | wc -l)
  [[ $(ls "$M/corpus" | wc -l) -eq $union && $union -gt 0 ]] && pass "merged corpus: the union of the shards' ($union)" \
    || fail "merged corpus $(ls "$M/corpus" | wc -l), union of the shards' $union"
else
  fail "no merged summary in $M"; cat "$TMP"/submit/weft-merge-*.log 2>/dev/null | tail -5
fi

echo "slurm: $passes passed, $failures failed"
[[ $failures -eq 0 ]]
