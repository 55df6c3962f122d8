#include "orchestra/obs/pipeline_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace orchestra::obs {
namespace {

std::string Shorten(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 1) + "~";
}

}  // namespace

std::string RenderPipelineReport(const protocol::Response& r, const ReportExtras& extras,
                                 int width) {
  std::string out;
  out += fmt::format("Challenge {}  ledger {}\n\n", Shorten(r.challenge_id, 20), r.ledger_version);
  out += fmt::format("{:>2}  {:<21} {:<6} {:>3} {:>8} {:>8} {:>9} {:>5}  {}\n", "#", "task",
                     "subnet", "uid", "start", "latency", "cost", "tries", "proof hash");
  int ok = 0;
  for (const auto& s : r.task_pipeline) {
    if (!s.error) ++ok;
    out += fmt::format("{:>2}  {:<21} {:<6} {:>3} {:>5} ms {:>5} ms {:>9.6f} {:>5}  {}\n", s.step,
                       Shorten(s.task, 21), s.subnet, s.uid, s.started_ms, s.latency_ms, s.cost,
                       s.attempts, s.hash.empty() ? "-" : Shorten(s.hash, 20));
    if (s.error) out += fmt::format("    error: {}\n", Shorten(*s.error, 110));
  }
  int64_t span = std::max<int64_t>(r.total_latency_ms, 1);
  for (const auto& s : r.task_pipeline) span = std::max(span, s.started_ms + s.latency_ms);
  out += fmt::format("\nTimeline  0 ms {:─>{}} {} ms\n", "", width - 2, span);
  for (const auto& s : r.task_pipeline) {
    const auto col = [&](int64_t ms) {
      return static_cast<int>(
          std::lround(static_cast<double>(ms) * width / static_cast<double>(span)));
    };
    const int begin = std::clamp(col(s.started_ms), 0, width);
    const int end = std::clamp(std::max(col(s.started_ms + s.latency_ms), begin + 1), 0, width);
    std::string bar;
    for (int i = 0; i < width; ++i) bar += (i >= begin && i < end) ? (s.error ? "x" : "█") : " ";
    out += fmt::format("{:>2}  {:<21} |{}|\n", s.step, Shorten(s.task, 21), bar);
  }
  out += fmt::format(
      "\nTotal: {:.4f} TAO, {} ms, {}/{} steps ok; standardized_data {} the target_schema "
      "(compliance {:.2f}, completeness {:.2f})\n",
      r.total_cost, r.total_latency_ms, ok, r.task_pipeline.size(),
      extras.schema_valid ? "satisfies" : "does NOT satisfy", extras.compliance,
      extras.completeness);
  return out;
}

}  // namespace orchestra::obs
