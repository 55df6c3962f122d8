#include "e2e/local_subnet.h"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>

#include "e2e/loopback_http.h"

namespace orchestra::testing {
namespace {

using namespace std::chrono_literals;

Error NotStarted(std::string_view what, BackgroundProcess& process) {
  process.Signal(SIGKILL);
  return Error(ErrorCode::kUnavailable,
               fmt::format("{} did not start: {}", what, process.Wait().err));
}

// Makes every UID of the simulator at `port` reliable and of full quality.
Status PerfectExperts(uint16_t port, const std::string& token) {
  net::HttpRequest get{"GET", "/manifest", {}, ""};
  auto manifest = SendLoopback(port, std::move(get));
  if (!manifest) return manifest.error();
  auto json = ParseJson(manifest->body, "GET /manifest");
  if (!json) return json.error();
  for (const Json& subnet : json->at("subnets").as_array()) {
    for (const Json& uid : subnet.at("uids").as_array()) {
      const std::string target =
          fmt::format("/admin/subnets/{}/uids/{}", JsonInt(subnet, "netuid"), JsonInt(uid, "uid"));
      net::HttpRequest patch{
          "POST",
          target,
          {{"authorization", "Bearer " + token}, {"content-type", "application/json"}},
          R"({"reliability": 1.0, "quality": 1.0})"};
      auto patched = SendLoopback(port, std::move(patch));
      if (!patched) return patched.error();
      if (patched->status != 200) {
        return Error(ErrorCode::kUnavailable,
                     fmt::format("{}: HTTP {} {}", target, patched->status, patched->body));
      }
    }
  }
  return {};
}

}  // namespace

std::string TestMinerBinary() {
  const char* bin = std::getenv("ORCHESTRA_TEST_MINER_BIN");
  return bin ? bin : "build/tests/orchestra_test_miner";
}

Result<std::unique_ptr<LocalSubnet>> LocalSubnet::Start(LocalSubnetOptions options) {
  std::unique_ptr<LocalSubnet> subnet(new LocalSubnet(std::move(options)));
  const LocalSubnetOptions& o = subnet->options_;

  subnet->experts_ = std::make_unique<BackgroundProcess>(std::vector<std::string>{
      OrchestraBinary(), "experts", "--data-dir", subnet->dir() + "/sim", "--corpus", o.corpus,
      "--latency-scale", fmt::format("{}", o.latency_scale), "--seed", std::to_string(o.seed)});
  const std::string banner = subnet->experts_->WaitForLine("control API on", 60s);
  std::smatch m;
  if (!std::regex_search(banner, m, std::regex("127\\.0\\.0\\.1:(\\d+)")))
    return NotStarted("orchestra experts", *subnet->experts_);
  subnet->experts_port_ = static_cast<uint16_t>(std::stoi(m[1]));
  std::getline(std::ifstream(subnet->dir() + "/sim/experts/experts.token"), subnet->admin_token_);
  if (o.perfect_experts) {
    if (auto perfect = PerfectExperts(subnet->experts_port_, subnet->admin_token_); !perfect)
      return perfect.error();
  }

  // Every miner but the copiers at once, then the copiers, which need their target's hotkey.
  subnet->miners_.resize(o.modes.size());
  subnet->processes_.resize(o.modes.size());
  auto spawn = [&](size_t i, std::vector<std::string> extra) {
    LocalMiner& miner = subnet->miners_[i];
    miner.mode = o.modes[i];
    miner.uid = static_cast<int>(i);
    miner.data_dir = fmt::format("{}/miner{}", subnet->dir(), i);
    std::vector<std::string> argv = {
        TestMinerBinary(),         "--mode",     miner.mode,    "--experts",
        subnet->experts_address(), "--data-dir", miner.data_dir};
    argv.insert(argv.end(), extra.begin(), extra.end());
    subnet->processes_[i] = std::make_unique<BackgroundProcess>(argv);
  };
  auto await_serving = [&](size_t i) -> Status {
    const std::string line = subnet->processes_[i]->WaitForLine("serving on", 60s);
    std::smatch served;
    if (!std::regex_search(line, served, std::regex("hotkey (\\w+) serving on ([\\d.]+):(\\d+)")))
      return NotStarted(fmt::format("test miner {} ({})", i, o.modes[i]), *subnet->processes_[i]);
    subnet->miners_[i].axon = {served[2], static_cast<uint16_t>(std::stoi(served[3])), served[1]};
    return {};
  };
  for (size_t i = 0; i < o.modes.size(); ++i)
    if (o.modes[i] != "copier") spawn(i, {});
  for (size_t i = 0; i < o.modes.size(); ++i)
    if (o.modes[i] != "copier")
      if (auto served = await_serving(i); !served) return served.error();
  for (size_t i = 0; i < o.modes.size(); ++i) {
    if (o.modes[i] != "copier") continue;
    const LocalMiner* target = nullptr;
    for (size_t j = 0; j < i && !target; ++j)
      if (o.modes[j] == "honest") target = &subnet->miners_[j];
    if (!target) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("modes[{}]: a copier needs an honest miner listed before it", i));
    }
    spawn(i, {"--copy-from",
              fmt::format("{}:{}:{}", target->axon.ip, target->axon.port, target->axon.hotkey)});
    if (auto served = await_serving(i); !served) return served.error();
  }
  return subnet;
}

