#include "bench/load/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace lobbyq::load {

namespace {
constexpr int64_t kMaxTrackable = (int64_t{1} << 41) - 1;
}  // namespace

Histogram::Histogram() : counts_((kBucketCount + 1) * kSubBucketHalf, 0) {}

// Values below 256 map one to one; above, bucket b (b >= 1) holds [2^(b+7), 2^(b+8)) in
// 128 steps of 2^b.
size_t Histogram::IndexOf(int64_t value) {
  const auto v = static_cast<uint64_t>(std::clamp<int64_t>(value, 0, kMaxTrackable));
  const int magnitude = std::bit_width(v | ((1u << kSubBucketBits) - 1)) - kSubBucketBits;
  const uint64_t sub = v >> magnitude;  // in [128, 256) once magnitude > 0
  return static_cast<size_t>(magnitude) * kSubBucketHalf + sub;
}

int64_t Histogram::HighestValueAt(size_t index) {
  if (index < 2 * kSubBucketHalf) return static_cast<int64_t>(index);
  const size_t magnitude = index / kSubBucketHalf - 1;
  const uint64_t sub = index - magnitude * kSubBucketHalf;
  return static_cast<int64_t>(((sub + 1) << magnitude) - 1);
}

void Histogram::Record(int64_t nanos) {
  ++counts_[IndexOf(nanos)];
  ++count_;
  max_ = std::max(max_, nanos);
}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

int64_t Histogram::ValueAtPercentile(double p) const {
  if (count_ == 0) return 0;
  const auto wanted = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * count_)));
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= wanted) return std::min(HighestValueAt(i), max_);
  }
  return max_;
}

}  // namespace lobbyq::load
