#pragma once

namespace orchestra {

// Hands the allocator's free pages back to the system: tcmalloc's when the program links it
// (cmake: orchestra_link_allocator), else glibc's (malloc_trim). Either otherwise keeps freed
// memory for reuse, so that a process's resident size stays at its peak after one large
// allocation is freed. Costs a walk over the allocator's free lists: call it after freeing
// something large, not per request.
void ReleaseFreeMemory();

}  // namespace orchestra
