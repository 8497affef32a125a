// The public umbrella header of the weft runtime.
#pragma once

#include "weft/affinity.hpp"
#include "weft/cancel.hpp"
#include "weft/executor.hpp"
#include "weft/platform.hpp"
#include "weft/shared.hpp"
#include "weft/spawn.hpp"
#include "weft/sync.hpp"
#include "weft/task.hpp"
#include "weft/task_group.hpp"
#include "weft/thread_pool.hpp"
#include "weft/timer.hpp"
#include "weft/when.hpp"
#include "weft/yield.hpp"
