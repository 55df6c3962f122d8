// Untrusted bytes as a ledger someone published (ledger/reader.h, ledger/exchange.h): either
// ledger form, or an export, read as `orchestra ledger import` reads it. Any crash, hang or
// sanitizer report is a bug, and so is
//   - an entry rejected with an error that does not start with its subnet id (errors say where);
//   - a strict read (ReadLedger) that disagrees with the entry-by-entry one (ReadLedgerEntries);
//   - a snapshot that, written in our form and read back, is not the same snapshot (version);
//   - an import accepted whose entries do not make a snapshot.
// Run:
//   ORCHESTRA_SANITIZE=1 ORCHESTRA_BUILD_DIR=build-asan scripts/build fuzz_ledger
//   mkdir -p /tmp/fuzz_ledger && build-asan/fuzz/fuzz_ledger -max_total_time=600 -timeout=10 \
//       -max_len=8192 /tmp/fuzz_ledger fuzz/corpus/ledger
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "orchestra/core/json.h"
#include "orchestra/ledger/exchange.h"
#include "orchestra/ledger/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orchestra;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto json = ParseJson(input, "fuzz");
  if (!json) return 0;

  auto document = ledger::ReadLedgerEntries(*json);
  auto strict = ledger::ReadLedger(*json);
  if (document.ok()) {
    for (const ledger::RejectedEntry& r : document->rejected) {
      if (r.error.message.empty()) __builtin_trap();
      if (!r.subnet_id.empty() && r.error.message.rfind(r.subnet_id, 0) != 0) __builtin_trap();
    }
    if (strict.ok() != document->rejected.empty()) __builtin_trap();
  } else if (strict.ok()) {
    __builtin_trap();
  }
  if (strict.ok()) {
    auto again = ledger::ReadLedger(strict->ToJson());
    if (!again.ok() || again->version() != strict->version()) __builtin_trap();
  }

  ledger::ImportPolicy policy;
  policy.allow_unsigned = true;
  auto imported = ledger::ReadImport(*json, policy);
  if (imported.ok() && !ledger::Snapshot::Build(imported->ledger.entries).ok()) __builtin_trap();
  return 0;
}
