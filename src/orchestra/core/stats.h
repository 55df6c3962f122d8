#pragma once

#include <vector>

namespace orchestra {

// The nearest-rank `p` percentile of `values` (p in [0, 1]; 0.95 for the p95): the smallest
// value at least a share p of the values do not exceed. 0 for no values.
double Percentile(std::vector<double> values, double p);

}  // namespace orchestra
