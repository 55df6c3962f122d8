#include "orchestra/crypto/ristretto.h"

#include <cstdlib>
#include <utility>
#include <vector>

#include "orchestra/crypto/ristretto_ifma.h"

namespace orchestra::crypto::ristretto {
namespace {

using internal::SignedAddend;

using Wide = unsigned __int128;

constexpr uint64_t kLimbMask = (uint64_t{1} << 51) - 1;

constexpr FieldElement kZero = {{0, 0, 0, 0, 0}};
constexpr FieldElement kOne = {{1, 0, 0, 0, 0}};
// d = -121665/121666, the edwards25519 curve constant, and 2·d.
constexpr FieldElement kD = {
    {929955233495203, 466365720129213, 1662059464998953, 2033849074728123, 1442794654840575}};
constexpr FieldElement kD2 = {
    {1859910466990425, 932731440258426, 1072319116312658, 1815898335770999, 633789495995903}};
// The non-negative square root of -1.
constexpr FieldElement kSqrtM1 = {
    {1718705420411056, 234908883556509, 2233514472574048, 2117202627021982, 765476049583133}};
// 1/sqrt(a - d) with a = -1, non-negative (RFC 9496 INVSQRT_A_MINUS_D).
constexpr FieldElement kInvSqrtAMinusD = {
    {278908739862762, 821645201101625, 8113234426968, 1777959178193151, 2118520810568447}};

// The ristretto255 encoding of the generator (RFC 9496 appendix A.1).
constexpr Bytes32 kBasepointEncoding = {
    0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71, 0xa8, 0x84, 0xa9, 0x61, 0xc5, 0x00, 0x51, 0x5f,
    0x58, 0xe3, 0x0b, 0x6a, 0xa5, 0x82, 0xdd, 0x8d, 0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76};

// NAF widths: 8 odd multiples of the per-call point are worth computing each call; the 64 of
// the basepoint are computed once, so its wider window only saves additions.
constexpr int kPointWindow = 5;
constexpr int kBasepointWindow = 8;

// Carries every limb into the next (the top one wraps around as 19 = 2^255 mod p), leaving
// limbs below 2^51 + 2^18. Written out limb by limb, as the products below, so that the
// compiler keeps the limbs in registers.
FieldElement WeakReduce(uint64_t l0, uint64_t l1, uint64_t l2, uint64_t l3, uint64_t l4) {
  return {{(l0 & kLimbMask) + (l4 >> 51) * 19, (l1 & kLimbMask) + (l0 >> 51),
           (l2 & kLimbMask) + (l1 >> 51), (l3 & kLimbMask) + (l2 >> 51),
           (l4 & kLimbMask) + (l3 >> 51)}};
}

// Propagates the 128-bit column sums of a product into limbs below 2^52. Two carry chains run
// side by side (0 -> 1 -> 2 -> 3 -> 4 and 3 -> 4 -> 0 -> 1), so the longest takes four steps
// instead of six: squarings, which the square roots chain by the hundred, wait on it.
FieldElement CarryProduct(Wide c0, Wide c1, Wide c2, Wide c3, Wide c4) {
  c1 += c0 >> 51;
  uint64_t l0 = static_cast<uint64_t>(c0) & kLimbMask;
  c4 += c3 >> 51;
  uint64_t l3 = static_cast<uint64_t>(c3) & kLimbMask;
  c2 += c1 >> 51;
  uint64_t l1 = static_cast<uint64_t>(c1) & kLimbMask;
  // c4 has no ·19 terms, so (inputs below 2^54) its carry is below 2^60 and 19 times it fits in
  // 64 bits; the carry c2 passes to l3 fits likewise.
  l0 += static_cast<uint64_t>(c4 >> 51) * 19;
  uint64_t l4 = static_cast<uint64_t>(c4) & kLimbMask;
  l3 += static_cast<uint64_t>(c2 >> 51);
  const uint64_t l2 = static_cast<uint64_t>(c2) & kLimbMask;
  l1 += l0 >> 51;
  l0 &= kLimbMask;
  l4 += l3 >> 51;
  l3 &= kLimbMask;
  return {{l0, l1, l2, l3, l4}};
}

Wide WideMul(uint64_t a, uint64_t b) { return static_cast<Wide>(a) * b; }

uint64_t Load64(const uint8_t* bytes) {
  uint64_t word = 0;
  for (int i = 7; i >= 0; --i) word = (word << 8) | bytes[i];
  return word;
}

void Store64(uint64_t word, uint8_t* bytes) {
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(word >> (8 * i));
}

// RFC 9496 SQRT_RATIO_M1: (true, sqrt(u/v)) if u/v is a square, else (false, sqrt(i·u/v)),
// the root non-negative either way; (false, 0) for v = 0 and u != 0.
std::pair<bool, FieldElement> SqrtRatioM1(const FieldElement& u, const FieldElement& v) {
  const FieldElement v3 = Square(v) * v;
  const FieldElement v7 = Square(v3) * v;
  FieldElement r = (u * v3) * Pow22523(u * v7);
  const FieldElement check = v * Square(r);
  const bool correct_sign = check == u;
  const bool flipped_sign = check == -u;
  const bool flipped_sign_i = check == -(u * kSqrtM1);
  if (flipped_sign || flipped_sign_i) r = r * kSqrtM1;
  return {correct_sign || flipped_sign, Abs(r)};
}

// The intermediate coordinate systems of edwards25519 arithmetic (as in ref10):
//   projective (X:Y:Z), x = X/Z, y = Y/Z: enough to double;
//   completed ((X:Z), (Y:T)), x = X/Z, y = Y/T: what doubling and addition produce;
//   Niels forms of an addend, precomputing Y+X, Y-X and 2·d·T so an addition costs fewer
//   multiplications; the affine one (Z = 1) saves one more.
struct ProjectivePoint {
  FieldElement x, y, z;
};

struct CompletedPoint {
  FieldElement x, y, z, t;
};

struct ProjectiveNiels {
  FieldElement y_plus_x, y_minus_x, z, t2d;
};

// [[gnu::flatten]] on the point formulas and on the square-root chain inlines the field
// operations into them, so the limbs stay in registers instead of going through memory as
// 40-byte results (sr25519_bench, medians: Decode 4.6 -> 3.2 us, Encode 4.6 -> 3.1 us, verify
// 19 -> 18 us). Not on the scalar multiplications: flattened whole, their loops ran about 15%
// slower.
[[gnu::flatten]] ProjectivePoint ToProjective(const CompletedPoint& p) {
  return {p.x * p.t, p.y * p.z, p.z * p.t};
}

[[gnu::flatten]] EdwardsPoint ToExtended(const CompletedPoint& p) {
  return {p.x * p.t, p.y * p.z, p.z * p.t, p.x * p.y};
}

EdwardsPoint ToExtended(const ProjectivePoint& p) {
  return {p.x * p.z, p.y * p.z, Square(p.z), p.x * p.y};
}

ProjectiveNiels ToProjectiveNiels(const EdwardsPoint& p) {
  return {p.y + p.x, p.y - p.x, p.z, p.t * kD2};
}

// The table form of the point (x, y). Every limb below 2^51 + 2^18, y + x carried like the
// others: SumIfma reads only 52 bits of a limb.
AffineNiels NielsOfAffine(const FieldElement& x, const FieldElement& y) {
  const FieldElement sum = y + x;
  return {WeakReduce(sum.limbs[0], sum.limbs[1], sum.limbs[2], sum.limbs[3], sum.limbs[4]), y - x,
          x * y * kD2};
}

AffineNiels ToAffineNiels(const EdwardsPoint& p) {
  const FieldElement z_inverse = Invert(p.z);
  return NielsOfAffine(p.x * z_inverse, p.y * z_inverse);
}

// 2·p, by the dedicated doubling formula for a = -1 (4 squarings).
[[gnu::flatten]] CompletedPoint DoubleToCompleted(const ProjectivePoint& p) {
  const FieldElement xx = Square(p.x);
  const FieldElement yy = Square(p.y);
  const FieldElement zz = Square(p.z);
  const FieldElement zz2 = zz + zz;
  const FieldElement yy_plus_xx = yy + xx;
  const FieldElement yy_minus_xx = yy - xx;
  return {Square(p.x + p.y) - yy_plus_xx, yy_plus_xx, yy_minus_xx, zz2 - yy_minus_xx};
}

// p + q, or p - q when `subtract` (negating q swaps Y+X with Y-X and negates T).
[[gnu::flatten]] CompletedPoint AddToCompleted(const EdwardsPoint& p, const ProjectiveNiels& q,
                                               bool subtract) {
  const FieldElement pp = (p.y + p.x) * (subtract ? q.y_minus_x : q.y_plus_x);
  const FieldElement mm = (p.y - p.x) * (subtract ? q.y_plus_x : q.y_minus_x);
  const FieldElement tt2d = p.t * q.t2d;
  const FieldElement zz = p.z * q.z;
  const FieldElement zz2 = zz + zz;
  if (subtract) return {pp - mm, pp + mm, zz2 - tt2d, zz2 + tt2d};
  return {pp - mm, pp + mm, zz2 + tt2d, zz2 - tt2d};
}

[[gnu::flatten]] CompletedPoint AddToCompleted(const EdwardsPoint& p, const AffineNiels& q,
                                               bool subtract) {
  const FieldElement pp = (p.y + p.x) * (subtract ? q.y_minus_x : q.y_plus_x);
  const FieldElement mm = (p.y - p.x) * (subtract ? q.y_plus_x : q.y_minus_x);
  const FieldElement tt2d = p.t * q.xy2d;
  const FieldElement zz2 = p.z + p.z;
  if (subtract) return {pp - mm, pp + mm, zz2 - tt2d, zz2 + tt2d};
  return {pp - mm, pp + mm, zz2 + tt2d, zz2 - tt2d};
}

// P, 3P, 5P, ..., (2N - 1)P.
template <size_t N>
std::array<EdwardsPoint, N> OddMultiples(const EdwardsPoint& p) {
  std::array<EdwardsPoint, N> multiples;
  multiples[0] = p;
  const ProjectiveNiels p2 = ToProjectiveNiels(Double(p));
  for (size_t i = 1; i < N; ++i) {
    multiples[i] = ToExtended(AddToCompleted(multiples[i - 1], p2, false));
  }
  return multiples;
}

constexpr size_t TableSize(int window) { return size_t{1} << (window - 2); }

const std::array<AffineNiels, TableSize(kBasepointWindow)>& BasepointNafTable() {
  static const auto table = [] {
    std::array<AffineNiels, TableSize(kBasepointWindow)> niels;
    const auto multiples = OddMultiples<TableSize(kBasepointWindow)>(Basepoint());
    for (size_t i = 0; i < niels.size(); ++i) niels[i] = ToAffineNiels(multiples[i]);
    return niels;
  }();
  return table;
}

// The width-w non-adjacent form of a scalar below 2^255: digits d[i], odd and of absolute
// value below 2^(w-1) or zero, with at most one non-zero among any w consecutive ones and
// sum of d[i]·2^i equal to the scalar. Below 2^255 guarantees the last carry fits in 256 digits.
std::array<int8_t, 256> NonAdjacentForm(const Bytes32& scalar, int w) {
  std::array<uint64_t, 5> words = {};
  for (int i = 0; i < 4; ++i) words[i] = Load64(scalar.data() + 8 * i);
  // The w bits from bit `pos` on (w <= 8, so they straddle at most two words).
  const auto bits_at = [&words, w](int pos) {
    const int word = pos / 64;
    const int shift = pos % 64;
    uint64_t bits = words[word] >> shift;
    if (shift + w > 64) bits |= words[word + 1] << (64 - shift);
    return bits & ((uint64_t{1} << w) - 1);
  };

  std::array<int8_t, 256> naf = {};
  const int width = 1 << w;
  int carry = 0;
  for (int pos = 0; pos < 256;) {
    const int window = carry + static_cast<int>(bits_at(pos));
    if ((window & 1) == 0) {
      // Even window: this digit is zero and any carry moves up to the next bit.
      ++pos;
      continue;
    }
    // An odd window becomes a digit in (-2^(w-1), 2^(w-1)), borrowing 2^w from above if needed.
    carry = window >= width / 2 ? 1 : 0;
    naf[pos] = static_cast<int8_t>(window - carry * width);
    pos += w;
  }
  return naf;
}

// Signed radix-16 digits e[i] in [-8, 8] with sum of e[i]·16^i equal to the scalar (below
// 2^255, so that the last carry leaves e[63] <= 8).
std::array<int8_t, 64> Radix16(const Bytes32& scalar) {
  std::array<int8_t, 64> digits;
  for (int i = 0; i < 32; ++i) {
    digits[2 * i] = static_cast<int8_t>(scalar[i] & 15);
    digits[2 * i + 1] = static_cast<int8_t>(scalar[i] >> 4);
  }
  int carry = 0;
  for (int i = 0; i < 63; ++i) {
    const int digit = digits[i] + carry;
    carry = (digit + 8) >> 4;
    digits[i] = static_cast<int8_t>(digit - (carry << 4));
  }
  digits[63] = static_cast<int8_t>(digits[63] + carry);
  return digits;
}

// start + Σ ±addends in [begin, end), on AVX-512 IFMA where the CPU has it.
EdwardsPoint Sum(const EdwardsPoint& start, const SignedAddend* begin, const SignedAddend* end) {
  const auto count = static_cast<size_t>(end - begin);
  if (internal::HaveIfma()) return internal::SumIfma(start, begin, count);
  return internal::SumPortable(start, begin, count);
}

// Appends digit·(the table's row) for the digits e[first], e[first + 2], ... of a radix-16
// scalar (32 of them: one per row), skipping zeros. Returns the new end.
SignedAddend* AppendDigits(const FixedBaseTable& table, const std::array<int8_t, 64>& digits,
                           int first, SignedAddend* out) {
  for (int row = 0; row < 32; ++row) {
    const int digit = digits[2 * row + first];
    if (digit != 0) *out++ = {&table.Multiple(row, std::abs(digit)), digit < 0};
  }
  return out;
}

// Fills `entries` (rows · per_row of them) with d·2^(shift·row)·P for d = 1..per_row, as affine
// Niels points: one inversion for all the Z coordinates (Montgomery's trick: prefix products,
// the inverse of the whole product, then one factor peeled off per point from the top down).
void FillMultiples(const EdwardsPoint& point, int rows, int per_row, int shift,
                   AffineNiels* entries) {
  const size_t count = static_cast<size_t>(rows) * static_cast<size_t>(per_row);
  std::vector<EdwardsPoint> multiples(count);
  EdwardsPoint row_base = point;  // 2^(shift·row)·P
  for (int row = 0; row < rows; ++row) {
    const ProjectiveNiels addend = ToProjectiveNiels(row_base);
    const size_t first = static_cast<size_t>(row) * static_cast<size_t>(per_row);
    multiples[first] = row_base;
    for (size_t d = 1; d < static_cast<size_t>(per_row); ++d) {
      multiples[first + d] = ToExtended(AddToCompleted(multiples[first + d - 1], addend, false));
    }
    for (int i = 0; i < shift; ++i) row_base = Double(row_base);
  }
  std::vector<FieldElement> prefix(count);
  FieldElement product = kOne;
  for (size_t i = 0; i < count; ++i) {
    prefix[i] = product;
    product = product * multiples[i].z;
  }
  FieldElement inverse = Invert(product);
  for (size_t i = count; i-- > 0;) {
    const FieldElement z_inverse = inverse * prefix[i];
    inverse = inverse * multiples[i].z;
    entries[i] = NielsOfAffine(multiples[i].x * z_inverse, multiples[i].y * z_inverse);
  }
}

// The basepoint's multiples d·2^(w·j)·B for d = 1..2^(w-1) and j < kBasepointRows, built on
// first use: a scalar multiple of B then takes one addition per signed radix-2^w digit, where
// the radix-16 FixedBaseTable takes about 60 and four doublings. Only for the basepoint, which
// every signature and verification uses; per-key tables stay at radix 16 (30 KiB each).
// w = 7: at most 37 additions and 37 · 64 entries (277 KiB), which stay in a 1 MiB L2 cache
// next to the per-key tables; w = 5 took 52 additions (sr25519_bench, best of six alternating
// runs: variable-time sign 13.0 -> 11.7 us, verify 17.9 -> 16.9 us) and w = 6 43. Digits are
// int8_t, so w <= 7.
constexpr int kBasepointDigitBits = 7;
static_assert(kBasepointDigitBits <= 7);
constexpr int kBasepointPerRow = 1 << (kBasepointDigitBits - 1);
// Digits of a scalar below 2^255, the last one taking the final carry.
constexpr int kBasepointRows = 255 / kBasepointDigitBits + 1;
static_assert(255 - (kBasepointRows - 1) * kBasepointDigitBits <= kBasepointDigitBits - 1,
              "the top digit plus the carry must stay within 2^(w-1)");

const std::vector<AffineNiels>& BasepointDigitTable() {
  static const std::vector<AffineNiels> table = [] {
    std::vector<AffineNiels> entries(kBasepointRows * kBasepointPerRow);
    FillMultiples(Basepoint(), kBasepointRows, kBasepointPerRow, kBasepointDigitBits,
                  entries.data());
    return entries;
  }();
  return table;
}

// Signed radix-2^w digits e[i] in [-2^(w-1), 2^(w-1)] with sum of e[i]·2^(w·i) equal to the
// scalar (below 2^255).
std::array<int8_t, kBasepointRows> BasepointDigits(const Bytes32& scalar) {
  constexpr int w = kBasepointDigitBits;
  std::array<uint64_t, 5> words = {};  // the fifth stays zero: bits from 256 on
  for (int i = 0; i < 4; ++i) words[i] = Load64(scalar.data() + 8 * i);
  std::array<int8_t, kBasepointRows> digits;
  int carry = 0;
  for (int i = 0; i < kBasepointRows; ++i) {
    const int word = w * i / 64;
    const int shift = w * i % 64;
    uint64_t bits = words[word] >> shift;
    if (shift > 64 - w) bits |= words[word + 1] << (64 - shift);
    const int digit = static_cast<int>(bits & ((1u << w) - 1)) + carry;
    carry = i + 1 < kBasepointRows ? (digit + kBasepointPerRow) >> w : 0;
    digits[i] = static_cast<int8_t>(digit - (carry << w));
  }
  return digits;
}

// Appends the terms e[j]·2^(w·j)·B of b·B, one per non-zero digit of `scalar` (at most
// kBasepointRows). Returns the new end.
SignedAddend* AppendBasepointDigits(const Bytes32& scalar, SignedAddend* out) {
  const std::array<int8_t, kBasepointRows> digits = BasepointDigits(scalar);
  const std::vector<AffineNiels>& table = BasepointDigitTable();
  for (int row = 0; row < kBasepointRows; ++row) {
    const int digit = digits[row];
    if (digit != 0) *out++ = {&table[kBasepointPerRow * row + std::abs(digit) - 1], digit < 0};
  }
  return out;
}

}  // namespace

FixedBaseTable::FixedBaseTable(const EdwardsPoint& point) {
  FillMultiples(point, 32, 8, 8, entries_.data());
}

FieldElement FromBytes(const Bytes32& bytes) {
  std::array<uint64_t, 4> w;
  for (int i = 0; i < 4; ++i) w[i] = Load64(bytes.data() + 8 * i);
  return {{w[0] & kLimbMask, ((w[0] >> 51) | (w[1] << 13)) & kLimbMask,
           ((w[1] >> 38) | (w[2] << 26)) & kLimbMask, ((w[2] >> 25) | (w[3] << 39)) & kLimbMask,
           (w[3] >> 12) & kLimbMask}};
}

Bytes32 ToBytes(const FieldElement& a) {
  const auto& x = a.limbs;
  std::array<uint64_t, 5> l = WeakReduce(x[0], x[1], x[2], x[3], x[4]).limbs;
  // Now a < 2p: subtract p once if a + 19 reaches 2^255, i.e. if a >= p.
  uint64_t q = (l[0] + 19) >> 51;
  for (int i = 1; i < 5; ++i) q = (l[i] + q) >> 51;
  l[0] += 19 * q;
  for (int i = 0; i < 4; ++i) {
    l[i + 1] += l[i] >> 51;
    l[i] &= kLimbMask;
  }
  l[4] &= kLimbMask;  // drops the q·2^255

  const std::array<uint64_t, 4> w = {l[0] | (l[1] << 51), (l[1] >> 13) | (l[2] << 38),
                                     (l[2] >> 26) | (l[3] << 25), (l[3] >> 39) | (l[4] << 12)};
  Bytes32 bytes;
  for (int i = 0; i < 4; ++i) Store64(w[i], bytes.data() + 8 * i);
  return bytes;
}

FieldElement operator+(const FieldElement& a, const FieldElement& b) {
  FieldElement sum;
  for (int i = 0; i < 5; ++i) sum.limbs[i] = a.limbs[i] + b.limbs[i];
  return sum;
}

FieldElement operator-(const FieldElement& a, const FieldElement& b) {
  // Adding 16·p first keeps every limb non-negative for any b below 2^54.
  constexpr uint64_t k16PLow = 16 * ((uint64_t{1} << 51) - 19);
  constexpr uint64_t k16PHigh = 16 * ((uint64_t{1} << 51) - 1);
  return WeakReduce(a.limbs[0] + k16PLow - b.limbs[0], a.limbs[1] + k16PHigh - b.limbs[1],
                    a.limbs[2] + k16PHigh - b.limbs[2], a.limbs[3] + k16PHigh - b.limbs[3],
                    a.limbs[4] + k16PHigh - b.limbs[4]);
}

FieldElement operator-(const FieldElement& a) { return kZero - a; }

FieldElement operator*(const FieldElement& a, const FieldElement& b) {
  const auto& x = a.limbs;
  const auto& y = b.limbs;
  // Limb i·j lands at 2^(51(i+j)); past 2^255 it wraps around times 19.
  const uint64_t y1_19 = y[1] * 19, y2_19 = y[2] * 19, y3_19 = y[3] * 19, y4_19 = y[4] * 19;
  return CarryProduct(WideMul(x[0], y[0]) + WideMul(x[1], y4_19) + WideMul(x[2], y3_19) +
                          WideMul(x[3], y2_19) + WideMul(x[4], y1_19),
                      WideMul(x[0], y[1]) + WideMul(x[1], y[0]) + WideMul(x[2], y4_19) +
                          WideMul(x[3], y3_19) + WideMul(x[4], y2_19),
                      WideMul(x[0], y[2]) + WideMul(x[1], y[1]) + WideMul(x[2], y[0]) +
                          WideMul(x[3], y4_19) + WideMul(x[4], y3_19),
                      WideMul(x[0], y[3]) + WideMul(x[1], y[2]) + WideMul(x[2], y[1]) +
                          WideMul(x[3], y[0]) + WideMul(x[4], y4_19),
                      WideMul(x[0], y[4]) + WideMul(x[1], y[3]) + WideMul(x[2], y[2]) +
                          WideMul(x[3], y[1]) + WideMul(x[4], y[0]));
}

bool operator==(const FieldElement& a, const FieldElement& b) { return ToBytes(a) == ToBytes(b); }

FieldElement Square(const FieldElement& a) {
  const auto& x = a.limbs;
  // The product's symmetric terms, computed once and doubled.
  const uint64_t x0_2 = 2 * x[0], x1_2 = 2 * x[1];
  const uint64_t x3_19 = 19 * x[3], x4_19 = 19 * x[4];
  return CarryProduct(WideMul(x[0], x[0]) + WideMul(x1_2, x4_19) + WideMul(2 * x[2], x3_19),
                      WideMul(x0_2, x[1]) + WideMul(2 * x[2], x4_19) + WideMul(x[3], x3_19),
                      WideMul(x0_2, x[2]) + WideMul(x[1], x[1]) + WideMul(2 * x[3], x4_19),
                      WideMul(x0_2, x[3]) + WideMul(x1_2, x[2]) + WideMul(x[4], x4_19),
                      WideMul(x0_2, x[4]) + WideMul(x1_2, x[3]) + WideMul(x[2], x[2]));
}

[[gnu::flatten]] FieldElement SquareTimes(const FieldElement& a, int n) {
  FieldElement r = a;
  for (int i = 0; i < n; ++i) r = Square(r);
  return r;
}

[[gnu::flatten]] FieldElement Pow22523(const FieldElement& a) {
  // Addition chain of ref10: each t holds a^(2^k - 1) for the k in its name.
  const FieldElement a2 = Square(a);
  const FieldElement a9 = SquareTimes(a2, 2) * a;
  const FieldElement a11 = a9 * a2;
  const FieldElement t5 = Square(a11) * a9;  // a^31
  const FieldElement t10 = SquareTimes(t5, 5) * t5;
  const FieldElement t20 = SquareTimes(t10, 10) * t10;
  const FieldElement t40 = SquareTimes(t20, 20) * t20;
  const FieldElement t50 = SquareTimes(t40, 10) * t10;
  const FieldElement t100 = SquareTimes(t50, 50) * t50;
  const FieldElement t200 = SquareTimes(t100, 100) * t100;
  const FieldElement t250 = SquareTimes(t200, 50) * t50;
  return SquareTimes(t250, 2) * a;  // a^(2^252 - 4 + 1)
}

FieldElement Invert(const FieldElement& a) {
  // a^(p - 2) = (a^(2^252 - 3))^8 · a^3 = a^(2^255 - 21).
  return SquareTimes(Pow22523(a), 3) * Square(a) * a;
}

bool IsZero(const FieldElement& a) { return ToBytes(a) == Bytes32{}; }

bool IsNegative(const FieldElement& a) { return (ToBytes(a)[0] & 1) != 0; }

FieldElement ConditionalNegate(const FieldElement& a, bool negate) { return negate ? -a : a; }

FieldElement Abs(const FieldElement& a) { return ConditionalNegate(a, IsNegative(a)); }

EdwardsPoint Identity() { return {kZero, kOne, kOne, kZero}; }

const EdwardsPoint& Basepoint() {
  static const EdwardsPoint basepoint = *Decode(kBasepointEncoding);
  return basepoint;
}

[[gnu::flatten]] std::optional<EdwardsPoint> Decode(const Bytes32& bytes) {
  const FieldElement s = FromBytes(bytes);
  // Re-encoding catches both s >= p and bit 255 set.
  if (ToBytes(s) != bytes || IsNegative(s)) return std::nullopt;
  const FieldElement ss = Square(s);
  const FieldElement u1 = kOne - ss;
  const FieldElement u2 = kOne + ss;
  const FieldElement u2_squared = Square(u2);
  const FieldElement v = -(kD * Square(u1)) - u2_squared;
  const auto [was_square, invsqrt] = SqrtRatioM1(kOne, v * u2_squared);
  if (!was_square) return std::nullopt;
  const FieldElement den_x = invsqrt * u2;
  const FieldElement den_y = invsqrt * den_x * v;
  const FieldElement x = Abs((s + s) * den_x);
  const FieldElement y = u1 * den_y;
  const FieldElement t = x * y;
  if (IsNegative(t) || IsZero(y)) return std::nullopt;
  return EdwardsPoint{x, y, kOne, t};
}

[[gnu::flatten]] Bytes32 Encode(const EdwardsPoint& point) {
  const FieldElement u1 = (point.z + point.y) * (point.z - point.y);
  const FieldElement u2 = point.x * point.y;
  const FieldElement invsqrt = SqrtRatioM1(kOne, u1 * Square(u2)).second;
  const FieldElement den1 = invsqrt * u1;
  const FieldElement den2 = invsqrt * u2;
  const FieldElement z_inverse = den1 * den2 * point.t;
  // Points whose x·y is negative are rotated by the 4-torsion point (sqrt(-1), 0) first, so
  // every member of a coset encodes alike.
  const bool rotate = IsNegative(point.t * z_inverse);
  FieldElement x = rotate ? point.y * kSqrtM1 : point.x;
  FieldElement y = rotate ? point.x * kSqrtM1 : point.y;
  const FieldElement den_inverse = rotate ? den1 * kInvSqrtAMinusD : den2;
  y = ConditionalNegate(y, IsNegative(x * z_inverse));
  return ToBytes(Abs(den_inverse * (point.z - y)));
}

bool Equal(const EdwardsPoint& a, const EdwardsPoint& b) {
  // Same coset of the 4-torsion: (x1, y1) is (x2, y2) or (-x2, -y2) (first test), or one of
  // the two rotations by (±sqrt(-1), 0) (second test).
  return a.x * b.y == a.y * b.x || a.y * b.y == a.x * b.x;
}

EdwardsPoint Add(const EdwardsPoint& a, const EdwardsPoint& b) {
  return ToExtended(AddToCompleted(a, ToProjectiveNiels(b), false));
}

EdwardsPoint Double(const EdwardsPoint& a) {
  return ToExtended(DoubleToCompleted(ProjectivePoint{a.x, a.y, a.z}));
}

EdwardsPoint DoubleScalarMulBasepoint(const Bytes32& a, const EdwardsPoint& point,
                                      const Bytes32& b) {
  const std::array<int8_t, 256> a_naf = NonAdjacentForm(a, kPointWindow);
  const std::array<int8_t, 256> b_naf = NonAdjacentForm(b, kBasepointWindow);

  std::array<ProjectiveNiels, TableSize(kPointWindow)> a_table;
  const auto a_multiples = OddMultiples<TableSize(kPointWindow)>(point);
  for (size_t i = 0; i < a_table.size(); ++i) a_table[i] = ToProjectiveNiels(a_multiples[i]);
  const auto& b_table = BasepointNafTable();

  int i = 255;
  while (i >= 0 && a_naf[i] == 0 && b_naf[i] == 0) --i;

  // Horner from the top digit down: double, then add the digits' odd multiples. Only the steps
  // that add need the extended coordinates (their T); the rest stay projective.
  ProjectivePoint r = {kZero, kOne, kOne};
  for (; i >= 0; --i) {
    CompletedPoint sum = DoubleToCompleted(r);
    if (a_naf[i] != 0) {
      sum = AddToCompleted(ToExtended(sum), a_table[std::abs(a_naf[i]) / 2], a_naf[i] < 0);
    }
    if (b_naf[i] != 0) {
      sum = AddToCompleted(ToExtended(sum), b_table[std::abs(b_naf[i]) / 2], b_naf[i] < 0);
    }
    r = ToProjective(sum);
  }
  return ToExtended(r);
}

EdwardsPoint ScalarMulBasepoint(const Bytes32& b) {
  std::array<SignedAddend, kBasepointRows> addends;
  const SignedAddend* end = AppendBasepointDigits(b, addends.data());
  return Sum(Identity(), addends.data(), end);
}

EdwardsPoint DoubleScalarMulBasepoint(const Bytes32& a, const FixedBaseTable& point,
                                      const Bytes32& b) {
  const std::array<int8_t, 64> a_digits = Radix16(a);
  // Sum of e[i]·16^i·P = 16·(odd digits e[2j+1]·256^j·P) + (even digits e[2j]·256^j·P); then
  // b·B from the basepoint's radix-128 table, which needs no doublings.
  std::array<SignedAddend, 32 + kBasepointRows> addends;
  SignedAddend* end = AppendDigits(point, a_digits, 1, addends.data());
  const EdwardsPoint odd = Sum(Identity(), addends.data(), end);
  CompletedPoint doubled = DoubleToCompleted(ProjectivePoint{odd.x, odd.y, odd.z});
  for (int i = 1; i < 4; ++i) doubled = DoubleToCompleted(ToProjective(doubled));
  end = AppendBasepointDigits(b, AppendDigits(point, a_digits, 0, addends.data()));
  return Sum(ToExtended(doubled), addends.data(), end);
}

namespace internal {

EdwardsPoint SumPortable(const EdwardsPoint& start, const SignedAddend* addends, size_t count) {
  EdwardsPoint p = start;
  for (size_t k = 0; k < count; ++k) {
    p = ToExtended(AddToCompleted(p, *addends[k].point, addends[k].negate));
  }
  return p;
}

}  // namespace internal

}  // namespace orchestra::crypto::ristretto
