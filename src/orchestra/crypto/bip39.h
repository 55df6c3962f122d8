#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/result.h"
#include "orchestra/crypto/sr25519.h"

namespace orchestra::crypto {

// BIP39 mnemonics with the English wordlist (compiled in from data/bip39/english.txt), and
// Substrate's mnemonic → mini-secret rule (PBKDF2 over the entropy, not over the phrase).

// A new phrase of `words` words (12, 15, 18, 21 or 24) from libsodium's randombytes.
Result<std::string> GenerateMnemonic(int words = 12);

// The phrase for `entropy` (16, 20, 24, 28 or 32 bytes), words separated by one space.
Result<std::string> EntropyToMnemonic(std::string_view entropy);

// The entropy a phrase encodes. Words may be separated by any whitespace and in any letter
// case. Errors (kInvalidArgument) name the problem: a word count other than 12/15/18/21/24, the
// position and text of a word not in the list (with the word it was probably meant to be), or
// a checksum mismatch (a wrong word or wrong order).
Result<std::vector<uint8_t>> MnemonicToEntropy(std::string_view phrase);

// Substrate's mini-secret: PBKDF2-HMAC-SHA512(entropy, "mnemonic" + password, 2048)[0..32].
// `password` is used as given (callers wanting BIP39's NFKD must normalise non-ASCII text).
// Errors on entropy outside 16..32 bytes or not a multiple of 4.
Result<MiniSecret> MiniSecretFromEntropy(std::string_view entropy, std::string_view password = "");

// MnemonicToEntropy then MiniSecretFromEntropy.
Result<MiniSecret> MiniSecretFromMnemonic(std::string_view phrase, std::string_view password = "");

// The 2048 English words in order, or an error (kInternal) if the compiled-in list is damaged.
Result<const std::vector<std::string_view>*> EnglishWordlist();

}  // namespace orchestra::crypto
