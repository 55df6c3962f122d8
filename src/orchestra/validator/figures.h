#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Figures in prose, as the validator's answer keys and logic traps use them: money amounts
// ("$2.69/hr", "$6.6 billion", "$640M") and percentages ("42%"). Pure functions.
namespace orchestra::validator {

// The figures of `text`, in order of appearance, each as written (with its scale word and
// per-unit suffix: "$2.69/hr", "$1 billion", "$97 billion", "12.5%"), duplicates kept once.
std::vector<std::string> ExtractFigures(std::string_view text);

// `figure` (as ExtractFigures returns it) with its number multiplied by `factor` and written
// with as many decimals as the original ("$2.69/hr" x 1.25 -> "$3.36/hr", "$640M" x 1.5 ->
// "$960M"); never equal to `figure` when factor != 1 (a last-digit step is added if rounding
// would make it so). nullopt when `figure` holds no number.
std::optional<std::string> ScaleFigure(std::string_view figure, double factor);

}  // namespace orchestra::validator
