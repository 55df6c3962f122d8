#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdio>

#include "orchestra/cli/input.h"
#include "orchestra/cli/validator_command.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/experts/http_transport.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/net/dendrite.h"
#include "orchestra/net/http_client.h"
#include "orchestra/validator/judge.h"
#include "orchestra/validator/miner_client.h"
#include "orchestra/validator/prober.h"

namespace orchestra::cli {
namespace {

constexpr std::string_view kCommand = "ask";

// The challenge of --challenge (a generated challenge with its reference, or a bare one) or of
// --objective and --schema.
Result<validator::GeneratedChallenge> ReadChallenge(const AskFlags& f, bool* has_reference) {
  *has_reference = false;
  validator::GeneratedChallenge out;
  if (!f.challenge.empty()) {
    if (!f.objective.empty() || !f.schema.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   "give either --challenge or --objective with --schema, not both");
    }
    auto json = JsonArgument(f.challenge, "--challenge");
    if (!json) return json.error();
    if (json->is_object() && json->as_object().contains("challenge")) {
      auto generated = validator::GeneratedChallengeFromJson(*json);
      if (!generated)
        return Error(generated.error().code, "--challenge: " + generated.error().message);
      // A challenge file may leave the reference out (GeneratedChallengeFromJson allows it).
      const Json* reference = JsonFind(*json, "reference");
      *has_reference = reference && !reference->is_null();
      out = std::move(*generated);
    } else {
      auto challenge = protocol::ChallengeFromJson(*json);
      if (!challenge)
        return Error(challenge.error().code, "--challenge: " + challenge.error().message);
      out.challenge = std::move(*challenge);
    }
  } else {
    if (f.objective.empty() || f.schema.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   "give --challenge FILE, or --objective TEXT with --schema JSON");
    }
    auto schema = JsonArgument(f.schema, "--schema");
    if (!schema) return schema.error();
    JsonObject fields{
        {"objective", f.objective}, {"target_schema", *schema}, {"deadline_ms", f.deadline_ms}};
    auto challenge = protocol::ChallengeFromJson(fields);
    if (!challenge) return challenge.error();
    out.challenge = std::move(*challenge);
  }
  if (out.challenge.challenge_id.empty()) {
    out.challenge.challenge_id = protocol::NewChallengeId(out.challenge.objective);
  }
  return out;
}

}  // namespace

int AskCommand(const AskFlags& f) {
  auto where = ParseHostPort(f.axon, "--axon");
  if (!where) return Fail(kCommand, kExitBadInput, where.error().message);
  if (!crypto::Ss58Decode(f.hotkey)) {
    return Fail(kCommand, kExitBadInput,
                fmt::format("--hotkey {}: not an SS58 address", f.hotkey.substr(0, 64)));
  }
  bool has_reference = false;
  auto generated = ReadChallenge(f, &has_reference);
  if (!generated) return Fail(kCommand, kExitBadInput, generated.error().message);
  const std::filesystem::path data_dir = DataDir(f.data_dir);
  auto key = LoadRoleHotkey(f.wallet, data_dir, "validator");
  if (!key) return Fail(kCommand, kExitBadInput, key.error().message);
  if (!key->keypair) {
    return Fail(kCommand, kExitBadInput,
                fmt::format("hotkey {} has no secret key to sign with", key->ss58_address));
  }

  auto seed_ledger = ledger::SeedSnapshot();
  if (!seed_ledger) return Fail(kCommand, kExitFailed, seed_ledger.error().ToString());
  experts::Directory directory;
  if (!f.experts.empty()) {
    auto fetched = FetchDirectory(f.experts, *seed_ledger, kCommand);
    if (!fetched) return Fail(kCommand, kExitBadInput, fetched.error().message);
    directory = std::move(*fetched);
  }
  const validator::ExpertRegistry registry = validator::RegistryFromDirectory(directory);

  boost::asio::io_context io;
  net::HttpClient client(io.get_executor());
  net::Dendrite dendrite(io.get_executor(), *key->keypair);
  experts::HttpTransport transport(client, directory, *key->keypair, io.get_executor());
  std::vector<ledger::LedgerEntry> base;
  for (const auto& [id, entry] : seed_ledger->entries()) base.push_back(entry);
  validator::Prober prober(base, directory, transport,
                           validator::ProberOptions{.validator_hotkey = key->ss58_address});
  validator::ReceiptLogChecker log_checker(client, directory, /*sample_rate=*/1.0, /*seed=*/0);
  const validator::MinerTarget miner{
      .uid = -1, .axon = {where->host, where->port, f.hotkey}, .serving = true};

  validator::MinerReply reply;
  validator::Judged judged;
  auto done = boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        if (!f.experts.empty()) co_await prober.Probe(Deadline::After(std::chrono::seconds(20)));
        const int64_t window_start = experts::UnixMillis() - 2000;
        // Named locals: g++ 12 destroys braced temporaries inside co_await twice.
        const std::vector<validator::MinerTarget> miners{miner};
        std::vector<validator::MinerReply> answers =
            co_await validator::AskChallenge(dendrite, miners, generated->challenge);
        // After the answer: an axon takes one dendrite's nonces in order.
        std::vector<validator::MinerReply> ledgers =
            co_await validator::AskLedger(dendrite, miners, std::nullopt, 10.0);
        const int64_t window_end = experts::UnixMillis() + 2000;
        reply = std::move(answers[0]);
        const bool online = !f.experts.empty();
        validator::JudgeContext context{.generated = &*generated,
                                        .has_reference = has_reference,
                                        .window_start_ms = window_start,
                                        .window_end_ms = window_end,
                                        .registry = online ? &registry : nullptr,
                                        .log_checker = online ? &log_checker : nullptr,
                                        .experts = online ? &prober.view() : nullptr,
                                        .weights = {}};
        judged = co_await validator::JudgeReply(reply, &ledgers[0], context);
      },
      boost::asio::use_future);
  io.run();
  done.get();

  const validator::ScoreCard& card = judged.card;
  const bool earning = card.accepted && !card.black_room && card.proofs.valid > 0;
  if (f.json) {
    fmt::print("{}\n", PrettyJson(JsonObject{{"status", reply.status_code},
                                             {"status_message", reply.status_message},
                                             {"response", reply.fields},
                                             {"score", validator::ToJson(card)}}));
  } else {
    fmt::print("miner {} at {}: {} {} in {:.2f} s\n", f.hotkey, f.axon, reply.status_code,
               reply.status_message, reply.seconds);
    if (judged.response) {
      fmt::print("\nstandardized_data:\n{}\n\nfinal_synthesis:\n{}\n\n",
                 PrettyJson(judged.response->standardized_data), judged.response->final_synthesis);
    }
    fmt::print("{}", validator::RenderScoreCard(card));
  }
  std::fflush(stdout);
  return earning ? kExitOk : kExitFailed;
}

}  // namespace orchestra::cli
