// sr25519 sign and verify per second on one core, with a message shaped like the one a
// Bittensor dendrite signs ("{nonce}.{dendrite}.{axon}.{uuid}.{body hash}", ~230 bytes).
// bench/sr25519_compare.sh runs this next to bench/sr25519_scure_bench.mjs (@scure/sr25519).
//
//   build/bench/sr25519_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "orchestra/crypto/bip39.h"
#include "orchestra/crypto/keccak.h"
#include "orchestra/crypto/ristretto.h"
#include "orchestra/crypto/sr25519.h"
#include "orchestra/crypto/ss58.h"

namespace orchestra::crypto {
namespace {

const std::string& Message() {
  static const std::string message =
      "1717171717171717171.5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV."
      "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.0f8fad5b-d9cb-469f-a165-70867728950e."
      "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a";
  return message;
}

Keypair BenchKeypair() {
  MiniSecret mini;
  mini.fill(7);
  return Keypair::FromMiniSecret(mini);
}

void BM_Sr25519Sign(benchmark::State& state) {
  const Keypair keypair = BenchKeypair();
  for (auto _ : state) benchmark::DoNotOptimize(Sign(keypair, Message()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sr25519Sign);

// A key whose secret is public anyway (the expert simulator's): R = r·B in variable time.
void BM_Sr25519SignVariableTime(benchmark::State& state) {
  const Keypair keypair = BenchKeypair().WithVariableTimeSigning();
  for (auto _ : state) benchmark::DoNotOptimize(Sign(keypair, Message()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sr25519SignVariableTime);

void BM_Sr25519Verify(benchmark::State& state) {
  const Keypair keypair = BenchKeypair();
  const auto signature = Sign(keypair, Message());
  const std::string bytes(reinterpret_cast<const char*>(signature.data()), signature.size());
  for (auto _ : state) {
    const Status status = Verify(keypair.public_key(), Message(), bytes);
    if (!status.ok()) state.SkipWithError(status.error().message.c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sr25519Verify);

// Verification under keys seen only once in a while (1,024 keys in turn, more than the key
// table cache remembers): the cost without a precomputed table, what a first-time caller pays.
void BM_Sr25519VerifyUncachedKeys(benchmark::State& state) {
  constexpr int kKeys = 1024;
  std::vector<std::pair<PublicKey, std::string>> signed_by;
  for (int i = 0; i < kKeys; ++i) {
    MiniSecret mini;
    mini.fill(static_cast<uint8_t>(i));
    mini[1] = static_cast<uint8_t>(i >> 8);
    const Keypair keypair = Keypair::FromMiniSecret(mini);
    const auto signature = Sign(keypair, Message());
    signed_by.emplace_back(keypair.public_key(),
                           std::string(reinterpret_cast<const char*>(signature.data()), 64));
  }
  size_t next = 0;
  for (auto _ : state) {
    const auto& [key, signature] = signed_by[next];
    next = (next + 1) % signed_by.size();
    const Status status = Verify(key, Message(), signature);
    if (!status.ok()) state.SkipWithError(status.error().message.c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sr25519VerifyUncachedKeys);

void BM_Sr25519KeypairFromMiniSecret(benchmark::State& state) {
  MiniSecret mini;
  mini.fill(9);
  for (auto _ : state) {
    mini[0]++;
    benchmark::DoNotOptimize(Keypair::FromMiniSecret(mini).public_key());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sr25519KeypairFromMiniSecret);

void BM_MiniSecretFromMnemonic(benchmark::State& state) {
  const std::string phrase =
      "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
  for (auto _ : state) benchmark::DoNotOptimize(MiniSecretFromMnemonic(phrase));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MiniSecretFromMnemonic);

void BM_Ss58Decode(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(Ss58Decode("5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ss58Decode);

void BM_Sha3_256Of1KiB(benchmark::State& state) {
  const std::string data(1024, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(Sha3_256(data));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(data.size()));
}
BENCHMARK(BM_Sha3_256Of1KiB);

void BM_KeccakF1600(benchmark::State& state) {
  KeccakState lanes{};
  for (auto _ : state) {
    KeccakF1600(lanes);
    benchmark::DoNotOptimize(lanes);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeccakF1600);

// The ristretto255 steps a verification is made of (crypto/ristretto.h, variable time): the
// decoding of R (an inverse square root), and s·B − k·A with a precomputed table for A.
void BM_RistrettoDecode(benchmark::State& state) {
  const ristretto::Bytes32 encoded = ristretto::Encode(ristretto::Basepoint());
  for (auto _ : state) benchmark::DoNotOptimize(ristretto::Decode(encoded));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RistrettoDecode);

void BM_RistrettoEncode(benchmark::State& state) {
  const ristretto::EdwardsPoint point = ristretto::Basepoint();
  for (auto _ : state) benchmark::DoNotOptimize(ristretto::Encode(point));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RistrettoEncode);

void BM_RistrettoDoubleScalarMulWithTable(benchmark::State& state) {
  const ristretto::FixedBaseTable table(ristretto::Basepoint());
  ristretto::Bytes32 a;
  ristretto::Bytes32 b;
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<uint8_t>(37 * i + 11);
    b[i] = static_cast<uint8_t>(101 * i + 3);
  }
  a[31] &= 0x0f;  // scalars below the group order's 2^252 bound
  b[31] &= 0x0f;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ristretto::DoubleScalarMulBasepoint(a, table, b));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RistrettoDoubleScalarMulWithTable);

}  // namespace
}  // namespace orchestra::crypto

BENCHMARK_MAIN();
