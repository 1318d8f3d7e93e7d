#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lobbyq::load {

// A latency histogram in the manner of HdrHistogram: buckets that double in width, each
// split into 128 linear sub-buckets, so every recorded value keeps at least two
// significant digits (relative error below 1%) from 1 ns up to about 18 minutes, in a
// fixed 35 KiB. Percentiles come from the merged counts of every thread, never from
// averaging per-thread percentiles. Not thread-safe: one per thread, merged at the end.
class Histogram {
 public:
  Histogram();

  void Record(int64_t nanos);
  void Merge(const Histogram& other);

  uint64_t count() const { return count_; }
  int64_t max() const { return max_; }
  // The value at percentile `p` (0..100): the highest value of the bucket where the
  // running count reaches p% of all values, so a reported p99 is never optimistic.
  int64_t ValueAtPercentile(double p) const;

 private:
  static constexpr int kSubBucketBits = 8;  // 256 sub-buckets, the upper half used above 0
  static constexpr int kSubBucketHalf = 1 << (kSubBucketBits - 1);
  static constexpr int kBucketCount = 34;  // values up to 2^41 ns
  static size_t IndexOf(int64_t value);
  static int64_t HighestValueAt(size_t index);

  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  int64_t max_ = 0;
};

}  // namespace lobbyq::load
