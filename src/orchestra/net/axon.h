#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "orchestra/core/deadline.h"
#include "orchestra/core/result.h"
#include "orchestra/net/http_message.h"
#include "orchestra/net/http_server.h"
#include "orchestra/net/metagraph_source.h"
#include "orchestra/protocol/bittensor_synapse.h"

namespace orchestra::net {

namespace internal {
struct AxonState;  // defined in axon.cc
}  // namespace internal

// Answers one verified request of a synapse class: receives the synapse parsed from the body
// and returns it filled in. `deadline` is the synapse timeout counted from the request's
// arrival; past it the axon answers 408 and cancels the handler (terminal cancellation).
// Errors map to statuses: kDeadline → 408; kInvalidArgument, kSchemaViolation, kParse → 422
// with the error's message; anything else → 500 (the message is logged, not sent). Runs on the
// connection's executor and must be safe to call concurrently.
using SynapseHandler = std::function<asio::awaitable<Result<protocol::BittensorSynapse>>(
    protocol::BittensorSynapse request, Deadline deadline)>;

// Where the axon builds a request's subclass fields (BittensorSynapse::fields).
enum class FieldMemory {
  // On the heap: the handler may keep the fields, or copies of them, as long as it likes.
  kHeap,
  // On an arena that lives for one call, until its answer is serialized (or, when the handler
  // overruns its deadline, until the handler returns): some fifty allocations fewer per call,
  // which the expert simulator's throughput needs. Values the handler puts into the fields are
  // copied onto the arena. A copy of a JSON value keeps its source's storage, so a handler that
  // keeps a field, or a copy of one, past its call must copy it onto the heap:
  // Json(value, boost::json::storage_ptr()).
  kCallArena,
};

// Who may call (Bittensor's template gating). Unregistered hotkeys are always refused unless
// allow_unregistered; registered ones need a validator permit when require_validator_permit and
// at least min_stake.
struct BlacklistPolicy {
  bool allow_unregistered = false;
  bool require_validator_permit = true;
  double min_stake = 0.0;
};

struct AxonOptions {
  // The axon's own hotkey (SS58): dendrites sign messages naming it.
  std::string hotkey;
  // Listening address and port, request body limit (413), header read timeout, bounded
  // connections (503 beyond max_connections): all enforced by the HttpServer.
  ServerOptions server;
  BlacklistPolicy blacklist;
  // Handlers running at once; verified requests beyond it wait in a queue ordered by the
  // caller's stake (FIFO among equals). A request arriving at a full queue displaces the
  // lowest-priority waiter if it outranks it, else it gets 503; the displaced one gets 503.
  size_t max_concurrent_handlers = 64;
  size_t max_queued_requests = 256;
  // Synapse timeouts above this are clamped to it, both as the handler deadline and in the
  // nonce window (so a caller cannot widen the replay window at will).
  double max_timeout_seconds = 300.0;
  // Endpoints (hotkey:uuid) whose last nonce is remembered; when exceeded, entries too old to
  // matter any more (older than the widest nonce window) are dropped. No entry is dropped
  // earlier: that would let its request be replayed. A nonce ahead of the clock by more than
  // the window (which Python's axon accepts) makes an entry that cannot be dropped until the
  // clock passes it, so such nonces, first ones or later ones of a known endpoint, are accepted
  // only while fewer than max_nonce_entries endpoints are remembered, and refused (401 "Nonce
  // is too far in the future") beyond: the table cannot grow without bound on them, and a
  // dendrite whose clock is right never meets the refusal.
  size_t max_nonce_entries = 100000;
  // Unix time in ns, for the nonce window; the system clock when empty. Tests inject a clock.
  std::function<int64_t()> now_ns;
};

// A Bittensor axon: routes POST /<SynapseName> to the handler attached for that class.
// Like Python's, it always serves the base `Synapse` class (protocol::BaseSynapseClass(), POST
// /Synapse: no fields, the empty body hash), which validators ping axons with: its handler
// returns the synapse as it came, and it skips the blacklist (Python attaches it with
// blacklist_fn=None) but not verify, so a caller the blacklist would refuse still gets 200 for
// a well-signed ping and 401 for a bad one. Attaching a class named "Synapse" replaces it (and
// the blacklist then applies).
// GET routes attached with AttachGet (metrics, health) are answered first, outside the synapse
// protocol.
// For each request, in this order: request name (400 when malformed), synapse class (404 when
// unknown), headers (400 when unparsable, or when a dendrite text field is not UTF-8),
// blacklist (403 "Forbidden. Key is blacklisted: <reason>."), verify (401 "Not Verified with
// error: <why>": signature by the dendrite hotkey over PROTOCOL.md's message, a signature is
// required, nonce window and strictly increasing nonces per hotkey:uuid, see
// max_nonce_entries), priority (503 when the queue is full; 408 when the timeout passes in the
// queue), body (422 when it does not match the class or its hash differs from the signed
// computed_body_hash header), handler (408 past the timeout, 500 on internal errors), then 200
// with the whole synapse as body and axon.status_code=200, status_message "Success",
// process_time. Error bodies are {"message": "..."}, in valid UTF-8 whatever the request held;
// the bt_header_axon_status_message header carries at most the first 1,024 bytes of the
// message, control characters as spaces. Never throws on the request path.
//
// Where this differs from Python's bittensor 10.2 axon (axon.py), on purpose; each difference is
// asserted, side by side with a Python-faithful axon, by PythonAxonParityTest in
// dendrite_interop_test.cc:
// - A signature is required (401 "Missing Signature"); Python verifies one only when present.
// - The first-nonce window (nonce > now - 4 s - timeout) applies to every dendrite version.
//   Python's default_verify applies it only from version 7.2.0 on (V_7_2_0) and, for older or
//   absent versions, checks only that nonces increase. bt_header_dendrite_version is not
//   signed, so honouring that would let anyone replay a captured request, with the version
//   lowered, to an axon that has not seen its hotkey:uuid (after any restart). Dendrites older
//   than 7.2.0 are long gone; ours sends 10.2.0's version.
// - The timeout widening that window is clamped to max_timeout_seconds; Python takes it as sent.
// - A body that does not match its class or its signed hash is 422 saying why; Python raises in
//   verify_body_integrity and answers 500 "Internal Server Error #<id>".
// - Signatures are accepted with or without "0x" (btwallet insists on it); errors about a
//   malformed signature or unparsable headers are worded differently (same statuses).
// - Hostile input that Python lets through: dendrite text headers that are not UTF-8 get 400;
//   the status-message header is capped at 1,024 bytes (aiohttp refuses lines over 8,190);
//   far-future first nonces are refused while the nonce table is full (max_nonce_entries),
//   where Python's table grows without bound.
class Axon {
 public:
  // `metagraph` is read once per request.
  Axon(AxonOptions options, std::shared_ptr<const MetagraphSource> metagraph);
  ~Axon();  // Stop()
  Axon(const Axon&) = delete;
  Axon& operator=(const Axon&) = delete;

