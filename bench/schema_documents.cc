#include "schema_documents.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>

#include "orchestra/core/json.h"

namespace orchestra::bench {
namespace {

// TypeAdapter(Landscape).json_schema() of bench/schema_vs_python.py (which checks that it still
// is).
constexpr std::string_view kLandscapeSchema = R"json({
  "$defs":{
    "Competitor":{
      "properties":{
        "name":{"minLength":1,"title":"Name","type":"string"},
        "description":{"title":"Description","type":"string"},
        "website":{"title":"Website","type":"string"},
        "founded":{
          "anyOf":[{"format":"date","type":"string"},{"type":"null"}],
          "default":null,
          "title":"Founded"
        },
        "employees":{
          "anyOf":[{"type":"integer"},{"type":"null"}],
          "default":null,
          "title":"Employees"
        },
        "funding_usd":{
          "anyOf":[{"type":"number"},{"type":"null"}],
          "default":null,
          "title":"Funding Usd"
        },
        "market_share":{"maximum":100,"minimum":0,"title":"Market Share","type":"number"},
        "strengths":{"items":{"type":"string"},"title":"Strengths","type":"array"},
        "weaknesses":{"items":{"type":"string"},"title":"Weaknesses","type":"array"},
        "pricing":{"items":{"$ref":"#/$defs/PricePlan"},"title":"Pricing","type":"array"},
        "sources":{"items":{"$ref":"#/$defs/Source"},"title":"Sources","type":"array"}
      },
      "required":[
        "name",
        "description",
        "website",
        "market_share",
        "strengths",
        "weaknesses",
        "pricing",
        "sources"
      ],
      "title":"Competitor",
      "type":"object"
    },
    "MarketGap":{
      "properties":{
        "gap":{"title":"Gap","type":"string"},
        "opportunity":{"title":"Opportunity","type":"string"},
        "difficulty":{"enum":["low","medium","high"],"title":"Difficulty","type":"string"}
      },
      "required":["gap","opportunity","difficulty"],
      "title":"MarketGap",
      "type":"object"
    },
    "PricePlan":{
      "properties":{
        "plan":{"title":"Plan","type":"string"},
        "price_usd":{"minimum":0,"title":"Price Usd","type":"number"},
        "currency":{"pattern":"^[A-Z]{3}$","title":"Currency","type":"string"},
        "billing":{
          "enum":["hourly","monthly","yearly","per_request"],
          "title":"Billing",
          "type":"string"
        }
      },
      "required":["plan","price_usd","currency","billing"],
      "title":"PricePlan",
      "type":"object"
    },
    "Source":{
      "properties":{
        "title":{"title":"Title","type":"string"},
        "url":{"title":"Url","type":"string"},
        "snippet":{"title":"Snippet","type":"string"},
        "published_date":{
          "anyOf":[{"format":"date","type":"string"},{"type":"null"}],
          "default":null,
          "title":"Published Date"
        },
        "relevance":{"maximum":1,"minimum":0,"title":"Relevance","type":"number"}
      },
      "required":["title","url","snippet","relevance"],
      "title":"Source",
      "type":"object"
    }
  },
  "properties":{
    "query":{"title":"Query","type":"string"},
    "generated_at":{"format":"date-time","title":"Generated At","type":"string"},
    "total_found":{"minimum":0,"title":"Total Found","type":"integer"},
    "competitors":{"items":{"$ref":"#/$defs/Competitor"},"title":"Competitors","type":"array"},
    "market_gaps":{"items":{"$ref":"#/$defs/MarketGap"},"title":"Market Gaps","type":"array"},
    "recommendation":{"title":"Recommendation","type":"string"}
  },
  "required":[
    "query",
    "generated_at",
    "total_found",
    "competitors",
    "market_gaps",
    "recommendation"
  ],
  "title":"Landscape",
  "type":"object"
})json";

