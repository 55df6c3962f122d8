#include "orchestra/obs/pipeline_report.h"

#include <gtest/gtest.h>

#include <sstream>

namespace orchestra::obs {
namespace {

protocol::TaskStep Step(int n, std::string task, int64_t start, int64_t latency) {
  protocol::TaskStep s;
  s.step = n;
  s.task = std::move(task);
  s.subnet = "SN22";
  s.started_ms = start;
  s.latency_ms = latency;
  s.attempts = 1;
  s.hash = "0x" + std::string(64, 'a');
  return s;
}

std::string BarOf(const std::string& report, const std::string& task) {
  std::istringstream in(report);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(task) != std::string::npos && line.find('|') != std::string::npos) {
      return line.substr(line.find('|'));
    }
  }
  return "";
}

TEST(PipelineReportTest, ParallelStepsShowAsOverlappingBars) {
  protocol::Response r;
  r.task_pipeline = {Step(1, "search", 0, 100), Step(2, "scrape", 100, 200),
                     Step(3, "analysis", 100, 100), Step(4, "synthesis", 300, 100)};
  r.total_latency_ms = 400;
  const std::string report = RenderPipelineReport(r, {}, 40);
  const std::string scrape = BarOf(report, "scrape");
  const std::string analysis = BarOf(report, "analysis");
  const std::string search = BarOf(report, "search");
  ASSERT_FALSE(scrape.empty());
  // Bars are 1 + 40 + 1 characters of which the filled ones are multi-byte; compare positions.
  EXPECT_EQ(scrape.find("█"), analysis.find("█"));
  EXPECT_LT(search.find("█"), scrape.find("█"));
  EXPECT_NE(report.find("4/4 steps ok"), std::string::npos);
}

TEST(PipelineReportTest, FailedStepShowsItsError) {
  protocol::Response r;
  auto s = Step(1, "search", 0, 50);
  s.error = "deadline_exceeded: no answer within 50 ms";
  s.hash.clear();
  r.task_pipeline = {s};
  const std::string report = RenderPipelineReport(r, {}, 20);
  EXPECT_NE(report.find("error: deadline_exceeded"), std::string::npos);
  EXPECT_NE(report.find("0/1 steps ok"), std::string::npos);
}

}  // namespace
}  // namespace orchestra::obs
