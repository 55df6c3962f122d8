// `$NACL` keyfiles made outside the project, opened by our keyfile code: one pinned vector made
// by tests/interop/make_nacl_keyfile.py (PyNaCl, following btwallet's keyfile.rs byte for byte)
// that runs everywhere, and a live run of that script. The live test is a reference test: with
// CI=true a missing reference (the script, a python3 with PyNaCl) fails naming what is missing;
// elsewhere it skips, loudly.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "orchestra/core/reference_test_util.h"
#include "orchestra/crypto/hex.h"
#include "orchestra/crypto/keyfile.h"

namespace orchestra::crypto {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPassword = "correct horse battery staple";
constexpr std::string_view kPhrase =
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
constexpr std::string_view kPublicHex =
    "0x46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a";
constexpr std::string_view kAddress = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";

// make_nacl_keyfile.py --password "correct horse battery staple" --phrase <kPhrase>
//   --public-key <kPublicHex> --ss58 <kAddress>
//   --nonce-hex 000102030405060708090a0b0c0d0e0f1011121314151617
// (PyNaCl 1.5.0, libsodium 1.0.18): "$NACL", the nonce, the MAC and the sealed JSON.
constexpr std::string_view kPinnedKeyfileHex =
    "244e41434c000102030405060708090a0b0c0d0e0f10111213141516176286fcc697e4b0bb996288cb074700"
    "06504daf94ad14a4a4760d89379ddf20f26c8cdb763ba5b73b302a4612870492687296489496ff4ec48fe32a"
    "cae881ef537038074f9544623d7067e976123516fb5efe9057ec90794669c265df4ad24bf09be073fdd7a2ff"
    "d73b610ecebdf22c6c5b5a3715338fee2753796db91dad58e3d159363903cdff7e2d61652bbaf4bcfcb425b5"
    "c9e917412e8074ca43fde9ee75554e89e5dbd52d9c42e630cea70bed19358c4b6fd05a7470319edfa0175b27"
    "bd47e736fb1ae75b431e4f443aea6341c24806fcd8dd4aa45c317809c76b8e44b00555509ca3301b3be6dc26"
    "e9854aa51820eb03cd718c7b1a88dda1d521014a4c65dc01e0f1e22347b66ee7377b6028d198cac4f7890680"
    "07d2fbe2079919391586cc2f0138165073b355ea1072bd107300dc5c41247353859d5276e634f1e706c8e21d"
    "7b4a0933fb22e006";

std::string Bytes(std::string_view hex) {
  auto bytes = DecodeHex(hex, "pinned keyfile");
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : std::string();
}

// Decrypts with btwallet's KDF and checks the key material against the BIP39 test vector.
void ExpectOpensToTheTestVector(const std::string& sealed, std::string_view what) {
  ASSERT_TRUE(IsEncryptedKeyfile(sealed)) << what;
  auto plain = DecryptKeyfile(sealed, kPassword);
  ASSERT_TRUE(plain.ok()) << what << ": " << plain.error().message;
  auto key = ParseKeyfile(*plain, what);
  ASSERT_TRUE(key.ok()) << what << ": " << key.error().message;
  EXPECT_EQ(key->ss58_address, kAddress);
  EXPECT_EQ(key->public_key.ToHex(), kPublicHex);
  EXPECT_EQ(key->secret_phrase, std::string(kPhrase));
  ASSERT_TRUE(key->keypair.has_value()) << "the secret did not come out of " << what;
  EXPECT_EQ(key->keypair->public_key().ToHex(), kPublicHex);
}

TEST(KeyfileReferenceTest, PinnedPyNaClKeyfileOpensWithBtwalletsKdf) {
  const std::string sealed = Bytes(kPinnedKeyfileHex);
  ASSERT_EQ(sealed.size(), 5 + 24 + 16 + 315u);  // $NACL, nonce, MAC, the JSON
  ExpectOpensToTheTestVector(sealed, "pinned make_nacl_keyfile.py keyfile");
  // Same bytes, wrong password: refused, not misread.
  auto wrong = DecryptKeyfile(sealed, "Correct horse battery staple");
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.error().message, ::testing::HasSubstr("wrong password"));
}

// --- The live reference -------------------------------------------------------------------

// A python3 that imports PyNaCl: the one on PATH (a pyenv one, often without it), else
// Debian's, which scripts/setup gives python3-nacl.
std::optional<std::string> PythonWithNacl() {
  for (const char* python : {"python3", "/usr/bin/python3"}) {
    const std::string probe =
        std::string(python) + " -c 'import nacl.pwhash, nacl.secret' > /dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return std::string(python);
  }
  return std::nullopt;
}

TEST(KeyfileReferenceTest, KeyfileMadeByPyNaClFollowingBtwalletOpens) {
  const auto python = PythonWithNacl();
  ORCHESTRA_REQUIRE_REFERENCE(
      python ? ""
             : "no python3 with PyNaCl (neither python3 on PATH nor /usr/bin/python3 imports "
               "nacl); install Debian's python3-nacl (scripts/setup does)");
  const fs::path script =
      orchestra::testing::SourceDir() / "tests" / "interop" / "make_nacl_keyfile.py";
  const fs::path out =
      fs::temp_directory_path() / ("orchestra_pynacl_keyfile_" + std::to_string(getpid()));
  const std::string command = *python + " " + script.string() + " --out " + out.string() +
                              " --password '" + std::string(kPassword) + "' --phrase '" +
                              std::string(kPhrase) + "' --public-key " + std::string(kPublicHex) +
                              " --ss58 " + std::string(kAddress);
  const int status = std::system(command.c_str());
  ASSERT_EQ(status, 0) << "failed: " << command;
  auto sealed = ReadKeyfile(out);
  fs::remove(out);
  ASSERT_TRUE(sealed.ok()) << sealed.error().message;
  ExpectOpensToTheTestVector(*sealed, "make_nacl_keyfile.py keyfile");
}

}  // namespace
}  // namespace orchestra::crypto
