#include "orchestra/cli/wiring.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <charconv>
#include <optional>

#include "orchestra/cli/wallet_command.h"
#include "orchestra/crypto/wallet.h"
#include "orchestra/net/http_client.h"

namespace orchestra::cli {

Result<std::optional<experts::ChatClientOptions>> ReadLlmFlags(const LlmFlags& flags) {
  if (flags.base_url.empty()) {
    if (!flags.model.empty()) {
      return Error(ErrorCode::kInvalidArgument, "--llm.model needs --llm.base-url");
    }
    return std::optional<experts::ChatClientOptions>();
  }
  auto endpoint = experts::ParseChatBaseUrl(flags.base_url, "--llm.base-url");
  if (!endpoint) return endpoint.error();
  if (flags.model.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "--llm.base-url needs --llm.model (the model the endpoint serves)");
  }
  return std::optional<experts::ChatClientOptions>(experts::ChatClientOptions{
      std::move(*endpoint), flags.model, experts::LlmApiKeyFromEnvironment()});
}

std::shared_ptr<miner::LlmLead> MakeLlmLead(const std::optional<experts::ChatClientOptions>& chat,
                                            net::HttpClient& client) {
  if (!chat) return nullptr;
  spdlog::info(
      "LLM lead: {} model {} (planner, relevance judge, synthesizer; built-ins when its "
      "answers are invalid or late)",
      chat->endpoint.url, chat->model);
  return std::make_shared<miner::LlmLead>(client, *chat);
}

Result<crypto::KeyfileKey> LoadRoleHotkey(const HotkeyFlags& f,
                                          const std::filesystem::path& data_dir,
                                          std::string_view role) {
  if (f.development()) {
    const crypto::WalletPaths dev{data_dir / "wallets", std::string(role), "default"};
    if (!std::filesystem::exists(dev.Hotkey())) {
      auto created = crypto::CreateHotkey(dev, 12, /*overwrite=*/false);
      if (!created) return created.error();
      spdlog::info("{}: created development hotkey {} at {}", role, created->ss58_address,
                   dev.Hotkey().string());
    }
    return crypto::LoadHotkey(dev);
  }
  const crypto::WalletPaths wallet{
      f.path.empty() ? crypto::DefaultWalletPath() : std::filesystem::path(f.path),
      f.name.empty() ? "default" : f.name, f.hotkey.empty() ? "default" : f.hotkey};
  if (!std::filesystem::exists(wallet.Hotkey())) {
    return Error(ErrorCode::kNotFound,
                 fmt::format("no hotkey at {}; create one with `orchestra wallet new-hotkey "
                             "--wallet.name {} --wallet.hotkey {}`",
                             wallet.Hotkey().string(), wallet.name, wallet.hotkey));
  }
  return LoadHotkeyWithPassword(wallet, f.password);
}

Result<HostPort> ParseHostPort(std::string_view address, std::string_view flag) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string_view::npos || colon == 0 ||
      std::from_chars(address.data() + colon + 1, address.data() + address.size(), port).ec !=
          std::errc() ||
      port < 1 || port > 65535) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{} {}: expected HOST:PORT", flag, address));
  }
  return HostPort{std::string(address.substr(0, colon)), static_cast<uint16_t>(port)};
}

Result<experts::Directory> FetchDirectory(const std::string& address,
                                          const ledger::Snapshot& ledger, std::string_view role) {
  auto where = ParseHostPort(address, "--experts");
  if (!where) return where.error();
  boost::asio::io_context io;
  net::HttpClient client(io.get_executor());
  experts::Directory directory;
  std::optional<Error> failure;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        for (const auto& [id, entry] : ledger.entries()) {
          net::HttpRequest request{"GET", fmt::format("/metagraph/{}", entry.netuid), {}, ""};
          auto response = co_await client.Send(where->host, where->port, std::move(request),
                                               Deadline::After(std::chrono::seconds(5)));
          if (!response) {
            failure = Error(response.error().code,
                            fmt::format("--experts {}: {}", address, response.error().message));
            co_return;
          }
          if (response->status == 404) {
            spdlog::warn("{}: the experts at {} do not simulate {} (netuid {})", role, address, id,
                         entry.netuid);
            continue;
          }
          auto json = ParseJson(response->body, fmt::format("metagraph {}", entry.netuid));
          auto endpoints = json ? experts::EndpointsFromMetagraph(*json)
                                : Result<std::vector<experts::Endpoint>>(json.error());
          if (response->status != 200 || !endpoints) {
            failure =
                Error(ErrorCode::kMalformedAnswer,
                      fmt::format("--experts {}: metagraph {}: HTTP {} {}", address, entry.netuid,
                                  response->status, endpoints ? "" : endpoints.error().message));
            co_return;
          }
          for (auto& e : *endpoints) directory.Add(id, std::move(e));
        }
      },
      boost::asio::detached);
  io.run();
  if (failure) return *failure;
  return directory;
}

}  // namespace orchestra::cli
