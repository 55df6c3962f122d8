#include "orchestra/crypto/ristretto.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <string>
#include <vector>

#include "orchestra/core/rng.h"
#include "orchestra/crypto/ristretto_ifma.h"
#include "orchestra/crypto/sodium_init.h"
#include "orchestra/crypto/test_util.h"

namespace orchestra::crypto::ristretto {
namespace {

using testing::HexOf;
using testing::UnhexArray;

// Random inputs per differential test; the seeds are fixed so failures reproduce.
constexpr int kRandomCases = 2000;

// p = 2^255 - 19 and the group order minus one, little-endian.
constexpr std::string_view kP = "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
constexpr std::string_view kOrderMinusOne =
    "ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
// The non-negative square root of -1.
constexpr std::string_view kSqrtM1 =
    "b0a00e4a271beec478e42fad0618432fa7d7fb3d99004d2b0bdfc14f8024832b";

Bytes32 RandomBytes(Rng& rng) {
  Bytes32 bytes;
  for (int i = 0; i < 32; i += 8) {
    const uint64_t word = rng.Next();
    for (int j = 0; j < 8; ++j) bytes[i + j] = static_cast<uint8_t>(word >> (8 * j));
  }
  return bytes;
}

// A uniformly random valid encoding: what crypto_core_ristretto255_random does, but with the
// 64 hashed bytes drawn from the seeded RNG.
Bytes32 RandomPoint(Rng& rng) {
  std::array<uint8_t, 64> wide;
  for (int i = 0; i < 64; i += 32) {
    const Bytes32 half = RandomBytes(rng);
    std::copy(half.begin(), half.end(), wide.begin() + i);
  }
  Bytes32 point;
  crypto_core_ristretto255_from_hash(point.data(), wide.data());
  return point;
}

Bytes32 RandomScalar(Rng& rng) {
  std::array<uint8_t, 64> wide;
  for (int i = 0; i < 64; i += 32) {
    const Bytes32 half = RandomBytes(rng);
    std::copy(half.begin(), half.end(), wide.begin() + i);
  }
  Bytes32 scalar;
  crypto_core_ristretto255_scalar_reduce(scalar.data(), wide.data());
  return scalar;
}

FieldElement Small(uint64_t value) { return {{value, 0, 0, 0, 0}}; }

FieldElement RandomElement(Rng& rng) { return FromBytes(RandomBytes(rng)); }

// Whether RFC 9496 decoding accepts `bytes`, as libsodium says. libsodium 1.0.18 (Debian 12's)
// ignores bit 255 instead of rejecting it as the RFC, schnorrkel and later libsodium releases
// do, so the bit is checked here.
bool ValidEncoding(const Bytes32& bytes) {
  return (bytes[31] & 0x80) == 0 && crypto_core_ristretto255_is_valid_point(bytes.data()) == 1;
}

// a·A + b·B the way sr25519 computed it before: two constant-time multiplications and an
// addition, each through encodings.
Bytes32 LibsodiumDoubleScalarMul(const Bytes32& a, const Bytes32& point, const Bytes32& b) {
  Bytes32 a_point, b_base, sum;
  // Both report the identity as an error, still writing its encoding (zeros).
  if (crypto_scalarmult_ristretto255(a_point.data(), a.data(), point.data()) != 0) {
    EXPECT_EQ(a_point, Bytes32{});
  }
  if (crypto_scalarmult_ristretto255_base(b_base.data(), b.data()) != 0) {
    EXPECT_EQ(b_base, Bytes32{});
  }
  EXPECT_EQ(crypto_core_ristretto255_add(sum.data(), a_point.data(), b_base.data()), 0);
  return sum;
}

class RistrettoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { EnsureSodium(); }
};

TEST_F(RistrettoTest, FieldEncodingIsCanonical) {
  Rng rng(1);
  for (int i = 0; i < kRandomCases; ++i) {
    Bytes32 bytes = RandomBytes(rng);
    bytes[31] &= 0x7f;  // below 2^255, so below p but for a 2^-250 chance
    EXPECT_EQ(ToBytes(FromBytes(bytes)), bytes) << HexOf(bytes);
    Bytes32 top_bit_set = bytes;
    top_bit_set[31] |= 0x80;
    EXPECT_EQ(ToBytes(FromBytes(top_bit_set)), bytes) << "bit 255 must be ignored";
  }
  // p + k for k = 0..18, the only values of 255 bits that are not reduced, encode as k.
  Bytes32 p_plus_k = UnhexArray<32>(kP);
  for (uint8_t k = 0; k <= 18; ++k) {
    EXPECT_EQ(ToBytes(FromBytes(p_plus_k)), ToBytes(Small(k))) << "p + " << int{k};
    ++p_plus_k[0];
  }
  EXPECT_TRUE(IsZero(FromBytes(UnhexArray<32>(kP))));
  EXPECT_FALSE(IsZero(Small(1)));
}

TEST_F(RistrettoTest, FieldArithmeticHandlesWrapAroundAndLimbBounds) {
  const FieldElement minus_one = -Small(1);
  EXPECT_EQ(ToBytes(minus_one)[0], 0xec);  // p - 1
  EXPECT_EQ(minus_one * minus_one, Small(1));
  EXPECT_EQ(Square(minus_one), Small(1));
  EXPECT_EQ(minus_one + minus_one, -Small(2));
  // 2^254 · 2 = 2^255 = 19 (mod p).
  Bytes32 two_254 = {};
  two_254[31] = 0x40;
  EXPECT_EQ(FromBytes(two_254) * Small(2), Small(19));

  // Limbs at the largest bounds the header allows give the same results as their reduced
  // value: no carry overflows.
  constexpr uint64_t kMaxLimb = (uint64_t{1} << 54) - 1;
  const FieldElement big = {{kMaxLimb, kMaxLimb, kMaxLimb, kMaxLimb, kMaxLimb}};
  const FieldElement reduced = FromBytes(ToBytes(big));
  EXPECT_EQ(big * big, reduced * reduced);
  EXPECT_EQ(Square(big), reduced * reduced);
  EXPECT_EQ(Small(5) - big, Small(5) - reduced);
  EXPECT_EQ(-big, -reduced);
}

TEST_F(RistrettoTest, FieldArithmeticObeysTheFieldLaws) {
  Rng rng(2);
  EXPECT_TRUE(IsZero(Invert(Small(0))));
  EXPECT_EQ(Square(FromBytes(UnhexArray<32>(kSqrtM1))), -Small(1));
  for (int i = 0; i < kRandomCases; ++i) {
    const FieldElement a = RandomElement(rng);
    const FieldElement b = RandomElement(rng);
    const FieldElement c = RandomElement(rng);
    EXPECT_EQ((a + b) * c, a * c + b * c);
    EXPECT_EQ(a * b, b * a);
    EXPECT_EQ((a * b) * c, a * (b * c));
    EXPECT_EQ(Square(a), a * a);
    EXPECT_EQ(SquareTimes(a, 3), Square(Square(Square(a))));
    EXPECT_EQ((a - b) + b, a);
    EXPECT_TRUE(IsZero(a + -a));
    // Invert runs through Pow22523, so this checks the whole addition chain.
    if (!IsZero(a)) {
      EXPECT_EQ(a * Invert(a), Small(1));
    }
    EXPECT_NE(IsNegative(a), IsNegative(-a));
    EXPECT_FALSE(IsNegative(Abs(a)));
    EXPECT_EQ(ConditionalNegate(a, true), -a);
    EXPECT_EQ(ConditionalNegate(a, false), a);
  }
}

TEST_F(RistrettoTest, DecodeAcceptsExactlyTheValidEncodings) {
  Rng rng(3);
  std::vector<Bytes32> inputs;
  for (int i = 0; i < kRandomCases; ++i) {
    Bytes32 bytes = RandomBytes(rng);
    inputs.push_back(bytes);
    // Even and below 2^255: these get past the canonicality checks to the square root, t and y.
    bytes[0] &= 0xfe;
    bytes[31] &= 0x7f;
    inputs.push_back(bytes);
  }
  for (int i = 0; i < kRandomCases; ++i) {
    const Bytes32 valid = RandomPoint(rng);
    inputs.push_back(valid);
    Bytes32 top_bit_set = valid;
    top_bit_set[31] |= 0x80;
    inputs.push_back(top_bit_set);
    // p - s: the same field element negated, odd so rejected.
    const Bytes32 negated = ToBytes(-FromBytes(valid));
    inputs.push_back(negated);
  }
  // p + k: non-canonical encodings of 0..18 (p + 0 is also the identity's).
  Bytes32 p_plus_k = UnhexArray<32>(kP);
  for (int k = 0; k <= 18; ++k, ++p_plus_k[0]) inputs.push_back(p_plus_k);
  Bytes32 all_ones;
  all_ones.fill(0xff);
  inputs.push_back(all_ones);
  inputs.push_back(Bytes32{});  // the identity

  int accepted = 0;
  for (const Bytes32& bytes : inputs) {
    const auto point = Decode(bytes);
    ASSERT_EQ(point.has_value(), ValidEncoding(bytes)) << HexOf(bytes);
    if (!point) continue;
    ++accepted;
    EXPECT_EQ(Encode(*point), bytes) << HexOf(bytes);
  }
  // Every RandomPoint plus the identity, and some of the random strings.
  EXPECT_GT(accepted, kRandomCases + 1);
  EXPECT_LT(accepted, static_cast<int>(inputs.size()) / 2);
}

TEST_F(RistrettoTest, AddAndDoubleMatchLibsodium) {
  EXPECT_EQ(Encode(Identity()), Bytes32{});
  EXPECT_EQ(Encode(Basepoint()),
            UnhexArray<32>("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"));
  // k·B by repeated addition against libsodium's k·B, for the first multiples.
  EdwardsPoint multiple = Identity();
  for (uint8_t k = 1; k <= 32; ++k) {
    multiple = Add(multiple, Basepoint());
    Bytes32 scalar = {};
    scalar[0] = k;
    Bytes32 expected;
    ASSERT_EQ(crypto_scalarmult_ristretto255_base(expected.data(), scalar.data()), 0);
    EXPECT_EQ(Encode(multiple), expected) << int{k};
  }

  Rng rng(4);
  for (int i = 0; i < kRandomCases; ++i) {
    const Bytes32 a = RandomPoint(rng);
    const Bytes32 b = RandomPoint(rng);
    Bytes32 sum;
    ASSERT_EQ(crypto_core_ristretto255_add(sum.data(), a.data(), b.data()), 0);
    EXPECT_EQ(Encode(Add(*Decode(a), *Decode(b))), sum);
    EXPECT_TRUE(Equal(Double(*Decode(a)), Add(*Decode(a), *Decode(a))));
  }
}

TEST_F(RistrettoTest, EqualIgnoresTheTorsionRepresentative) {
  // (sqrt(-1), 0) has order 4 on edwards25519: adding it moves within a ristretto element.
  const FieldElement i = FromBytes(UnhexArray<32>(kSqrtM1));
  const EdwardsPoint torsion = {i, Small(0), Small(1), Small(0)};
  Rng rng(5);
  for (int n = 0; n < kRandomCases / 10; ++n) {
    const Bytes32 bytes = RandomPoint(rng);
    const EdwardsPoint point = *Decode(bytes);
    EdwardsPoint moved = point;
    for (int k = 1; k < 4; ++k) {
      moved = Add(moved, torsion);
      EXPECT_TRUE(Equal(moved, point)) << k;
      EXPECT_EQ(Encode(moved), bytes) << k;
    }
    EXPECT_FALSE(Equal(point, Add(point, Basepoint())));
    const Bytes32 other = RandomPoint(rng);
    EXPECT_EQ(Equal(point, *Decode(other)), bytes == other);
  }
}

TEST_F(RistrettoTest, DoubleScalarMulMatchesLibsodium) {
  Rng rng(6);
  for (int i = 0; i < kRandomCases; ++i) {
    const Bytes32 a = RandomScalar(rng);
    const Bytes32 b = RandomScalar(rng);
    const Bytes32 point = RandomPoint(rng);
    const Bytes32 expected = LibsodiumDoubleScalarMul(a, point, b);
    const EdwardsPoint result = DoubleScalarMulBasepoint(a, *Decode(point), b);
    ASSERT_EQ(Encode(result), expected) << HexOf(a) << " " << HexOf(point) << " " << HexOf(b);
    EXPECT_TRUE(Equal(result, *Decode(expected)));
    // A table per point costs two multiplications; a quarter of the cases is plenty.
    if (i % 4 == 0) {
      const FixedBaseTable table(*Decode(point));
      ASSERT_EQ(Encode(DoubleScalarMulBasepoint(a, table, b)), expected)
          << HexOf(a) << " " << HexOf(point) << " " << HexOf(b);
    }
  }
  // Scalars not reduced mod the group order, up to the 2^255 bound.
  for (int i = 0; i < kRandomCases / 10; ++i) {
    Bytes32 a = RandomBytes(rng);
    Bytes32 b = RandomBytes(rng);
    a[31] &= 0x7f;
    b[31] &= 0x7f;
    const Bytes32 point = RandomPoint(rng);
    const Bytes32 expected = LibsodiumDoubleScalarMul(a, point, b);
    EXPECT_EQ(Encode(DoubleScalarMulBasepoint(a, *Decode(point), b)), expected);
    EXPECT_EQ(Encode(DoubleScalarMulBasepoint(a, FixedBaseTable(*Decode(point)), b)), expected);
  }
}

TEST_F(RistrettoTest, ScalarMulBasepointMatchesLibsodium) {
  Rng rng(9);
  const Bytes32 order_minus_one = UnhexArray<32>(kOrderMinusOne);
  Bytes32 one = {}, max = {};
  one[0] = 1;
  max.fill(0xff);
  max[31] = 0x7f;  // 2^255 - 1
  // Every radix-2^w digit at the 2^(w-1) boundary, for w = 5, 6 and 7 (the table's radix is
  // 2^7; the others are extra vectors): carries all the way up.
  std::vector<Bytes32> scalars = {Bytes32{}, one, order_minus_one, max};
  for (int w = 5; w <= 7; ++w) {
    Bytes32 boundary = {};
    for (int bit = w - 1; bit < 255; bit += w) boundary[bit / 8] |= uint8_t(1 << (bit % 8));
    scalars.push_back(boundary);
  }
  // Radix 128 (the table's): raw digit 0 is 64 and digits 1 to 35 are 63, so that with the
  // carries every digit below the top one recodes to -64.
  Bytes32 all_minus_64 = {};
  all_minus_64[0] = 64;
  for (int bit = 7; bit < 252; ++bit) {
    if (bit % 7 != 6) all_minus_64[bit / 8] |= uint8_t(1 << (bit % 8));
  }
  scalars.push_back(all_minus_64);
  for (int i = 0; i < kRandomCases; ++i) scalars.push_back(RandomScalar(rng));
  // Scalars not reduced mod the group order, up to the 2^255 bound.
  for (int i = 0; i < kRandomCases / 10; ++i) {
    Bytes32 b = RandomBytes(rng);
    b[31] &= 0x7f;
    scalars.push_back(b);
  }
  for (const Bytes32& b : scalars) {
    Bytes32 expected;
    // libsodium reports the identity as an error, still writing its encoding (zeros).
    if (crypto_scalarmult_ristretto255_base(expected.data(), b.data()) != 0) {
      EXPECT_EQ(expected, Bytes32{});
    }
    ASSERT_EQ(Encode(ScalarMulBasepoint(b)), expected) << HexOf(b);
  }
}

// The point an AffineNiels entry stands for: 2x = (y + x) - (y - x), 2y = (y + x) + (y - x).
EdwardsPoint FromNiels(const AffineNiels& entry) {
  const FieldElement two_x = entry.y_plus_x - entry.y_minus_x;
  const FieldElement two_y = entry.y_plus_x + entry.y_minus_x;
  return {two_x, two_y, Small(2), two_x * two_y * Invert(Small(2))};
}

// The same point of edwards25519 (not merely the same ristretto255 element).
bool SameEdwardsPoint(const EdwardsPoint& a, const EdwardsPoint& b) {
  return a.x * b.z == b.x * a.z && a.y * b.z == b.y * a.z;
}

TEST_F(RistrettoTest, FixedBaseTableHoldsTheMultiplesOfItsPoint) {
  Rng rng(8);
  for (const EdwardsPoint& point : {Basepoint(), *Decode(RandomPoint(rng)), Identity()}) {
    const FixedBaseTable table(point);
    EdwardsPoint row_base = point;
    for (int row = 0; row < 32; ++row) {
      EdwardsPoint multiple = row_base;
      for (int d = 1; d <= 8; ++d) {
        const AffineNiels& entry = table.Multiple(row, d);
        ASSERT_TRUE(SameEdwardsPoint(FromNiels(entry), multiple)) << "row " << row << " d " << d;
        const FieldElement two_x = entry.y_plus_x - entry.y_minus_x;
        const FieldElement two_y = entry.y_plus_x + entry.y_minus_x;
        // xy2d is 2·d·x·y of the same point, d = -121665/121666: 4·xy2d = 2·d·(2x)·(2y).
        const FieldElement two_d = -(Small(2 * 121665) * Invert(Small(121666)));
        EXPECT_TRUE(entry.xy2d * Small(4) == two_d * two_x * two_y) << "row " << row << " d " << d;
        // What internal::SumIfma requires of an addend (it reads 52 bits of a limb).
        for (const FieldElement* e : {&entry.y_plus_x, &entry.y_minus_x, &entry.xy2d}) {
          EXPECT_LT(*std::max_element(e->limbs.begin(), e->limbs.end()),
                    (uint64_t{1} << 51) + (uint64_t{1} << 18))
              << "row " << row << " d " << d;
        }
        multiple = Add(multiple, row_base);
      }
      for (int i = 0; i < 8; ++i) row_base = Double(row_base);
    }
  }
  EXPECT_TRUE(SameEdwardsPoint(FromNiels(FixedBaseTable(Basepoint()).Multiple(0, 1)), Basepoint()));
}

TEST_F(RistrettoTest, DoubleScalarMulEdgeCases) {
  Rng rng(7);
  const Bytes32 order_minus_one = UnhexArray<32>(kOrderMinusOne);
  Bytes32 one = {}, two = {}, max = {};
  one[0] = 1;
  two[0] = 2;
  max.fill(0xff);
  max[31] = 0x7f;  // 2^255 - 1
  Bytes32 alternating;
  alternating.fill(0x55);
  const std::vector<Bytes32> scalars = {
      Bytes32{}, one, two, order_minus_one, max, alternating, RandomScalar(rng)};
  Bytes32 minus_basepoint;
  ASSERT_EQ(crypto_scalarmult_ristretto255_base(minus_basepoint.data(), order_minus_one.data()), 0);
  const std::vector<Bytes32> points = {Bytes32{}, Encode(Basepoint()), minus_basepoint,
                                       RandomPoint(rng)};
  for (const Bytes32& point : points) {
    const FixedBaseTable table(*Decode(point));
    for (const Bytes32& a : scalars) {
      for (const Bytes32& b : scalars) {
        const Bytes32 expected = LibsodiumDoubleScalarMul(a, point, b);
        EXPECT_EQ(Encode(DoubleScalarMulBasepoint(a, *Decode(point), b)), expected)
            << HexOf(a) << " " << HexOf(point) << " " << HexOf(b);
        EXPECT_EQ(Encode(DoubleScalarMulBasepoint(a, table, b)), expected)
            << "table: " << HexOf(a) << " " << HexOf(point) << " " << HexOf(b);
      }
    }
  }
  // (ℓ - 1)·B + 1·B and 0·A + 0·B are the identity.
  EXPECT_TRUE(Equal(DoubleScalarMulBasepoint(order_minus_one, Basepoint(), one), Identity()));
  EXPECT_TRUE(Equal(DoubleScalarMulBasepoint(order_minus_one, FixedBaseTable(Basepoint()), one),
                    Identity()));
  EXPECT_TRUE(
      Equal(DoubleScalarMulBasepoint(Bytes32{}, *Decode(RandomPoint(rng)), Bytes32{}), Identity()));
}

// The same element with every limb raised by 2·p's: limbs up to 2^51 + 2^52, near the most a
// sum's starting point may have.
FieldElement Unreduced(const FieldElement& a) {
  FieldElement r = a;
  r.limbs[0] += (uint64_t{1} << 52) - 38;
  for (int i = 1; i < 5; ++i) r.limbs[i] += (uint64_t{1} << 52) - 2;
  return r;
}

uint64_t MaxLimb(const EdwardsPoint& p) {
  uint64_t max = 0;
  for (const FieldElement* e : {&p.x, &p.y, &p.z, &p.t}) {
    max = std::max(max, *std::max_element(e->limbs.begin(), e->limbs.end()));
  }
  return max;
}

// The vectorised sum computes the portable code's formulas, so the coordinates agree exactly
// (as field elements), not merely as ristretto255 elements.
TEST_F(RistrettoTest, IfmaSumMatchesThePortableSum) {
  if (!internal::HaveIfma()) GTEST_SKIP() << "this CPU has no AVX-512 IFMA";
  Rng rng(10);
  std::vector<FixedBaseTable> tables;
  for (int i = 0; i < 3; ++i) tables.emplace_back(*Decode(RandomPoint(rng)));
  tables.emplace_back(Basepoint());
  const auto expect_same = [](const EdwardsPoint& a, const EdwardsPoint& b, int round) {
    EXPECT_TRUE(a.x == b.x && a.y == b.y && a.z == b.z && a.t == b.t) << "round " << round;
    EXPECT_LT(MaxLimb(a), uint64_t{1} << 52) << "round " << round;
  };
  for (int round = 0; round < 300; ++round) {
    EdwardsPoint start = round % 3 == 0 ? Identity() : *Decode(RandomPoint(rng));
    if (round % 3 == 2) {
      start = {Unreduced(start.x), Unreduced(start.y), Unreduced(start.z), Unreduced(start.t)};
    }
    std::vector<internal::SignedAddend> addends(rng.Next() % 110);
    for (auto& addend : addends) {
      const FixedBaseTable& table = tables[rng.Next() % tables.size()];
      addend = {
          &table.Multiple(static_cast<int>(rng.Next() % 32), static_cast<int>(rng.Next() % 8) + 1),
          rng.Next() % 2 == 0};
    }
    expect_same(internal::SumIfma(start, addends.data(), addends.size()),
                internal::SumPortable(start, addends.data(), addends.size()), round);
  }
  // P + B − B: an addend and its negation cancel; B + B: the addition formula doubling.
  const AffineNiels& b = tables.back().Multiple(0, 1);
  const internal::SignedAddend cancel[] = {{&b, false}, {&b, true}};
  const EdwardsPoint point = *Decode(RandomPoint(rng));
  EXPECT_TRUE(SameEdwardsPoint(internal::SumIfma(point, cancel, 2), point));
  const internal::SignedAddend twice[] = {{&b, false}, {&b, false}};
  EXPECT_TRUE(SameEdwardsPoint(internal::SumIfma(Identity(), twice, 2), Double(Basepoint())));
}

}  // namespace
}  // namespace orchestra::crypto::ristretto
