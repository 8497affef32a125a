// The scenarios' database and gateways are the simulator's fake Service.
#pragma once

#include "weft/sim/service.hpp"

namespace weft::scenarios {
using sim::Request;
using sim::Response;
using sim::Service;
using sim::ServiceError;
using sim::ServiceOptions;
}  // namespace weft::scenarios
