#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "orchestra/core/result.h"
#include "orchestra/crypto/keyfile.h"
#include "orchestra/experts/directory.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/miner/llm_lead.h"
#include "orchestra/net/http_client.h"

// Wiring shared by the long-running subcommands (miner, validator, ask): which hotkey signs,
// and where the expert subnets listen.
namespace orchestra::cli {

// The --wallet.* flags, named as Bittensor's neurons name them.
struct HotkeyFlags {
  std::string name;
  std::string hotkey;
  std::string path;  // default ~/.bittensor/wallets
  // An encrypted hotkey's password; else btcli's BT_PW_<path> variable (LoadHotkeyWithPassword).
  std::string password;

  // None of name, hotkey and path given: a development hotkey is used.
  bool development() const { return name.empty() && hotkey.empty() && path.empty(); }
};

// The hotkey `role` ("miner", "validator") signs with: the named wallet's, or, when no wallet
// flag is given, the development hotkey under <data_dir>/wallets/<role>/hotkeys/default
// (created on first use, and said so in a log line). kNotFound names the missing keyfile and
// the command that makes one.
Result<crypto::KeyfileKey> LoadRoleHotkey(const HotkeyFlags& flags,
                                          const std::filesystem::path& data_dir,
                                          std::string_view role);

// HOST:PORT as `flag` takes it; kInvalidArgument names the flag and the value.
struct HostPort {
  std::string host;
  uint16_t port = 0;
};
Result<HostPort> ParseHostPort(std::string_view address, std::string_view flag);

// The --llm.* flags of `run` and `miner`: the operator's OpenAI-compatible endpoint for the
// miner's optional LLM lead (miner/llm_lead.h); its API key comes from ORCHESTRA_LLM_API_KEY.
struct LlmFlags {
  std::string base_url;  // "" = built-ins only
  std::string model;
};

// The endpoint the flags name, with the key from ORCHESTRA_LLM_API_KEY; nullopt without
// --llm.base-url. kInvalidArgument naming the flag for a base URL ParseChatBaseUrl rejects, or
// one of the two flags without the other. Commands check this before starting anything.
Result<std::optional<experts::ChatClientOptions>> ReadLlmFlags(const LlmFlags& flags);

// The lead for `chat` (ReadLlmFlags), speaking through `client`, whose executor runs the
// challenges; nullptr for nullopt.
std::shared_ptr<miner::LlmLead> MakeLlmLead(const std::optional<experts::ChatClientOptions>& chat,
                                            net::HttpClient& client);

// Where `ledger`'s subnets' UIDs listen, read from the metagraphs an `orchestra experts`
// process serves at `address` (host:port of its control API). Subnets it does not know are
// left without UIDs (callers fall back past them), with a warning naming `role`.
Result<experts::Directory> FetchDirectory(const std::string& address,
                                          const ledger::Snapshot& ledger, std::string_view role);

}  // namespace orchestra::cli
