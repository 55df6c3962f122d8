#include "orchestra/obs/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

namespace orchestra::obs {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, RendersCountersAndGaugesInTheTextFormat) {
  MetricsRegistry registry;
  auto& challenges =
      registry.AddCounter("orchestra_challenges_total", "Challenges by outcome.", {"outcome"});
  auto& queries = registry.AddCounter("orchestra_ledger_queries_total", "Ledger queries.");
  auto& in_flight = registry.AddGauge("orchestra_in_flight", "Challenges being worked on.");
  challenges.WithLabels({"ok"}).Inc();
  challenges.WithLabels({"ok"}).Inc(2);
  challenges.WithLabels({"invalid"}).Inc();
  in_flight.Get().Set(3);
  in_flight.Get().Dec(0.5);
  EXPECT_EQ(queries.Get().Value(), 0);

  EXPECT_EQ(registry.RenderText(),
            "# HELP orchestra_challenges_total Challenges by outcome.\n"
            "# TYPE orchestra_challenges_total counter\n"
            "orchestra_challenges_total{outcome=\"invalid\"} 1\n"
            "orchestra_challenges_total{outcome=\"ok\"} 3\n"
            "# HELP orchestra_ledger_queries_total Ledger queries.\n"
            "# TYPE orchestra_ledger_queries_total counter\n"
            "orchestra_ledger_queries_total 0\n"
            "# HELP orchestra_in_flight Challenges being worked on.\n"
            "# TYPE orchestra_in_flight gauge\n"
            "orchestra_in_flight 2.5\n");
}

TEST(MetricsTest, RendersHistogramsCumulativelyWithInfSumAndCount) {
  MetricsRegistry registry;
  auto& latency = registry.AddHistogram("orchestra_challenge_latency_seconds", "Challenge latency.",
                                        {0.25, 0.5, 1}, {"mechanism"});
  auto& series = latency.WithLabels({"routing"});
  // Bounds are inclusive: 0.25 counts in le="0.25".
  for (double v : {0.125, 0.25, 0.375, 0.75, 2.0}) series.Observe(v);
  EXPECT_EQ(registry.RenderText(),
            "# HELP orchestra_challenge_latency_seconds Challenge latency.\n"
            "# TYPE orchestra_challenge_latency_seconds histogram\n"
            "orchestra_challenge_latency_seconds_bucket{mechanism=\"routing\",le=\"0.25\"} 2\n"
            "orchestra_challenge_latency_seconds_bucket{mechanism=\"routing\",le=\"0.5\"} 3\n"
            "orchestra_challenge_latency_seconds_bucket{mechanism=\"routing\",le=\"1\"} 4\n"
            "orchestra_challenge_latency_seconds_bucket{mechanism=\"routing\",le=\"+Inf\"} 5\n"
            "orchestra_challenge_latency_seconds_sum{mechanism=\"routing\"} 3.5\n"
            "orchestra_challenge_latency_seconds_count{mechanism=\"routing\"} 5\n");
}

TEST(MetricsTest, HistogramWithoutLabelsStartsAtZero) {
  MetricsRegistry registry;
  registry.AddHistogram("h", "H.", {1});
  EXPECT_EQ(registry.RenderText(),
            "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 0\n"
            "h_sum 0\nh_count 0\n");
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  MetricsRegistry registry;
  auto& calls = registry.AddCounter("calls_total", "Calls, by \"subnet\"\nback\\slash.",
                                    {"subnet", "outcome"});
  calls.WithLabels({"sn\"22\"", "a\\b\nc"}).Inc();
  calls.WithLabels({"d\xc3\xa9j\xc3\xa0", ""}).Inc(0.25);
  EXPECT_EQ(registry.RenderText(),
            "# HELP calls_total Calls, by \"subnet\"\\nback\\\\slash.\n"
            "# TYPE calls_total counter\n"
            "calls_total{subnet=\"d\xc3\xa9j\xc3\xa0\",outcome=\"\"} 0.25\n"
            "calls_total{subnet=\"sn\\\"22\\\"\",outcome=\"a\\\\b\\nc\"} 1\n");
}

TEST(MetricsTest, SpecialValuesUseThePrometheusSpelling) {
  MetricsRegistry registry;
  auto& g = registry.AddGauge("g", "G.", {"k"});
  g.WithLabels({"inf"}).Set(std::numeric_limits<double>::infinity());
  g.WithLabels({"minus_inf"}).Set(-std::numeric_limits<double>::infinity());
  g.WithLabels({"nan"}).Set(std::numeric_limits<double>::quiet_NaN());
  g.WithLabels({"small"}).Set(1e-05);
  EXPECT_EQ(registry.RenderText(),
            "# HELP g G.\n# TYPE g gauge\ng{k=\"inf\"} +Inf\ng{k=\"minus_inf\"} -Inf\n"
            "g{k=\"nan\"} NaN\ng{k=\"small\"} 1e-05\n");
}

