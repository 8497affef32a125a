// weft::asio — asio code on weft's scheduler, for real and in the simulator.
//
// The one change to user code: name the namespace through an alias,
//     namespace net = weft::asio;      // was: namespace net = asio;
// weft::asio holds weft's own io_context, thread_pool, strand, timers, TCP types,
// co_spawn, detached and use_future, and re-exports the rest of asio unchanged
// (awaitable, use_awaitable, post, dispatch, buffers, async_read/async_write...), which
// run on weft's types through asio's executor and stream concepts.
#pragma once

#include <asio.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/experimental/deferred.hpp>

#include "weft/asio/co_spawn.hpp"
#include "weft/asio/io_context.hpp"
#include "weft/asio/ip/tcp.hpp"
#include "weft/asio/network.hpp"
#include "weft/asio/strand.hpp"
#include "weft/asio/timer.hpp"

namespace weft::asio {

// asio, unchanged: these run on weft's types through asio's concepts.
using ::asio::any_io_executor;
using ::asio::async_compose;
using ::asio::async_initiate;
using ::asio::async_read;
using ::asio::async_read_until;
using ::asio::async_write;
using ::asio::awaitable;
using ::asio::bind_cancellation_slot;
using ::asio::bind_executor;
using ::asio::buffer;
using ::asio::cancellation_signal;
using ::asio::cancellation_slot;
using ::asio::cancellation_state;
using ::asio::cancellation_type;
using ::asio::const_buffer;
using ::asio::defer;
using ::asio::dispatch;
using ::asio::dynamic_buffer;
using ::asio::execution_context;
using ::asio::executor_work_guard;
using ::asio::get_associated_executor;
using ::asio::make_work_guard;
using ::asio::mutable_buffer;
using ::asio::post;
using ::asio::redirect_error;
using ::asio::system_error;
using ::asio::use_awaitable;
using ::asio::use_awaitable_t;
using error_code = std::error_code;
namespace error = ::asio::error;
namespace execution = ::asio::execution;
namespace experimental = ::asio::experimental;
namespace this_coro = ::asio::this_coro;

}  // namespace weft::asio