LocalSubnet::~LocalSubnet() { (void)Stop(); }

Status LocalSubnet::Stop() {
  if (stopped_) return {};
  stopped_ = true;
  std::string failures;
  auto check = [&](std::string_view what, BackgroundProcess& process) {
    const ProcessResult result = process.Wait();
    if (result.exit_code == 0) return;
    const size_t tail = result.err.size() > 2000 ? result.err.size() - 2000 : 0;
    failures += fmt::format("{} exited {}: {}\n", what, result.exit_code, result.err.substr(tail));
  };
  for (auto& process : processes_)
    if (process) process->Signal(SIGTERM);
  for (size_t i = 0; i < processes_.size(); ++i) {
    if (processes_[i])
      check(fmt::format("test miner {} ({})", i, options_.modes[i]), *processes_[i]);
  }
  if (experts_) {
    experts_->Signal(SIGTERM);
    check("orchestra experts", *experts_);
  }
  if (!failures.empty()) return Error(ErrorCode::kInternal, failures);
  return {};
}

const LocalMiner& LocalSubnet::miner(std::string_view mode) const {
  for (const LocalMiner& m : miners_)
    if (m.mode == mode) return m;
  throw std::out_of_range(fmt::format("LocalSubnet: no miner of mode {}", mode));
}

std::string LocalSubnet::experts_address() const {
  return fmt::format("127.0.0.1:{}", experts_port_);
}

Json LocalSubnet::Metagraph() const {
  JsonArray neurons;
  for (const LocalMiner& m : miners_) {
    neurons.push_back(JsonObject{{"uid", m.uid},
                                 {"hotkey", m.axon.hotkey},
                                 {"stake", options_.miner_stake},
                                 {"validator_permit", false},
                                 {"axon", JsonObject{{"ip", m.axon.ip}, {"port", m.axon.port}}}});
  }
  int uid = static_cast<int>(miners_.size());
  for (const std::string& hotkey : options_.validator_hotkeys) {
    neurons.push_back(JsonObject{{"uid", uid++},
                                 {"hotkey", hotkey},
                                 {"stake", options_.validator_stake},
                                 {"validator_permit", true}});
  }
  return JsonObject{{"netuid", options_.netuid}, {"neurons", std::move(neurons)}};
}

std::string LocalSubnet::WriteMetagraph(const std::string& path) const {
  std::ofstream(path) << CanonicalJson(Metagraph());
  return path;
}

protocol::BittensorSynapse CallMiner(const crypto::Keypair& key, const net::AxonEndpoint& axon,
                                     const protocol::SynapseClass& cls, JsonObject fields,
                                     double timeout_seconds) {
  boost::asio::io_context io;
  net::Dendrite dendrite(io.get_executor(), key);
  protocol::BittensorSynapse synapse;
  synapse.fields = std::move(fields);
  auto done = boost::asio::co_spawn(
      io, dendrite.Call(axon, cls, std::move(synapse), timeout_seconds), boost::asio::use_future);
  io.run();
  return done.get();
}

}  // namespace orchestra::testing