  // Serves `cls` (by cls.name) with `handler`, its requests' fields in `memory`. Attach every
  // class before serving; attaching the same name twice replaces the handler. kInvalidArgument
  // for a null handler or a name that is not an identifier.
  Status Attach(const protocol::SynapseClass& cls, SynapseHandler handler,
                FieldMemory memory = FieldMemory::kHeap);

  // Serves GET `path` (exact, e.g. "/metrics"; a query string is ignored) with `handler`,
  // outside the synapse protocol: no synapse headers, no blacklist, no signature, no priority
  // queue. For operational endpoints that answer fast and reveal nothing secret (Prometheus
  // metrics). Attach before serving; the same path twice replaces the handler.
  // kInvalidArgument for a null handler or a path not starting with '/'.
  Status AttachGet(std::string path, Handler handler);

  // The request handler, to mount on an HttpServer or ServerThread (options.server applies
  // there). Holds the axon's state alive.
  Handler AsHandler() const;

  // Serves on an HttpServer of its own (options.server) on `executor`; returns the bound port.
  Result<uint16_t> Start(asio::any_io_executor executor);
  // Stops that server (idempotent).
  void Stop();

  // Requests answered with `status` since construction (any status; 0 for none).
  uint64_t answered(int status) const;
  // Verified requests waiting for a handler slot now.
  size_t queued_requests() const;
  // Endpoints (hotkey:uuid) whose last nonce is remembered now.
  size_t remembered_nonces() const;

 private:
  std::shared_ptr<internal::AxonState> state_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace orchestra::net
