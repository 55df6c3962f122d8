#include "orchestra/protocol/receipt.h"

#include <fmt/format.h>

#include "orchestra/core/hash.h"
#include "orchestra/crypto/hex.h"
#include "orchestra/crypto/ss58.h"

namespace orchestra::protocol {
namespace {

Error Invalid(std::string_view field, std::string_view what) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("receipt.{}: {}", field, what));
}

Status ReadHash(const Json& json, std::string_view field, std::string* out) {
  *out = JsonString(json, field);
  if (!IsPrefixedHash256(*out)) return Invalid(field, "must be 0x + 64 lower-case hex");
  return {};
}

}  // namespace

std::string Receipt::Hash() const { return PrefixedHex(HashBytes()); }

Hash256 Receipt::HashBytes() const {
  // CanonicalJson of {expert_hotkey, issued_at_ms, lock, price, response_hash} (keys in that,
  // sorted, order), written directly: this runs twice for every receipt an expert issues.
  std::string canonical;
  canonical.reserve(256);
  canonical += R"({"expert_hotkey":)";
  AppendJsonString(canonical, expert_hotkey);
  canonical += R"(,"issued_at_ms":)";
  canonical += std::to_string(issued_at_ms);
  canonical += R"(,"lock":)";
  AppendJsonString(canonical, lock);
  canonical += R"(,"price":)";
  AppendDouble(canonical, price);
  canonical += R"(,"response_hash":)";
  AppendJsonString(canonical, response_hash);
  canonical += '}';
  return Blake2b256(canonical);
}

Json ToJson(const Receipt& r, boost::json::storage_ptr storage) {
  return JsonObject({{"lock", r.lock},
                     {"request_hash", r.request_hash},
                     {"response_hash", r.response_hash},
                     {"expert_hotkey", r.expert_hotkey},
                     {"issued_at_ms", r.issued_at_ms},
                     {"price", r.price},
                     {"signature", r.signature}},
                    std::move(storage));
}

std::string CanonicalReceiptJson(const Receipt& r) {
  std::string out;
  out.reserve(512);
  out += R"({"expert_hotkey":)";
  AppendJsonString(out, r.expert_hotkey);
  out += R"(,"issued_at_ms":)";
  out += std::to_string(r.issued_at_ms);
  out += R"(,"lock":)";
  AppendJsonString(out, r.lock);
  out += R"(,"price":)";
  AppendDouble(out, r.price);
  out += R"(,"request_hash":)";
  AppendJsonString(out, r.request_hash);
  out += R"(,"response_hash":)";
  AppendJsonString(out, r.response_hash);
  out += R"(,"signature":)";
  AppendJsonString(out, r.signature);
  out += '}';
  return out;
}

Result<Receipt> ReceiptFromJson(const Json& json) {
  if (!json.is_object()) return Invalid("", "must be an object");
  Receipt r;
  if (auto s = ReadHash(json, "lock", &r.lock); !s) return s.error();
  if (auto s = ReadHash(json, "request_hash", &r.request_hash); !s) return s.error();
  if (auto s = ReadHash(json, "response_hash", &r.response_hash); !s) return s.error();
  r.expert_hotkey = JsonString(json, "expert_hotkey");
  if (!crypto::Ss58Decode(r.expert_hotkey))
    return Invalid("expert_hotkey", "must be an SS58 address");
  const Json* issued = JsonFind(json, "issued_at_ms");
  if (!issued || !JsonInteger(*issued, &r.issued_at_ms))
    return Invalid("issued_at_ms", "must be an integer");
  const Json* price = JsonFind(json, "price");
  if (!price || !JsonNumber(*price, &r.price) || r.price < 0) {
    return Invalid("price", "must be a non-negative number");
  }
  r.signature = JsonString(json, "signature");
  if (r.signature.size() != 130 || r.signature.substr(0, 2) != "0x") {
    return Invalid("signature", "must be 0x + 128 hex");
  }
  return r;
}

std::string LockFor(std::string_view challenge_id, std::string_view miner_hotkey, int step,
                    std::string_view request_hash) {
  return CanonicalHash(JsonObject{{"challenge_id", challenge_id},
                                  {"miner_hotkey", miner_hotkey},
                                  {"request_hash", request_hash},
                                  {"step", step}});
}

Receipt IssueReceipt(const crypto::Keypair& expert, std::string_view expert_ss58,
                     std::string_view lock, std::string_view request_hash, const Json& response,
                     double price, int64_t issued_at_ms) {
  Receipt r;
  r.lock = std::string(lock);
  r.request_hash = std::string(request_hash);
  r.response_hash = CanonicalHash(response);
  r.expert_hotkey = std::string(expert_ss58);
  r.issued_at_ms = issued_at_ms;
  r.price = price;
  const auto signature = crypto::Sign(expert, crypto::AsBytes(r.HashBytes()));
  r.signature = PrefixedHex(signature.data(), signature.size());
  return r;
}

Status VerifyReceipt(const Receipt& r, const ReceiptExpectation& e) {
  auto fail = [](std::string what) { return Error(ErrorCode::kSchemaViolation, std::move(what)); };
  if (!e.expert_hotkey.empty() && r.expert_hotkey != e.expert_hotkey) {
    return fail(fmt::format("receipt signed by {}, but the step names expert {}", r.expert_hotkey,
                            e.expert_hotkey));
  }
  auto key = crypto::Ss58Decode(r.expert_hotkey);
  if (!key) return fail("expert_hotkey: " + key.error().message);
  auto signature = crypto::DecodeHex(r.signature, "receipt signature");
  if (!signature) return fail(signature.error().message);
  const std::string_view key_bytes(reinterpret_cast<const char*>(key->data()), key->size());
  const std::string_view signature_bytes(reinterpret_cast<const char*>(signature->data()),
                                         signature->size());
  if (auto v = crypto::Verify(key_bytes, crypto::AsBytes(r.HashBytes()), signature_bytes); !v) {
    return fail("signature does not verify against " + r.expert_hotkey);
  }
  const std::string request_hash = CanonicalHash(e.query);
  if (r.request_hash != request_hash) return fail("request_hash does not match the reported query");
  if (r.lock != LockFor(e.challenge_id, e.miner_hotkey, e.step, request_hash)) {
    return fail("lock does not bind this challenge, miner, step and request");
  }
  if (r.issued_at_ms < e.window_start_ms || r.issued_at_ms > e.window_end_ms) {
    return fail(fmt::format("issued_at_ms {} lies outside the challenge window [{}, {}]",
                            r.issued_at_ms, e.window_start_ms, e.window_end_ms));
  }
  if (!e.response.is_null() && r.response_hash != CanonicalHash(e.response)) {
    return fail("response_hash does not match the reported answer");
  }
  return {};
}

}  // namespace orchestra::protocol