// splitmix64: the same numbers on every machine and every run.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }
  int Between(int lo, int hi) { return lo + static_cast<int>(Next() % (hi - lo + 1)); }

 private:
  uint64_t state_;
};

constexpr std::array<std::string_view, 48> kWords = {
    "compute",   "market",    "gpu",      "pricing",  "latency",     "inference", "decentral",
    "network",   "provider",  "cluster",  "training", "workload",    "storage",   "bandwidth",
    "validator", "subnet",    "emission", "stake",    "reliable",    "cheap",     "enterprise",
    "support",   "developer", "tooling",  "api",      "throughput",  "regional",  "capacity",
    "spot",      "reserved",  "billing",  "open",     "source",      "community", "roadmap",
    "security",  "audit",     "privacy",  "model",    "serving",     "batch",     "queue",
    "scaling",   "global",    "edge",     "hardware", "marketplace", "benchmark"};

constexpr std::array<std::string_view, 12> kMonths = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

std::string Words(Random& random, int lo, int hi) {
  std::string out;
  const int n = random.Between(lo, hi);
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ' ';
    out += kWords[random.Next() % kWords.size()];
  }
  return out;
}

struct Date {
  int year, month, day;
};

Date RandomDate(Random& random, int first_year, int last_year) {
  return {random.Between(first_year, last_year), random.Between(1, 12), random.Between(1, 28)};
}

std::string Iso(const Date& d) { return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day); }
std::string MonthFirst(const Date& d) {
  return fmt::format("{} {}, {}", kMonths[d.month - 1], d.day, d.year);
}
std::string DayFirst(const Date& d) {
  return fmt::format("{} {} {}", d.day, kMonths[d.month - 1].substr(0, 3), d.year);
}

