#pragma once

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/sim/corpus.h"

namespace orchestra::sim {

// The simulated SN22 Desearch expert: searches `corpus`.
// Input {"query": str (required, non-empty), "max_results": int 1..100 (default 10),
// "search_type": str (default "web"; "news" restricts to news and analysis documents)}.
// Output {"results": [{"title", "link", "snippet", "published_date"}], "total_found": int},
// best match first; total_found is the number of results returned. No match is a success with
// an empty list. Bad input gives kInvalidArgument naming the field. Thread-safe; never throws.
Result<Json> Search(const Corpus& corpus, const Json& input);

}  // namespace orchestra::sim
