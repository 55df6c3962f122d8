#include "orchestra/crypto/merlin.h"

#include <string>

namespace orchestra::crypto {
namespace {

std::array<char, 4> LengthLe32(size_t length) {
  const auto n = static_cast<uint32_t>(length);
  return {static_cast<char>(n), static_cast<char>(n >> 8), static_cast<char>(n >> 16),
          static_cast<char>(n >> 24)};
}

std::string_view View(const std::array<char, 4>& bytes) {
  return std::string_view(bytes.data(), bytes.size());
}

}  // namespace

Transcript::Transcript(std::string_view label) : strobe_("Merlin v1.0") {
  AppendMessage("dom-sep", label);
}

void Transcript::AppendMessage(std::string_view label, std::string_view message) {
  const auto length = LengthLe32(message.size());
  strobe_.MetaAd(label, false);
  strobe_.MetaAd(View(length), true);
  strobe_.Ad(message, false);
}

void Transcript::AppendU64(std::string_view label, uint64_t value) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
  AppendMessage(label, std::string_view(bytes, 8));
}

void Transcript::ChallengeBytes(std::string_view label, std::span<uint8_t> out) {
  const auto length = LengthLe32(out.size());
  strobe_.MetaAd(label, false);
  strobe_.MetaAd(View(length), true);
  strobe_.Prf(out, false);
}

TranscriptRngBuilder& TranscriptRngBuilder::RekeyWithWitnessBytes(std::string_view label,
                                                                  std::string_view witness) {
  const auto length = LengthLe32(witness.size());
  strobe_.MetaAd(label, false);
  strobe_.MetaAd(View(length), true);
  strobe_.Key(witness, false);
  return *this;
}

void TranscriptRngBuilder::Finalize(const std::array<uint8_t, 32>& entropy,
                                    std::span<uint8_t> out) {
  strobe_.MetaAd("rng", false);
  strobe_.Key(std::string_view(reinterpret_cast<const char*>(entropy.data()), entropy.size()),
              false);
  const auto length = LengthLe32(out.size());
  strobe_.MetaAd(View(length), false);
  strobe_.Prf(out, false);
}

}  // namespace orchestra::crypto
