#pragma once

#include <string>

#include "orchestra/protocol/orchestra_synapse.h"

namespace orchestra::obs {

// Facts about the answer that the report prints but the response does not carry.
struct ReportExtras {
  bool schema_valid = false;
  double compliance = 0.0;
  double completeness = 0.0;
};

// A one-screen summary of a response: the task pipeline as a table (step, task, subnet, uid,
// start offset, latency, cost, tries, proof hash, error) and a text timeline with one bar per
// step over [0, total_latency_ms], so steps that ran in parallel show as overlapping bars.
// `width` is the timeline's width in characters.
std::string RenderPipelineReport(const protocol::Response& response, const ReportExtras& extras,
                                 int width = 48);

}  // namespace orchestra::obs
