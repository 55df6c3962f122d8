#pragma once

// A generated challenge as the validator keeps it (the challenge and its private reference:
// answer key, cheapest route) for the seed's gpu_pricing objective; the e2e tests of
// `orchestra score` and `orchestra ask` read it.
namespace orchestra::testing {

inline constexpr const char* kGpuPricingGeneratedChallenge = R"({
  "challenge": {
    "challenge_id": "0x2b7c9e1d3f5a8c0e2d4f6b8a1c3e5d7f9b0a2c4e6d8f1b3a5c7e9d0f2b4a6c8e",
    "objective": "Research cloud GPU pricing from RunPod, Vast.ai, and Lambda. Recommend a price point for our new inference API.",
    "target_schema": {
      "competitors": [{"name": "str", "pricing": "dict", "strengths": "list"}],
      "recommendation": {"price_point": "float", "rationale": "str"}
    },
    "deadline_ms": 30000
  },
  "reference": {
    "template": "market_pricing", "topic": "cloud GPU pricing",
    "capabilities": ["web_search", "web_scraping", "synthesis"],
    "key": {"entities": ["RunPod", "Lambda", "Vast.ai"], "facts": ["H100"],
            "topic_terms": ["GPU", "pricing"], "source_urls": []},
    "route": {"steps": [
        {"capability": "web_search", "subnet_id": "SN22", "cost": 0.002, "latency_ms": 300, "depends_on": []},
        {"capability": "web_scraping", "subnet_id": "SN33", "cost": 0.002, "latency_ms": 1500, "depends_on": [0]},
        {"capability": "synthesis", "subnet_id": "SN1", "cost": 0.001, "latency_ms": 500, "depends_on": [1]}],
      "cost": 0.005, "critical_path_ms": 2300}
  }
})";

}  // namespace orchestra::testing
