#include "server/rpc/limits.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace lobbyq::rpc {

absl::Status IssueRateLimiter::Take(const std::string& caller, absl::Time now) {
  const double per_second = limits_.issues_per_minute / 60.0;
  absl::MutexLock lock(&mu_);
  auto [it, added] = buckets_.try_emplace(
      caller, Bucket{.tokens = static_cast<double>(limits_.issue_burst), .updated = now});
  Bucket& bucket = it->second;
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - bucket.updated));
  bucket.tokens =
      std::min(static_cast<double>(limits_.issue_burst), bucket.tokens + elapsed * per_second);
  bucket.updated = std::max(bucket.updated, now);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return absl::OkStatus();
  }
  const int wait_s = static_cast<int>(std::ceil((1 - bucket.tokens) / per_second));
  return absl::ResourceExhaustedError(
      absl::StrCat("取号过于频繁，请 ", wait_s,
                   " 秒后再试 / Too many tickets from this kiosk: try again in ", wait_s, " s"));
}

absl::Status LiveTicketCapReached(int cap) {
  return absl::ResourceExhaustedError(
      absl::StrCat("排队人数已满，请咨询大堂经理 / The queues are full (", cap,
                   " customers): please ask a member of staff"));
}

}  // namespace lobbyq::rpc
