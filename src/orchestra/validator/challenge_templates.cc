// The built-in challenge templates and topic vocabulary (declared in challenge_generator.h).

#include <fmt/format.h>

#include <cstdlib>

#include "orchestra/validator/challenge_generator.h"

namespace orchestra::validator {
namespace {

constexpr uint32_t kS = kSoftware;
constexpr uint32_t kI = kInfrastructure;
constexpr uint32_t kA = kAi;
constexpr uint32_t kM = kMarket;
constexpr uint32_t kP = kPricing;
constexpr uint32_t kF = kFunding;
constexpr uint32_t kT = kTool;

// Built-in data: a parse failure is a bug in this file, caught by every test that loads it.
Json Parse(std::string_view text) {
  auto json = ParseJson(text, "built-in template schema");
  if (!json) {
    fmt::print(stderr, "{}\n", json.error().message);
    std::abort();
  }
  return std::move(*json);
}

const std::vector<std::string> kFullPipeline = {"web_search", "web_scraping", "synthesis"};
const std::vector<std::string> kSearchAndSynthesis = {"web_search", "synthesis"};

std::vector<ChallengeTemplate> MakeTemplates() {
  std::vector<ChallengeTemplate> out;
  out.push_back(ChallengeTemplate{
      .name = "competitive_landscape",
      .objectives =
          {"Research the competitive landscape for {topic} and identify gaps a new product "
           "could fill",
           "Map the main players in {topic}: who they are, what they do well and where they "
           "fall short",
           "Who competes in {topic}? Compare their strengths and weaknesses and recommend a "
           "positioning for a newcomer"},
      .schemas = {Parse(R"({"competitors": [{"name": "str", "description": "str",
                      "strengths": "list[str]", "weaknesses": "list[str]"}],
                     "market_gaps": [{"gap": "str", "opportunity": "str"}],
                     "recommendation": "str"})"),
                  Parse(R"({"$defs": {"Competitor": {"properties": {
                       "name": {"title": "Name", "type": "string"},
                       "market_position": {"enum": ["leader", "challenger", "niche"],
                                           "title": "Market Position", "type": "string"},
                       "strengths": {"items": {"type": "string"}, "title": "Strengths",
                                     "type": "array"},
                       "website": {"anyOf": [{"type": "string"}, {"type": "null"}],
                                   "default": null, "title": "Website"}},
                     "required": ["name", "market_position", "strengths"],
                     "title": "Competitor", "type": "object"}},
                    "properties": {
                      "competitors": {"items": {"$ref": "#/$defs/Competitor"},
                                      "title": "Competitors", "type": "array"},
                      "summary": {"title": "Summary", "type": "string"}},
                    "required": ["competitors", "summary"],
                    "title": "CompetitiveLandscape", "type": "object"})"),
                  Parse(R"({"players": [{"name": "str",
                       "category": "Literal['incumbent', 'challenger', 'newcomer']",
                       "differentiator": "str"}],
                     "gaps": "list[str]", "threat_level": "Optional[int]"})")},
      .capabilities = kFullPipeline,
      .topic_kinds = kT | kM | kP});
  out.push_back(ChallengeTemplate{
      .name = "market_pricing",
      .objectives =
          {"Research {topic}: list the providers with their prices and recommend a price point "
           "for a new offering",
           "What does {topic} look like today? Compare providers' list prices and say where a "
           "competitive price would sit",
           "Survey {topic} across the main vendors, with concrete prices, and recommend a "
           "pricing strategy"},
      .schemas = {Parse(R"({"providers": [{"name": "str", "pricing": "dict[str, float]",
                      "strengths": "list[str]"}],
                     "recommendation": {"price_point": "float", "rationale": "str"}})"),
                  Parse(R"({"$defs": {
                      "PricePoint": {"properties": {
                          "offering": {"title": "Offering", "type": "string"},
                          "price_usd": {"minimum": 0, "title": "Price Usd", "type": "number"},
                          "unit": {"enum": ["hour", "month", "request", "token", "GB"],
                                   "title": "Unit", "type": "string"}},
                        "required": ["offering", "price_usd", "unit"],
                        "title": "PricePoint", "type": "object"},
                      "Provider": {"properties": {
                          "name": {"title": "Name", "type": "string"},
                          "prices": {"items": {"$ref": "#/$defs/PricePoint"},
                                     "title": "Prices", "type": "array"},
                          "free_tier": {"anyOf": [{"type": "boolean"}, {"type": "null"}],
                                        "default": null, "title": "Free Tier"}},
                        "required": ["name", "prices"], "title": "Provider",
                        "type": "object"}},
                    "properties": {
                      "providers": {"items": {"$ref": "#/$defs/Provider"}, "minItems": 1,
                                    "title": "Providers", "type": "array"},
                      "cheapest": {"title": "Cheapest", "type": "string"},
                      "median_price_usd": {"anyOf": [{"minimum": 0, "type": "number"},
                                                     {"type": "null"}],
                                           "default": null, "title": "Median Price Usd"}},
                    "required": ["providers", "cheapest"], "title": "PricingResearch",
                    "type": "object"})"),
                  Parse(R"({"price_range": {"low_usd": "float", "high_usd": "float"},
                     "vendors": [{"vendor": "str", "lowest_price": "Optional[float]",
                                  "billing": "Literal['hourly', 'monthly', 'usage']"}]})")},
      .capabilities = kFullPipeline,
      .topic_kinds = kP,
      .needs_figures = true});
  out.push_back(ChallengeTemplate{
      .name = "tool_comparison",
      .objectives =
          {"Compare the leading {topic} options for a production team and recommend one",
           "Which {topic} should we adopt? Compare the main choices on maturity, strengths and "
           "drawbacks",
           "Evaluate the best-known {topic} projects side by side and pick a winner for a "
           "small engineering team"},
      .schemas = {Parse(R"({"options": [{"name": "str", "license": "Optional[str]",
                      "pros": "list[str]", "cons": "list[str]"}],
                     "recommended": "str", "reason": "str"})"),
                  Parse(R"({"$defs": {"Option": {"properties": {
                       "name": {"title": "Name", "type": "string"},
                       "maturity": {"enum": ["experimental", "stable", "mature"],
                                    "title": "Maturity", "type": "string"},
                       "score": {"maximum": 10, "minimum": 1, "title": "Score",
                                 "type": "integer"},
                       "best_for": {"items": {"type": "string"}, "title": "Best For",
                                    "type": "array"}},
                     "required": ["name", "maturity", "score", "best_for"],
                     "title": "Option", "type": "object"}},
                    "properties": {
                      "options": {"items": {"$ref": "#/$defs/Option"}, "title": "Options",
                                  "type": "array"},
                      "winner": {"title": "Winner", "type": "string"}},
                    "required": ["options", "winner"], "title": "ToolComparison",
                    "type": "object"})")},
      .capabilities = kFullPipeline,
      .topic_kinds = kT});
  out.push_back(ChallengeTemplate{
      .name = "funding_trends",
      .objectives = {"Find recent {topic} news and funding rounds and summarize trends",
                     "What happened in {topic} lately? List notable deals with amounts and "
                     "dates, then describe the trends",
                     "Track {topic}: the biggest recent rounds, who raised them and what they "
                     "say about the market"},
      .schemas = {Parse(R"({"rounds": [{"company": "str", "amount": "float", "date": "str"}],
                     "trends": [{"trend": "str", "evidence": "str"}]})"),
                  Parse(R"({"$defs": {"Round": {"properties": {
                       "company": {"title": "Company", "type": "string"},
                       "amount_usd": {"exclusiveMinimum": 0, "title": "Amount Usd",
                                      "type": "number"},
                       "stage": {"anyOf": [{"enum": ["seed", "series_a", "series_b",
                                                     "series_c", "late_stage", "other"],
                                            "type": "string"}, {"type": "null"}],
                                 "default": null, "title": "Stage"},
                       "investors": {"items": {"type": "string"}, "title": "Investors",
                                     "type": "array"},
                       "announced": {"anyOf": [{"format": "date", "type": "string"},
                                               {"type": "null"}],
                                     "default": null, "title": "Announced"}},
                     "required": ["company", "amount_usd", "investors"], "title": "Round",
                     "type": "object"}},
                    "properties": {
                      "rounds": {"items": {"$ref": "#/$defs/Round"}, "title": "Rounds",
                                 "type": "array"},
                      "total_raised_usd": {"minimum": 0, "title": "Total Raised Usd",
                                           "type": "number"},
                      "summary": {"title": "Summary", "type": "string"}},
                    "required": ["rounds", "total_raised_usd", "summary"],
                    "title": "FundingTrends", "type": "object"})")},
      .capabilities = kSearchAndSynthesis,
      .topic_kinds = kF,
      .needs_figures = true});
  out.push_back(ChallengeTemplate{
      .name = "technology_explainer",
      .objectives = {"Explain {topic} to an engineering manager: how it works, the key "
                     "concepts, and when to use it",
                     "Write a briefing on {topic}: what it is, the main ideas behind it and "
                     "notable projects",
                     "Give a newcomer a structured introduction to {topic}, with concrete "
                     "examples"},
      .schemas = {Parse(
                      R"({"summary": "str", "key_concepts": [{"term": "str", "explanation": "str"}],
                     "use_cases": "list[str]", "notable_projects": "list[str]"})"),
                  Parse(R"({"$defs": {"Step": {"properties": {
                       "order": {"minimum": 1, "title": "Order", "type": "integer"},
                       "description": {"title": "Description", "type": "string"}},
                     "required": ["order", "description"], "title": "Step",
                     "type": "object"}},
                    "properties": {
                      "overview": {"title": "Overview", "type": "string"},
                      "how_it_works": {"items": {"$ref": "#/$defs/Step"},
                                       "title": "How It Works", "type": "array"},
                      "difficulty": {"enum": ["beginner", "intermediate", "advanced"],
                                     "title": "Difficulty", "type": "string"},
                      "alternatives": {"anyOf": [{"items": {"type": "string"},
                                                  "type": "array"}, {"type": "null"}],
                                       "default": null, "title": "Alternatives"}},
                    "required": ["overview", "how_it_works", "difficulty"],
                    "title": "TechnologyExplainer", "type": "object"})")},
      .capabilities = kSearchAndSynthesis,
      .topic_kinds = kS | kI | kA});
  out.push_back(ChallengeTemplate{
      .name = "entity_deep_dive",
      .objectives = {"Give a deep dive on {entity} ({topic}): what it offers, key figures, "
                     "strengths and risks",
                     "Profile {entity}, a player in {topic}: its offering, its numbers and how "
                     "it compares",
                     "Research {entity} in depth as part of {topic} and assess its outlook"},
      .schemas = {Parse(R"({"name": "str", "description": "str", "offerings": "list[str]",
                     "key_figures": "dict[str, str]", "strengths": "list[str]",
                     "risks": "list[str]"})"),
                  Parse(R"({"$defs": {"Fact": {"properties": {
                       "label": {"title": "Label", "type": "string"},
                       "value": {"title": "Value", "type": "string"},
                       "source_url": {"anyOf": [{"type": "string"}, {"type": "null"}],
                                      "default": null, "title": "Source Url"}},
                     "required": ["label", "value"], "title": "Fact", "type": "object"}},
                    "properties": {
                      "name": {"title": "Name", "type": "string"},
                      "category": {"title": "Category", "type": "string"},
                      "founded": {"anyOf": [{"maximum": 2100, "minimum": 1900,
                                             "type": "integer"}, {"type": "null"}],
                                  "default": null, "title": "Founded"},
                      "facts": {"items": {"$ref": "#/$defs/Fact"}, "title": "Facts",
                                "type": "array"},
                      "outlook": {"enum": ["growing", "stable", "declining", "unclear"],
                                  "title": "Outlook", "type": "string"}},
                    "required": ["name", "category", "facts", "outlook"],
                    "title": "EntityProfile", "type": "object"})")},
      .capabilities = kFullPipeline,
      .topic_kinds = kT | kM | kP | kF,
      .single_entity = true});
  return out;
}