// "12,500,000" / "1,234.50": thousands separators, as a careless expert writes numbers.
std::string Grouped(int64_t whole) {
  std::string digits = std::to_string(whole);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

constexpr std::array<std::string_view, 4> kBilling = {"hourly", "monthly", "yearly", "per_request"};
constexpr std::array<std::string_view, 3> kDifficulty = {"low", "medium", "high"};
constexpr std::array<std::string_view, 3> kCurrency = {"USD", "EUR", "TAO"};

// Both variants draw the same numbers in the same order; `dirty` only changes how they are
// written.
Json Landscape(int competitors, int sources_per_competitor, bool dirty) {
  Random random(20240305);
  auto key = [&](std::string_view snake, std::string_view camel) { return dirty ? camel : snake; };
  JsonArray list;
  for (int c = 0; c < competitors; ++c) {
    JsonObject competitor;
    competitor["name"] = fmt::format("{} {} {}", Words(random, 1, 1), Words(random, 1, 1), c);
    competitor["description"] = Words(random, 8, 14);
    competitor["website"] = fmt::format("https://{}-{}.example.com", Words(random, 1, 1), c);
    const Date founded = RandomDate(random, 1995, 2023);
    if (c % 7 != 6) {
      competitor["founded"] = dirty ? MonthFirst(founded) : Iso(founded);
    } else if (!dirty) {
      competitor["founded"] = nullptr;
    }
    const int employees = random.Between(3, 250000);
    if (c % 5 != 4) {
      competitor["employees"] = dirty ? Json(Grouped(employees)) : Json(employees);
    } else if (!dirty) {
      competitor["employees"] = nullptr;
    }
    const int64_t funding = int64_t{random.Between(1, 90000)} * 10000;
    competitor[key("funding_usd", "fundingUsd")] =
        dirty ? Json("$" + Grouped(funding)) : Json(static_cast<double>(funding));
    const double share = random.Between(0, 1000) / 10.0;
    competitor[key("market_share", "marketShare")] =
        dirty ? Json(FormatDouble(share)) : Json(share);
    JsonArray strengths, weaknesses;
    for (int i = random.Between(2, 4); i > 0; --i) strengths.emplace_back(Words(random, 2, 4));
    for (int i = random.Between(1, 3); i > 0; --i) weaknesses.emplace_back(Words(random, 2, 4));
    if (dirty) {
      std::string joined;
      for (const Json& s : strengths) {
        if (!joined.empty()) joined += ", ";
        joined += s.get_string();
      }
      competitor["Strengths"] = joined;
    } else {
      competitor["strengths"] = std::move(strengths);
    }
    competitor[key("weaknesses", "Weaknesses")] = std::move(weaknesses);
    JsonArray pricing;
    for (int i = random.Between(1, 2); i > 0; --i) {
      JsonObject plan;
      plan["plan"] = Words(random, 1, 2);
      const int cents = random.Between(0, 99999);
      plan[key("price_usd", "priceUSD")] =
          dirty ? Json(fmt::format("${}.{:02}", Grouped(cents / 100), cents % 100))
                : Json(cents / 100.0);
      plan["currency"] = kCurrency[random.Next() % kCurrency.size()];
      std::string billing(kBilling[random.Next() % kBilling.size()]);
      if (dirty) billing[0] = static_cast<char>(billing[0] - 'a' + 'A');
      plan["billing"] = billing;
      pricing.emplace_back(std::move(plan));
    }
    competitor["pricing"] = std::move(pricing);
    JsonArray sources;
    for (int s = 0; s < sources_per_competitor; ++s) {
      JsonObject source;
      source["title"] = Words(random, 4, 8);
      source["url"] = fmt::format("https://news.example.com/{}/{}-{}", random.Between(2019, 2024),
                                  Words(random, 1, 1), random.Between(1, 99999));
      source["snippet"] = Words(random, 12, 24);
      const Date published = RandomDate(random, 2019, 2024);
      if (s % 4 != 3) {
        source[key("published_date", "publishedDate")] =
            dirty ? DayFirst(published) : Iso(published);
      } else if (!dirty) {
        source["published_date"] = nullptr;
      }
      const int relevance = random.Between(0, 100);
      source["relevance"] =
          dirty ? Json(std::to_string(relevance / 100.0).substr(0, 4)) : Json(relevance / 100.0);
      sources.emplace_back(std::move(source));
    }
    competitor["sources"] = std::move(sources);
    list.emplace_back(std::move(competitor));
  }
  JsonArray gaps;
  for (int g = (competitors + 1) / 2; g > 0; --g) {
    JsonObject gap;
    gap["gap"] = Words(random, 4, 8);
    gap["opportunity"] = Words(random, 6, 12);
    gap["difficulty"] = kDifficulty[random.Next() % kDifficulty.size()];
    gaps.emplace_back(std::move(gap));
  }
  JsonObject landscape;
  landscape["query"] = "decentralized GPU compute marketplaces";
  landscape[key("generated_at", "generatedAt")] =
      dirty ? "Tue, 05 Mar 2024 14:30:00 GMT" : "2024-03-05T14:30:00Z";
  landscape[key("total_found", "totalFound")] =
      dirty ? Json(Grouped(int64_t{competitors} * 37)) : Json(competitors * 37);
  landscape["competitors"] = std::move(list);
  landscape[key("market_gaps", "marketGaps")] = std::move(gaps);
  landscape["recommendation"] = Words(random, 10, 20);
  if (!dirty) return landscape;
  return JsonObject{{"status", "ok"}, {"data", std::move(landscape)}};
}

}  // namespace

std::string_view LandscapeSchema() { return kLandscapeSchema; }

std::string LandscapeDocument(int competitors, int sources_per_competitor) {
  return CompactJson(Landscape(competitors, sources_per_competitor, /*dirty=*/false));
}

std::string DirtyLandscapeDocument(int competitors, int sources_per_competitor) {
  return CompactJson(Landscape(competitors, sources_per_competitor, /*dirty=*/true));
}

}  // namespace orchestra::bench
