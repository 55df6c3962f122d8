#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace orchestra::crypto {

// STROBE-128 (protocol version "STROBEv1.0.2", Keccak-f[1600], 128-bit security) reduced to
// the operations Merlin uses: meta-AD, AD, PRF and KEY, byte-for-byte as merlin's strobe.rs.
// `more` continues the previous operation when it is of the same kind (and otherwise starts a
// new one); transport operations do not exist in this subset. A value type: copying forks the
// duplex state. The state is wiped on destruction.
class Strobe128 {
 public:
  explicit Strobe128(std::string_view protocol_label);
  ~Strobe128();
  Strobe128(const Strobe128&) = default;
  Strobe128& operator=(const Strobe128&) = default;

  void MetaAd(std::string_view data, bool more);
  void Ad(std::string_view data, bool more);
  // Fills `out` with pseudo-random bytes bound to everything absorbed so far.
  void Prf(std::span<uint8_t> out, bool more);
  void Key(std::string_view data, bool more);

 private:
  void BeginOp(uint8_t flags, bool more);
  void Absorb(std::string_view data);
  void Overwrite(std::string_view data);
  void Squeeze(std::span<uint8_t> out);
  void RunF();

  std::array<uint8_t, 200> state_{};
  uint8_t pos_ = 0;
  uint8_t pos_begin_ = 0;
  uint8_t cur_flags_ = 0;
};

}  // namespace orchestra::crypto