std::vector<TopicPhrase> MakeVocabulary() {
  const std::pair<uint32_t, std::vector<std::string>> groups[] = {
      {kS | kT,
       {"image compression library",
        "JSON parser",
        "HTTP client library",
        "web framework",
        "static site generator",
        "text editor",
        "version control system",
        "package manager",
        "build system",
        "unit testing framework",
        "logging library",
        "regular expression library",
        "compression utility",
        "PDF viewer",
        "password manager",
        "terminal emulator",
        "audio player",
        "video encoder",
        "font rendering library",
        "XML parser",
        "cryptography library",
        "command line parser",
        "image viewer",
        "spreadsheet application",
        "email client",
        "markdown renderer",
        "code formatter",
        "static analysis tool",
        "plotting library",
        "scientific computing library",
        "game engine",
        "3D modeling software",
        "web browser",
        "backup tool",
        "file synchronization tool",
        "network monitoring tool",
        "packet capture tool",
        "VPN software",
        "SSH server",
        "DNS server",
        "mail transfer agent",
        "web server",
        "reverse proxy",
        "load balancer",
        "firewall",
        "virtual machine monitor",
        "speech synthesis",
        "optical character recognition",
        "photo editor",
        "music notation software",
        "database migration tool",
        "API documentation generator"}},
      {kS | kI | kT,
       {"message broker", "relational database", "key-value store", "time series database",
        "full-text search engine", "container runtime", "in-memory cache", "graph database",
        "document database", "workflow scheduler", "configuration management tool",
        "infrastructure as code", "log aggregation", "metrics collection"}},
      {kI | kT,
       {"container orchestration", "object storage", "distributed file system", "stream processing",
        "service mesh", "observability platform", "content delivery network", "data warehouse",
        "blockchain node"}},
      {kI,
       {"serverless computing", "edge computing", "peer-to-peer network", "confidential computing",
        "decentralized storage network"}},
      {kI | kP,
       {"GPU cloud pricing", "cloud storage pricing", "managed database pricing", "CDN pricing",
        "cloud hosting pricing", "bare metal server pricing", "GPU rental marketplace",
        "cloud GPU instances"}},
      {kP, {"LLM API pricing", "SaaS pricing", "VPN subscription pricing"}},
      {kI | kM, {"decentralized compute marketplace", "web3 infrastructure", "DePIN networks"}},
      {kA | kT,
       {"machine learning framework", "deep learning library", "large language model",
        "speech recognition", "machine translation", "computer vision library", "vector database",
        "natural language processing toolkit", "recommendation system", "text to image model",
        "AI coding assistant", "embedding model"}},
      {kA,
       {"AI inference", "AI agents", "reinforcement learning", "AI safety", "generative AI",
        "GPU rendering", "model fine-tuning", "AI regulation"}},
      {kA | kM, {"AI chips", "autonomous driving", "humanoid robots"}},
      {kF,
       {"AI startup funding", "generative AI funding", "venture capital", "startup valuation",
        "robotics funding", "climate tech funding", "AI infrastructure investment",
        "data center investment"}},
      {kM,
       {"semiconductor industry", "crypto mining", "fintech startups", "cybersecurity startups",
        "developer tools market", "open source business model", "ride hailing market",
        "satellite internet", "cryptocurrency exchange"}},
  };
  std::vector<TopicPhrase> out;
  for (const auto& [kinds, phrases] : groups) {
    for (const std::string& p : phrases) out.push_back(TopicPhrase{p, kinds});
  }
  return out;
}

}  // namespace

const std::vector<ChallengeTemplate>& ChallengeTemplates() {
  static const std::vector<ChallengeTemplate> templates = MakeTemplates();
  return templates;
}

const std::vector<TopicPhrase>& DefaultTopicVocabulary() {
  static const std::vector<TopicPhrase> vocabulary = MakeVocabulary();
  return vocabulary;
}

}  // namespace orchestra::validator
