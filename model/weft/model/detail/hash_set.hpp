// A set of 64-bit hashes that answers one question: was this one seen before? Open
// addressing with linear probing in a power-of-two table at most half full (0 marks a free
// slot; the hash 0 itself is kept apart), so an insert is a probe or two and allocates only
// when the table doubles. No iteration: nothing can depend on its order.
#pragma once

#include <cstdint>
#include <vector>

namespace weft::model::detail {

class HashSet64 {
 public:
  // True when h was not in the set (it is now).
  bool insert(std::uint64_t h) {
    if (h == 0) {
      if (has_zero_) return false;
      has_zero_ = true;
      ++size_;
      return true;
    }
    if (2 * (size_ + 1) > table_.size()) grow();
    if (!place(table_, h)) return false;
    ++size_;
    return true;
  }
  std::size_t size() const noexcept { return size_; }

 private:
  static bool place(std::vector<std::uint64_t>& table, std::uint64_t h) {
    const std::size_t mask = table.size() - 1;
    for (std::size_t i = std::size_t(h ^ (h >> 32)) & mask;; i = (i + 1) & mask) {
      if (table[i] == h) return false;
      if (table[i] == 0) {
        table[i] = h;
        return true;
      }
    }
  }
  void grow() {
    std::vector<std::uint64_t> grown(table_.empty() ? 64 : 2 * table_.size(), 0);
    for (std::uint64_t v : table_)
      if (v) place(grown, v);
    table_ = std::move(grown);
  }
  std::vector<std::uint64_t> table_;
  std::size_t size_ = 0;
  bool has_zero_ = false;
};

}  // namespace weft::model::detail
