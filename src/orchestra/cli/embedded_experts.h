#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "orchestra/core/result.h"
#include "orchestra/sim/corpus.h"
#include "orchestra/sim/simulator.h"

namespace orchestra::cli {

// The simulated experts' corpus by its --corpus name. "full": the curated pages plus Debian's
// package descriptions, indexed into sim::CorpusDirectory(experts_dir)/corpus.db on first use
// (seconds, announced on stderr with the time it took) and reused afterwards (silently); where
// apt-cache is missing, the curated pages only (a log line says so). "curated": the curated
// pages only, in memory (instant; a small world that is the same on every machine). Errors:
// those of sim::Corpus::Open / Load, prefixed "corpus: ".
Result<sim::Corpus> OpenExpertCorpus(std::string_view kind,
                                     const std::filesystem::path& experts_dir);

// The simulated expert subnets of the embedded manifest, serving the corpus OpenExpertCorpus
// gives for `corpus` and `experts_dir` (<data dir>/experts, shared with `orchestra experts`) on
// loopback ports in this process (the embedded default until real subnets are wired in).
Result<std::unique_ptr<sim::Simulator>> StartEmbeddedExperts(
    uint64_t seed, double latency_scale, std::string_view corpus,
    const std::filesystem::path& experts_dir);

}  // namespace orchestra::cli
