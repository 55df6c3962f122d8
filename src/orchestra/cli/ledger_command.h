#pragma once

#include <string>
#include <vector>

#include "orchestra/cli/wiring.h"

namespace orchestra::cli {

// Flags of `orchestra ledger <action>`.
struct LedgerFlags {
  std::string action;  // show, export, import, diff
  std::string data_dir;
  // Where the ledger is kept, as `orchestra miner --ledger.store` takes it (ledger::OpenStore):
  // "" or "sqlite[:PATH]" (default <data dir>/ledger.db), "redis://HOST[:PORT][/PREFIX]".
  std::string store;
  bool json = false;
  std::string subnet;  // show: one subnet's whole entry; "": the table
  // export: the file to write ("-": stdout); import: the file or http:// URL to read.
  std::string file;
  HotkeyFlags wallet;                // export: the miner's hotkey, as `orchestra miner` takes it
  bool allow_unsigned = false;       // import: accept an unsigned export or a plain ledger
  std::vector<std::string> trusted;  // import: accept only exports signed by these (SS58)
  std::string from = "current";      // diff: a ledger file, an export, a URL or "current"
  std::string to;
};

// Every action reads and writes the ledger in the store `store` names (seeded from the shipped
// snapshot when empty); a store that will not open is exit 2 for a bad spec, else 1.
//
// `orchestra ledger show [SUBNET] [--json]`: the ledger as a table (subnet, name,
// capabilities, latency avg/p95, reliability, cost, last_updated), or one subnet's whole
// entry; --json prints our ledger form (ledger_format, version, entries) or {SUBNET: entry}.
// Exit 0, 2 for a subnet the ledger does not hold (the message lists those it does).
//
// `orchestra ledger export FILE`: writes the ledger as a signed export (ledger/exchange.h)
// signed with the miner's hotkey; the file is replaced whole or not at all. Exit 0, 2 bad
// input (wallet), 1 could not write.
//
// `orchestra ledger import FILE_OR_URL [--allow-unsigned] [--trust SS58]... [--json]`: checks
// the document (ledger::ReadImport: signature, hash, version, signer), then writes its entries
// into the ledger (ledger::ApplyImport: each entry atomically, judged against the stored value,
// so a concurrent writer's newer entry is kept), and reports every entry: added, updated (with
// the fields), unchanged, kept ours (ours is newer), rejected (with the reason). Exit 0
// imported; 1 refused (nothing written; the reason on stderr) or some entries rejected (the
// others written); 2 bad input (flags, a file or URL that cannot be read, not JSON).
//
// `orchestra ledger diff A B [--json]`: what changed from A to B, each a ledger file (either
// form), an export (its content; the signature is not checked: import checks it), an http://
// URL, or "current" (the store's ledger): per subnet added, removed, or changed fields with
// old and new values. Exit 0 identical, 1 different, 2 bad input.
int LedgerCommand(const LedgerFlags& flags);

}  // namespace orchestra::cli
