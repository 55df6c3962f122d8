#pragma once

#include <string>
#include <vector>

#include "orchestra/core/embedded.h"
#include "orchestra/sim/corpus.h"

// Test helpers: a small inline corpus, and the real one compiled in (may be empty).
namespace orchestra::sim::testing {

// Owns the bytes an EmbeddedFile points at.
struct InlineFiles {
  std::vector<std::string> paths;
  std::vector<std::string> contents;
  std::vector<EmbeddedFile> Files() const {
    std::vector<EmbeddedFile> files;
    for (size_t i = 0; i < paths.size(); ++i) files.push_back({paths[i], contents[i]});
    return files;
  }
};

// Five documents on two topics: Akash (homepage), Render (homepage), a GPU pricing page, a
// funding news item and a market analysis with labelled snippets.
inline InlineFiles SmallCorpusFiles() {
  InlineFiles files;
  files.paths = {"data/corpus/compute.json", "data/corpus/funding.json"};
  files.contents = {R"({"topic": "compute", "documents": [
    {"url": "https://akash.network/", "title": "Akash Network - Decentralized Compute Marketplace",
     "published_date": "2025-01-15", "kind": "homepage",
     "snippet": "Akash is a decentralized compute marketplace.",
     "text": "Akash Network lets developers lease compute from providers in a reverse auction.",
     "fields": {"name": "Akash Network", "description": "Decentralized cloud compute marketplace",
                "strengths": ["Low pricing", "Kubernetes native"],
                "weaknesses": ["Limited GPU availability"], "Founded Year": 2015}},
    {"url": "https://rendernetwork.com/", "title": "Render Network - Distributed GPU Rendering",
     "published_date": "2025-01-10", "kind": "homepage",
     "snippet": "Render is a distributed GPU rendering network.",
     "text": "Render Network connects artists with idle GPUs.",
     "fields": {"name": "Render Network", "about": "Distributed GPU rendering"}},
    {"url": "https://www.runpod.io/pricing", "title": "RunPod GPU Cloud Pricing",
     "published_date": "2025-02-01", "kind": "pricing",
     "snippet": "H100 from $1.99 per hour.", "text": "RunPod rents GPUs by the hour.",
     "fields": {"name": "RunPod", "pricing": "H100 80GB: $1.99/hr"}},
    {"url": "https://messari.io/report/depin", "title": "State of DePIN",
     "published_date": "2025-02-01", "kind": "analysis",
     "snippet": "Gap: No dominant player for ML inference workloads. Opportunity: Inference routing. Difficulty: Medium - needs SLAs.",
     "text": "This market analysis report covers decentralized compute."}
  ]})",
                    R"({"topic": "funding", "documents": [
    {"url": "https://example.com/news/mistral", "title": "Mistral AI raises $640M",
     "published_date": "2024-06-11", "kind": "news",
     "snippet": "Mistral AI raised a Series B.", "text": "The Paris startup raised funding.",
     "fields": {"company": "Mistral AI", "amount": 640000000}}
  ]})"};
  return files;
}

}  // namespace orchestra::sim::testing
