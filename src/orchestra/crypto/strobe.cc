#include "orchestra/crypto/strobe.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "orchestra/crypto/keccak.h"

namespace orchestra::crypto {
namespace {

constexpr uint8_t kStrobeR = 166;  // 168-byte Keccak rate less the two framing bytes

constexpr uint8_t kFlagI = 1;
constexpr uint8_t kFlagA = 1 << 1;
constexpr uint8_t kFlagC = 1 << 2;
constexpr uint8_t kFlagM = 1 << 4;
constexpr uint8_t kFlagK = 1 << 5;

}  // namespace

Strobe128::Strobe128(std::string_view protocol_label) {
  // The state after the domain block is the same for every instance: permuted once, not once
  // per transcript (a signature and a verification each start one).
  static const std::array<uint8_t, 200> kInitialState = [] {
    constexpr uint8_t kDomain[] = {1, kStrobeR + 2, 1, 0, 1, 96};
    constexpr std::string_view kVersion = "STROBEv1.0.2";
    std::array<uint8_t, 200> state{};
    for (size_t i = 0; i < sizeof(kDomain); ++i) state[i] = kDomain[i];
    for (size_t i = 0; i < kVersion.size(); ++i) {
      state[sizeof(kDomain) + i] = static_cast<uint8_t>(kVersion[i]);
    }
    KeccakF1600(state);
    return state;
  }();
  state_ = kInitialState;
  MetaAd(protocol_label, false);
}

Strobe128::~Strobe128() { sodium_memzero(state_.data(), state_.size()); }

void Strobe128::MetaAd(std::string_view data, bool more) {
  BeginOp(kFlagM | kFlagA, more);
  Absorb(data);
}

void Strobe128::Ad(std::string_view data, bool more) {
  BeginOp(kFlagA, more);
  Absorb(data);
}

void Strobe128::Prf(std::span<uint8_t> out, bool more) {
  BeginOp(kFlagI | kFlagA | kFlagC, more);
  Squeeze(out);
}

void Strobe128::Key(std::string_view data, bool more) {
  BeginOp(kFlagA | kFlagC, more);
  Overwrite(data);
}

void Strobe128::BeginOp(uint8_t flags, bool more) {
  // Every caller is in this module and continues an operation only with its own flags.
  if (more && flags == cur_flags_) return;
  const uint8_t old_begin = pos_begin_;
  pos_begin_ = static_cast<uint8_t>(pos_ + 1);
  cur_flags_ = flags;
  const char frame[2] = {static_cast<char>(old_begin), static_cast<char>(flags)};
  Absorb(std::string_view(frame, 2));
  const bool force_f = (flags & (kFlagC | kFlagK)) != 0;
  if (force_f && pos_ != 0) RunF();
}

// The three below work a block at a time (up to the rate, where F runs), so that their inner
// loops are plain byte loops the compiler vectorises: transcripts absorb messages of hundreds
// of bytes.
void Strobe128::Absorb(std::string_view data) {
  while (!data.empty()) {
    const size_t n = std::min<size_t>(data.size(), kStrobeR - pos_);
    uint8_t* block = state_.data() + pos_;
    for (size_t i = 0; i < n; ++i) block[i] ^= static_cast<uint8_t>(data[i]);
    data.remove_prefix(n);
    pos_ = static_cast<uint8_t>(pos_ + n);
    if (pos_ == kStrobeR) RunF();
  }
}

void Strobe128::Overwrite(std::string_view data) {
  while (!data.empty()) {
    const size_t n = std::min<size_t>(data.size(), kStrobeR - pos_);
    std::memcpy(state_.data() + pos_, data.data(), n);
    data.remove_prefix(n);
    pos_ = static_cast<uint8_t>(pos_ + n);
    if (pos_ == kStrobeR) RunF();
  }
}

void Strobe128::Squeeze(std::span<uint8_t> out) {
  while (!out.empty()) {
    const size_t n = std::min<size_t>(out.size(), kStrobeR - pos_);
    std::memcpy(out.data(), state_.data() + pos_, n);
    std::memset(state_.data() + pos_, 0, n);
    out = out.subspan(n);
    pos_ = static_cast<uint8_t>(pos_ + n);
    if (pos_ == kStrobeR) RunF();
  }
}

void Strobe128::RunF() {
  state_[pos_] ^= pos_begin_;
  state_[pos_ + 1] ^= 0x04;
  state_[kStrobeR + 1] ^= 0x80;
  KeccakF1600(state_);
  pos_ = 0;
  pos_begin_ = 0;
}

}  // namespace orchestra::crypto
