#pragma once

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/sim/corpus.h"

namespace orchestra::sim {

// The simulated SN13 Data Universe expert: "scrapes" pages of `corpus`.
// Input {"urls": [str] (1..20, required), "extract_fields": [str] (optional)}.
// Output {"data": [record], "errors": [{"url", "error": "not found"}]}, one entry per input
// URL in input order. A record holds "url" (as requested), "title", and each requested field
// the page has, under the requested spelling: looked up in the document's structured fields
// by normalised name (case, snake/camel case and spaces ignored; plural "s" and the synonyms
// name/title/company, description/about/summary, link/url tolerated), then among the page's
// own "title", "text", "snippet", "published_date", "kind" and "url". Fields the page lacks are
// left out. Without extract_fields (or with an empty list) a record holds every structured
// field plus "title", "snippet" and "published_date". An unknown URL is an entry in "errors",
// not a failure; bad input gives kInvalidArgument naming the field. Thread-safe; never throws.
Result<Json> Scrape(const Corpus& corpus, const Json& input);

}  // namespace orchestra::sim
