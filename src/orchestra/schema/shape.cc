#include "orchestra/schema/shape.h"

namespace orchestra::schema {
namespace {

const Node* ReferencedWithin(const Node* node, int* budget) {
  while (node && node->ref && node->properties.empty() && node->items == nullptr && *budget > 0) {
    --*budget;
    node = node->ref;
  }
  return node;
}

// Effective, spending hops from `budget`, which the branch look-ups share: a hand-built graph
// whose branches lead back to themselves stops too.
const Node* EffectiveWithin(const Node* node, int* budget) {
  while (node) {
    node = ReferencedWithin(node, budget);
    if (*budget <= 0) return node;
    if (node->all_of.size() == 1 && node->types == kAllTypeBits && node->properties.empty()) {
      --*budget;
      node = node->all_of.front();
      continue;
    }
    const std::vector<const Node*>& branches = node->any_of.empty() ? node->one_of : node->any_of;
    if (branches.empty()) return node;
    --*budget;
    const Node* first = nullptr;
    for (const Node* branch : branches) {
      const Node* shape = EffectiveWithin(branch, budget);
      if (shape && shape->types != kNullBit) return shape;
      if (!first) first = shape;
    }
    return first;
  }
  return node;
}

}  // namespace

const Node* Referenced(const Node* node) {
  int budget = kMaxShapeHops;
  return ReferencedWithin(node, &budget);
}

const Node* Effective(const Node* node) {
  int budget = kMaxShapeHops;
  return EffectiveWithin(node, &budget);
}

}  // namespace orchestra::schema
