#include "orchestra/experts/directory.h"

#include <fmt/format.h>

#include "orchestra/net/metagraph_source.h"

namespace orchestra::experts {

Result<std::vector<Endpoint>> EndpointsFromMetagraph(const Json& metagraph) {
  auto neurons = net::NeuronsFromJson(metagraph);
  if (!neurons) return neurons.error();
  std::vector<Endpoint> out;
  const JsonArray& raw = metagraph.at("neurons").as_array();
  for (size_t i = 0; i < raw.size(); ++i) {
    const Json* axon = JsonFind(raw[i], "axon");
    int64_t port = -1;
    const Json* port_json = axon ? JsonFind(*axon, "port") : nullptr;
    if (!port_json || !JsonInteger(*port_json, &port) || port < 1 || port > 65535) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("neurons[{}].axon.port: must be a port number", i));
    }
    const std::string ip = JsonString(*axon, "ip");
    if (ip.empty()) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("neurons[{}].axon.ip: missing", i));
    }
    const net::NeuronRecord& n = (*neurons)[i];
    out.push_back(Endpoint{n.uid, ip, static_cast<uint16_t>(port), n.hotkey});
  }
  return out;
}

}  // namespace orchestra::experts
