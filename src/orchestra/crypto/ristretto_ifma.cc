#include "orchestra/crypto/ristretto_ifma.h"

#include <cstdlib>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace orchestra::crypto::ristretto::internal {

#if defined(__x86_64__)
namespace {

// Per function, not per file: with -mavx512ifma on the whole file, inline functions from headers
// instantiated here could be compiled with AVX-512 and picked by the linker for every caller.
#define ORCHESTRA_IFMA [[gnu::target("avx512f,avx512vl,avx512ifma"), gnu::always_inline]] inline

constexpr uint64_t kLimbMask = (uint64_t{1} << 51) - 1;

// Four field elements, one per 64-bit lane: limb i of each in l[i]. The lanes hold X, Y, Z, T of
// a point, or the factors of four products.
struct Lanes {
  __m256i l[5];
};

ORCHESTRA_IFMA __m256i Splat(uint64_t v) { return _mm256_set1_epi64x(static_cast<int64_t>(v)); }

ORCHESTRA_IFMA __m256i Times19(__m256i v) {
  return _mm256_add_epi64(_mm256_add_epi64(_mm256_slli_epi64(v, 4), _mm256_slli_epi64(v, 1)), v);
}

// Carries every limb into the next at once (the top one wraps around times 19). Limbs below
// 2^63 in, below 2^51 + 2^17 out: what the multiplication accepts, which reads only the low 52
// bits of its factors.
ORCHESTRA_IFMA Lanes Carry(const Lanes& a) {
  const __m256i mask = Splat(kLimbMask);
  __m256i c[5];
#pragma GCC unroll 10
  for (int i = 0; i < 5; ++i) c[i] = _mm256_srli_epi64(a.l[i], 51);
  Lanes r;
  r.l[0] = _mm256_add_epi64(_mm256_and_si256(a.l[0], mask), Times19(c[4]));
#pragma GCC unroll 10
  for (int i = 1; i < 5; ++i) r.l[i] = _mm256_add_epi64(_mm256_and_si256(a.l[i], mask), c[i - 1]);
  return r;
}

// Four products at once, each factor's limbs below 2^52. The low and high 52-bit halves of
// x[i]·y[j] land at 2^(51(i+j)) and 2^(51(i+j)+52) = 2·2^(51(i+j+1)); columns from 2^255 on wrap
// around times 19. Every column stays below 2^61, and a full carry leaves limbs of at most 2^51.
ORCHESTRA_IFMA Lanes Mul(const Lanes& x, const Lanes& y) {
  __m256i lo[10], hi[10];
#pragma GCC unroll 10
  for (int k = 0; k < 10; ++k) lo[k] = hi[k] = _mm256_setzero_si256();
#pragma GCC unroll 10
  for (int i = 0; i < 5; ++i) {
#pragma GCC unroll 10
    for (int j = 0; j < 5; ++j) {
      lo[i + j] = _mm256_madd52lo_epu64(lo[i + j], x.l[i], y.l[j]);
      hi[i + j + 1] = _mm256_madd52hi_epu64(hi[i + j + 1], x.l[i], y.l[j]);
    }
  }
  __m256i c[10];
#pragma GCC unroll 10
  for (int k = 0; k < 10; ++k) c[k] = _mm256_add_epi64(lo[k], _mm256_slli_epi64(hi[k], 1));
  Lanes r;
  __m256i* d = r.l;
#pragma GCC unroll 10
  for (int k = 0; k < 5; ++k) d[k] = _mm256_add_epi64(c[k], Times19(c[k + 5]));
  const __m256i mask = Splat(kLimbMask);
#pragma GCC unroll 10
  for (int k = 0; k < 4; ++k) {
    d[k + 1] = _mm256_add_epi64(d[k + 1], _mm256_srli_epi64(d[k], 51));
    d[k] = _mm256_and_si256(d[k], mask);
  }
  d[0] = _mm256_add_epi64(d[0], Times19(_mm256_srli_epi64(d[4], 51)));
  d[4] = _mm256_and_si256(d[4], mask);
  d[1] = _mm256_add_epi64(d[1], _mm256_srli_epi64(d[0], 51));
  d[0] = _mm256_and_si256(d[0], mask);
  return r;
}

// Limb `i` of 2·p: added before a subtraction so that no lane goes negative for a subtrahend
// below 2^52 - 38.
constexpr uint64_t TwoPLimb(int i) {
  return i == 0 ? (uint64_t{1} << 52) - 38 : (uint64_t{1} << 52) - 2;
}

ORCHESTRA_IFMA __m256i TwoP(int limb) { return Splat(TwoPLimb(limb)); }

ORCHESTRA_IFMA Lanes Load(const EdwardsPoint& p) {
  Lanes r;
#pragma GCC unroll 10
  for (int i = 0; i < 5; ++i) {
    r.l[i] =
        _mm256_set_epi64x(static_cast<int64_t>(p.t.limbs[i]), static_cast<int64_t>(p.z.limbs[i]),
                          static_cast<int64_t>(p.y.limbs[i]), static_cast<int64_t>(p.x.limbs[i]));
  }
  return Carry(r);
}

// (Y−X, Y+X, Z, T) of a point, carried.
ORCHESTRA_IFMA Lanes DifferenceSum(const Lanes& p) {
  Lanes r;
#pragma GCC unroll 10
  for (int i = 0; i < 5; ++i) {
    const __m256i yyzt = _mm256_permutex_epi64(p.l[i], _MM_SHUFFLE(3, 2, 1, 1));
    const __m256i xx00 = _mm256_maskz_permutex_epi64(0b0011, p.l[i], _MM_SHUFFLE(0, 0, 0, 0));
    const __m256i sum = _mm256_add_epi64(yyzt, xx00);
    const __m256i difference = _mm256_sub_epi64(_mm256_add_epi64(yyzt, TwoP(i)), xx00);
    r.l[i] = _mm256_mask_blend_epi64(0b0001, sum, difference);
  }
  return Carry(r);
}

// What an addition multiplies (Y−X, Y+X, Z, T) of the accumulator by, lane by lane, to add q:
// (y−x, y+x, 2, xy2d), with y−x and y+x swapped and xy2d negated for −q. The table's limbs are
// below 2^51 + 2^18, so these are below 2^52 without a carry.
ORCHESTRA_IFMA Lanes NielsFactors(const AffineNiels& q, bool negate) {
  const FieldElement& first = negate ? q.y_plus_x : q.y_minus_x;
  const FieldElement& second = negate ? q.y_minus_x : q.y_plus_x;
  Lanes r;
#pragma GCC unroll 10
  for (int i = 0; i < 5; ++i) {
    const uint64_t xy2d = q.xy2d.limbs[i];
    r.l[i] = _mm256_set_epi64x(static_cast<int64_t>(negate ? TwoPLimb(i) - xy2d : xy2d),
                               i == 0 ? 2 : 0, static_cast<int64_t>(second.limbs[i]),
                               static_cast<int64_t>(first.limbs[i]));
  }
  return r;
}

// p + q for q given by its factors, as AddToCompleted followed by ToExtended in ristretto.cc:
// (Y−X, Y+X, Z, T)·factors = (MM, PP, ZZ2, TT2d); (PP−MM, PP+MM, ZZ2+TT2d, ZZ2−TT2d) is the
// completed sum (x', y', z', t'), and (x'·t', y'·z', z'·t', x'·y') the extended one.
ORCHESTRA_IFMA Lanes Add(const Lanes& p, const Lanes& factors) {
  const Lanes m = Mul(DifferenceSum(p), factors);
  Lanes left, right;
#pragma GCC unroll 10
  for (int i = 0; i < 5; ++i) {
    const __m256i swapped = _mm256_permutex_epi64(m.l[i], _MM_SHUFFLE(2, 3, 0, 1));
    const __m256i s = _mm256_add_epi64(m.l[i], swapped);  // (y', y', z', z')
    // (x', −x', −t', t')
    const __m256i d = _mm256_sub_epi64(_mm256_add_epi64(swapped, TwoP(i)), m.l[i]);
    // Indices 0-3 pick from d, 4-7 from s: (x', y', z', x') and (t', z', t', y').
    left.l[i] = _mm256_permutex2var_epi64(d, _mm256_set_epi64x(0, 6, 4, 0), s);
    right.l[i] = _mm256_permutex2var_epi64(d, _mm256_set_epi64x(4, 3, 6, 3), s);
  }
  return Mul(Carry(left), Carry(right));
}

[[gnu::target("avx512f,avx512vl,avx512ifma")]] EdwardsPoint Sum(const EdwardsPoint& start,
                                                                const SignedAddend* addends,
                                                                size_t count) {
  Lanes p = Load(start);
  for (size_t k = 0; k < count; ++k) {
    p = Add(p, NielsFactors(*addends[k].point, addends[k].negate));
  }
  alignas(32) uint64_t lanes[5][4];
#pragma GCC unroll 10
  for (int i = 0; i < 5; ++i) _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[i]), p.l[i]);
  EdwardsPoint r;
#pragma GCC unroll 10
  for (int i = 0; i < 5; ++i) {
    r.x.limbs[i] = lanes[i][0];
    r.y.limbs[i] = lanes[i][1];
    r.z.limbs[i] = lanes[i][2];
    r.t.limbs[i] = lanes[i][3];
  }
  return r;
}

#undef ORCHESTRA_IFMA

}  // namespace

bool HaveIfma() {
  static const bool have = __builtin_cpu_supports("avx512f") &&
                           __builtin_cpu_supports("avx512vl") &&
                           __builtin_cpu_supports("avx512ifma");
  return have;
}

EdwardsPoint SumIfma(const EdwardsPoint& start, const SignedAddend* addends, size_t count) {
  return Sum(start, addends, count);
}

#else

bool HaveIfma() { return false; }

EdwardsPoint SumIfma(const EdwardsPoint&, const SignedAddend*, size_t) { std::abort(); }

#endif

}  // namespace orchestra::crypto::ristretto::internal
