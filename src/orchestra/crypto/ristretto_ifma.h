#pragma once

// Internal to ristretto.cc and its tests: sums of table points on AVX-512 IFMA, the CPU's
// 52-bit multiply-add, where the processor has it (checked at run time; other x86-64 machines
// and other architectures take the portable code in ristretto.cc).

#include <cstddef>

#include "orchestra/crypto/ristretto.h"

namespace orchestra::crypto::ristretto::internal {

// One term of a sum: the table point, negated when `negate`. Its limbs must be below
// 2^51 + 2^18, as every table in ristretto.cc makes them (NielsOfAffine).
struct SignedAddend {
  const AffineNiels* point;
  bool negate;
};

// Whether this CPU (and OS) run AVX-512 IFMA with 256-bit vectors. Fixed for the process.
bool HaveIfma();

// start + Σ ±addends, computed four field multiplications at a time: the extended coordinates
// X, Y, Z, T live in the four lanes of one vector per limb, so an addition takes two vector
// multiplications where the portable code takes seven scalar ones. Only call when HaveIfma().
// `start` takes any limbs the FieldElement contract allows; the result's limbs are below 2^52.
EdwardsPoint SumIfma(const EdwardsPoint& start, const SignedAddend* addends, size_t count);

// The same sum on the portable code (in ristretto.cc), one addition after another.
EdwardsPoint SumPortable(const EdwardsPoint& start, const SignedAddend* addends, size_t count);

}  // namespace orchestra::crypto::ristretto::internal
