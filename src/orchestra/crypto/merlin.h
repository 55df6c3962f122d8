#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "orchestra/crypto/strobe.h"

namespace orchestra::crypto {

// A Merlin transcript (merlin v1.0 on STROBE-128): a running hash of labelled messages from
// which challenges are drawn. Byte-compatible with the merlin crate, and so with schnorrkel.
// Copying forks the transcript. Messages longer than 4 GiB do not exist here (lengths are
// framed as little-endian u32).
class Transcript {
 public:
  // Starts a transcript for the protocol named `label` ("dom-sep" message).
  explicit Transcript(std::string_view label);

  void AppendMessage(std::string_view label, std::string_view message);
  void AppendU64(std::string_view label, uint64_t value);
  // Fills `out` with challenge bytes bound to the whole transcript, and to `label`.
  void ChallengeBytes(std::string_view label, std::span<uint8_t> out);

 private:
  friend class TranscriptRngBuilder;
  Strobe128 strobe_;
};

// Merlin's transcript RNG: secret witness bytes bound to the public transcript, to secret
// `witness` inputs, and to 32 bytes of outside randomness, so a bad random source alone
// cannot leak a key (schnorrkel's witness_bytes / witness_scalar).
class TranscriptRngBuilder {
 public:
  explicit TranscriptRngBuilder(const Transcript& transcript) : strobe_(transcript.strobe_) {}

  TranscriptRngBuilder& RekeyWithWitnessBytes(std::string_view label, std::string_view witness);
  // Mixes in `entropy` and fills `out`; the builder is spent afterwards.
  void Finalize(const std::array<uint8_t, 32>& entropy, std::span<uint8_t> out);

 private:
  Strobe128 strobe_;
};

}  // namespace orchestra::crypto