TEST(MetricsTest, CounterIgnoresNegativeAndNanIncrements) {
  MetricsRegistry registry;
  Counter& c = registry.AddCounter("c_total", "C.").Get();
  c.Inc(2);
  c.Inc(-1);
  c.Inc(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(c.Value(), 2);
}

TEST(MetricsTest, FamiliesAreRegisteredOnceAndConflictsRefused) {
  MetricsRegistry registry;
  auto& first = registry.AddCounter("x_total", "X.", {"a"});
  EXPECT_EQ(&registry.AddCounter("x_total", "X.", {"a"}), &first);
  EXPECT_THROW(registry.AddCounter("x_total", "Other help.", {"a"}), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("x_total", "X.", {"b"}), std::invalid_argument);
  EXPECT_THROW(registry.AddGauge("x_total", "X.", {"a"}), std::invalid_argument);
  auto& h = registry.AddHistogram("h", "H.", {1, 2});
  EXPECT_EQ(&registry.AddHistogram("h", "H.", {1, 2}), &h);
  EXPECT_THROW(registry.AddHistogram("h", "H.", {1, 3}), std::invalid_argument);

  EXPECT_THROW(registry.AddCounter("1bad", "B."), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("bad-name", "B."), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("ok_total", "B.", {"bad-label"}), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("ok_total", "B.", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("hb", "B.", {1}, {"le"}), std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("hb", "B.", {2, 1}), std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("hb", "B.", {1, std::numeric_limits<double>::infinity()}),
               std::invalid_argument);
  EXPECT_NO_THROW(registry.AddCounter("ns:ok_total", "B.", {"_x1"}));
}

TEST(MetricsTest, SeriesReferencesStayValidAsLabelSetsAreAdded) {
  MetricsRegistry registry;
  auto& family = registry.AddCounter("refs_total", "R.", {"n"});
  Counter& zero = family.WithLabels({"0"});
  for (int i = 1; i < 1000; ++i) family.WithLabels({std::to_string(i)}).Inc();
  zero.Inc(7);
  EXPECT_EQ(&family.WithLabels(std::vector<std::string>{"0"}), &zero);
  EXPECT_EQ(family.WithLabels({"0"}).Value(), 7);
}

TEST(MetricsDeathTest, WrongNumberOfLabelValuesAbortsNamingTheMetric) {
  MetricsRegistry registry;
  auto& family = registry.AddCounter("arity_total", "A.", {"a", "b"});
  EXPECT_DEATH(family.WithLabels({"only one"}), "metric arity_total: 1 label values given for 2");
}

// Several threads increment shared and per-thread series, looking them up each time, while
// another renders: every increment is counted exactly.
TEST(MetricsTest, ConcurrentIncrementsSumExactly) {
  MetricsRegistry registry;
  auto& calls = registry.AddCounter("calls_total", "Calls.", {"subnet", "outcome"});
  auto& latency = registry.AddHistogram("latency_seconds", "Latency.", {0.5, 1.5});
  auto& gauge = registry.AddGauge("level", "Level.");
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string subnet = "sn" + std::to_string(t % 3);
      for (int i = 0; i < kPerThread; ++i) {
        calls.WithLabels({"shared", "ok"}).Inc();
        calls.WithLabels({subnet, i % 2 ? "ok" : "error"}).Inc();
        latency.Get().Observe(i % 3);  // 0, 1, 2: one in each bucket
        gauge.Get().Inc();
        gauge.Get().Dec(2);
      }
    });
  }
  std::thread renderer([&] {
    for (int i = 0; i < 50; ++i) EXPECT_THAT(registry.RenderText(), HasSubstr("# TYPE level"));
  });
  for (auto& thread : threads) thread.join();
  renderer.join();

  EXPECT_EQ(calls.WithLabels({"shared", "ok"}).Value(), kThreads * kPerThread);
  double per_subnet = 0;
  for (const char* subnet : {"sn0", "sn1", "sn2"}) {
    per_subnet += calls.WithLabels({subnet, "ok"}).Value();
    per_subnet += calls.WithLabels({subnet, "error"}).Value();
  }
  EXPECT_EQ(per_subnet, kThreads * kPerThread);
  const Histogram& h = latency.Get();
  EXPECT_EQ(h.Count(), uint64_t{kThreads} * kPerThread);
  const std::vector<uint64_t> buckets = h.BucketCounts();
  ASSERT_EQ(buckets.size(), 3u);
  // kPerThread = 20000: i % 3 is 0 for 6667 values of i, 1 and 2 for 6667 and 6666.
  EXPECT_EQ(buckets[0], uint64_t{kThreads} * 6667);
  EXPECT_EQ(buckets[1], uint64_t{kThreads} * 6667);
  EXPECT_EQ(buckets[2], uint64_t{kThreads} * 6666);
  EXPECT_EQ(h.Sum(), kThreads * (6667.0 * 1 + 6666.0 * 2));
  EXPECT_EQ(gauge.Get().Value(), -1.0 * kThreads * kPerThread);
  EXPECT_THAT(registry.RenderText(),
              HasSubstr("calls_total{subnet=\"shared\",outcome=\"ok\"} 160000\n"));
}

}  // namespace
}  // namespace orchestra::obs
