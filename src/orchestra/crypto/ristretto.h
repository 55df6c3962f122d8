#pragma once

// Variable-time ristretto255 arithmetic for signature verification (RFC 9496).
//
// Everything here takes time that depends on its inputs, so it must only ever see public data:
// public keys, signatures, messages. Anything touching a secret (signing, key derivation) stays
// on libsodium's constant-time API.
//
// The scalar multiplications by a table (FixedBaseTable, the basepoint's) add their table points
// four field multiplications at a time on AVX-512 IFMA where the CPU has it (ristretto_ifma.h;
// sr25519_bench on AMD Zen 4: twice as fast), with the same results as the portable code.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace orchestra::crypto::ristretto {

using Bytes32 = std::array<uint8_t, 32>;

// An element of GF(2^255 - 19) as five 51-bit limbs, least significant first. Between
// operations a limb may exceed 2^51 a little (results of -, * and Square stay below 2^52), so
// two equal elements can have different limbs: compare with ==, which reduces.
struct FieldElement {
  std::array<uint64_t, 5> limbs;
};

// The element that the 32 little-endian bytes spell, bit 255 ignored. Values from p to
// 2^255 - 1 are taken mod p: check canonicality by comparing ToBytes of the result.
FieldElement FromBytes(const Bytes32& bytes);
// The canonical (fully reduced, < p) little-endian encoding.
Bytes32 ToBytes(const FieldElement& a);

// Sum without carrying: inputs must have limbs below 2^53 (any result of -, * or Square, or the
// sum of two of them), so that the result stays below 2^54, the most that * accepts.
FieldElement operator+(const FieldElement& a, const FieldElement& b);
// Difference, reduced: limbs below 2^52. `b` must have limbs below 2^54.
FieldElement operator-(const FieldElement& a, const FieldElement& b);
FieldElement operator-(const FieldElement& a);
// Product, reduced: limbs below 2^52. Inputs must have limbs below 2^54.
FieldElement operator*(const FieldElement& a, const FieldElement& b);
// Field equality (of the canonical encodings), whatever the limbs.
bool operator==(const FieldElement& a, const FieldElement& b);

// a^2, with the bounds of *.
FieldElement Square(const FieldElement& a);
// a^(2^n): n successive squarings.
FieldElement SquareTimes(const FieldElement& a, int n);
// a^((p - 5) / 8) = a^(2^252 - 3), the heart of a square root.
FieldElement Pow22523(const FieldElement& a);
// 1 / a, and 0 for a = 0.
FieldElement Invert(const FieldElement& a);
// Whether a is zero mod p.
bool IsZero(const FieldElement& a);
// Whether the canonical encoding of a is odd: RFC 9496's IS_NEGATIVE.
bool IsNegative(const FieldElement& a);
// -a when `negate`, else a.
FieldElement ConditionalNegate(const FieldElement& a, bool negate);
// |a|: a or -a, whichever is non-negative.
FieldElement Abs(const FieldElement& a);

// A point of edwards25519 in extended coordinates: x = X/Z, y = Y/Z, x·y = T/Z. As a
// ristretto255 element it stands for its whole coset of the 4-torsion subgroup, so compare
// points with Equal, never by coordinates.
struct EdwardsPoint {
  FieldElement x, y, z, t;
};

// The neutral element.
EdwardsPoint Identity();
// The ristretto255 generator B (the edwards25519 basepoint's class).
const EdwardsPoint& Basepoint();

// RFC 9496 §4.3.1 decoding: nullopt for a non-canonical field element (>= p or bit 255 set),
// a negative s, s not giving a square, a negative t or a zero y. Accepts what schnorrkel
// (curve25519-dalek) and libsodium's crypto_core_ristretto255_is_valid_point accept, except
// that libsodium 1.0.18 (Debian 12's) ignores bit 255 where the RFC rejects it.
std::optional<EdwardsPoint> Decode(const Bytes32& bytes);
// RFC 9496 §4.3.2 encoding: the canonical bytes of the point's class. Costs an inverse square
// root, so the verifier compares with Equal instead.
Bytes32 Encode(const EdwardsPoint& point);
// RFC 9496 §4.3.3: whether a and b are the same ristretto255 element, without encoding them.
bool Equal(const EdwardsPoint& a, const EdwardsPoint& b);

// a + b and 2·a as group elements.
EdwardsPoint Add(const EdwardsPoint& a, const EdwardsPoint& b);
EdwardsPoint Double(const EdwardsPoint& a);

// A point prepared as an addend: (y + x, y - x, 2·d·x·y) of its affine coordinates, which makes
// an addition cheaper by four multiplications.
struct AffineNiels {
  FieldElement y_plus_x, y_minus_x, xy2d;
};

// The multiples d·256^j·P of one point P for j < 32 and d = 1..8, so that a scalar multiple
// of P takes 64 additions and 4 doublings instead of about 250 doublings. 30 KiB; building one
// costs about as much as two verifications, so it pays for a point used several times (the
// basepoint, the public key of a frequent caller).
class FixedBaseTable {
 public:
  explicit FixedBaseTable(const EdwardsPoint& point);

  // d·256^row·P for 1 <= d <= 8.
  const AffineNiels& Multiple(int row, int d) const { return entries_[8 * row + d - 1]; }

 private:
  std::array<AffineNiels, 32 * 8> entries_;
};

// b·B for B the Basepoint, in variable time from a radix-128 table of B (277 KiB, built on
// first use; at most 37 additions, no doublings). The scalar is a 32-byte little-endian integer
// below 2^255. Its time depends on b: only where the secrecy of b does not matter (see
// Keypair::WithVariableTimeSigning in sr25519.h).
EdwardsPoint ScalarMulBasepoint(const Bytes32& b);

// a·A + b·B for B the Basepoint, in variable time (width-w NAF, table of B built once). The
// scalars are 32-byte little-endian integers below 2^255 (every scalar reduced mod the group
// order is); no reduction mod the group order is needed, the group takes care of it.
EdwardsPoint DoubleScalarMulBasepoint(const Bytes32& a, const EdwardsPoint& point,
                                      const Bytes32& b);

// The same for a point given by its FixedBaseTable (radix-16 digits of a, four doublings, then
// b·B as ScalarMulBasepoint adds it): about 2.5 times as fast. Same scalar bounds.
EdwardsPoint DoubleScalarMulBasepoint(const Bytes32& a, const FixedBaseTable& point,
                                      const Bytes32& b);

}  // namespace orchestra::crypto::ristretto
