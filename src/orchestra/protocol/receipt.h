#pragma once

#include <cstdint>
#include <string>

#include "orchestra/core/hash.h"
#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/crypto/sr25519.h"

namespace orchestra::protocol {

// The hash-locked proof of one expert call (PROTOCOL.md §3). The miner commits to the call
// before making it (`lock`), the expert signs what it answered under that lock, and the
// receipt's hash is what the answer's TaskStep.hash shows.
struct Receipt {
  std::string lock;  // "0x" + 64 hex: LockFor(challenge_id, miner_hotkey, step, request_hash)
  std::string request_hash;   // "0x" + 64 hex: blake2b-256 of the canonical JSON of the query
  std::string response_hash;  // "0x" + 64 hex: blake2b-256 of the canonical JSON of the answer
  std::string expert_hotkey;  // SS58 address of the expert UID's hotkey
  int64_t issued_at_ms = 0;   // Unix time in ms when the expert answered
  double price = 0.0;         // what the call cost, in TAO
  std::string signature;      // "0x" + 128 hex: sr25519 over the 32 bytes of HashBytes()

  // blake2b-256 of the canonical JSON of {expert_hotkey, issued_at_ms, lock, price,
  // response_hash}: TaskStep.hash. The signature does not enter it.
  std::string Hash() const;  // "0x" + 64 hex
  // The same digest as its 32 raw bytes: what the expert signs (PROTOCOL.md §3). Never the
  // "0x…" text: btwallet's Keypair.sign/verify hex-decode a string that starts with "0x", so a
  // Python expert or validator signs and checks these bytes.
  Hash256 HashBytes() const;
};

Json ToJson(const Receipt& receipt, boost::json::storage_ptr storage = {});
// CanonicalJson(ToJson(receipt)), written directly: what the simulator's receipt store keeps
// for every call.
std::string CanonicalReceiptJson(const Receipt& receipt);
// Errors name the field ("receipt.lock: must be 0x + 64 hex").
Result<Receipt> ReceiptFromJson(const Json& json);

// The lock a miner commits to before calling an expert for `step` of a challenge.
std::string LockFor(std::string_view challenge_id, std::string_view miner_hotkey, int step,
                    std::string_view request_hash);

// The expert side: signs a receipt for `response` given under `lock`.
Receipt IssueReceipt(const crypto::Keypair& expert, std::string_view expert_ss58,
                     std::string_view lock, std::string_view request_hash, const Json& response,
                     double price, int64_t issued_at_ms);

// What a verifier expects a receipt to bind.
struct ReceiptExpectation {
  std::string challenge_id;
  std::string miner_hotkey;
  int step = 0;
  Json query;                   // the query the miner reports for the step
  Json response;                // the answer the miner reports for the step (null: skip that check)
  std::string expert_hotkey;    // the registered hotkey of the expert UID ("" : take the receipt's)
  int64_t window_start_ms = 0;  // the challenge window, Unix ms
  int64_t window_end_ms = 0;
};

// The standalone verifier the validator uses: the signature is the expert hotkey's over the 32
// bytes of HashBytes() (one over the "0x…" text does not verify), the lock binds this
// challenge, this miner, this step and this request, issued_at lies in the window, and the
// response hash matches the reported answer. Errors say which check failed.
Status VerifyReceipt(const Receipt& receipt, const ReceiptExpectation& expected);

}  // namespace orchestra::protocol
