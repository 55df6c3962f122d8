#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"

namespace orchestra::experts {

// Where one UID of an expert subnet listens, and who it is.
struct Endpoint {
  int uid = 0;
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string hotkey;  // the UID's hotkey (SS58 once keys land)
};

// The reachable UIDs of each subnet, keyed by ledger subnet id ("SN22"). The local stand-in
// for the metagraph's axon table. Immutable once built; share by const reference.
class Directory {
 public:
  void Add(const std::string& subnet_id, Endpoint endpoint) {
    endpoints_[subnet_id].push_back(std::move(endpoint));
  }
  // UIDs of `subnet_id`; empty when the subnet has none.
  const std::vector<Endpoint>& Find(const std::string& subnet_id) const {
    static const std::vector<Endpoint> kNone;
    auto it = endpoints_.find(subnet_id);
    return it == endpoints_.end() ? kNone : it->second;
  }
  const std::map<std::string, std::vector<Endpoint>>& all() const { return endpoints_; }

 private:
  std::map<std::string, std::vector<Endpoint>> endpoints_;
};

// The UIDs a metagraph document lists (net::NeuronsFromJson's format; each neuron needs an
// "axon": {"ip", "port"}), as endpoints. Errors name the neuron: "neurons[1].axon.port: ...".
Result<std::vector<Endpoint>> EndpointsFromMetagraph(const Json& metagraph);

}  // namespace orchestra::experts
