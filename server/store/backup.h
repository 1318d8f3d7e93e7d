#pragma once

#include <string>

#include "absl/status/status.h"

namespace lobbyq::store {

// Copies the lobbyq database at `source` to the new file `destination` as one
// consistent snapshot (SQLite's online backup API), while a server may be
// running on it: the source is opened read-only and its lock file is not
// taken, and in WAL mode the snapshot does not hold up the server's commits.
// The copy is a self-contained file (no -wal), checked with quick_check,
// flushed to disk and only then given its name, so `destination` is either a
// whole backup or absent.
// Returns NotFound if there is no database at `source`, FailedPrecondition if
// `destination` already exists (a backup is never overwritten), DataLoss if the
// source is corrupt, and Unavailable/Internal for other failures, each naming
// the file.
absl::Status BackupDatabase(const std::string& source, const std::string& destination);

}  // namespace lobbyq::store
