#include "stored_state.h"

#include <algorithm>
#include <iostream>
#include <set>

#include "ejournal/json_log.h"
#include "ejournal/projections/catalog.h"
#include "ejournal/projections/host.h"
#include "ejournal/fb/snapshot_manifest_generated.h"
#include "ejournal/log/flat_bytes.h"
#include "ejournal/log/snapshot_frame.h"

namespace ejournal::projections {
namespace {

bool is_manifest(std::string_view raw) {
  return raw.size() >= 8 && flatbuffers::BufferHasIdentifier(raw.data(), fb::snap::SnapManifestIdentifier());
}

std::string encode_manifest(const Manifest& m) {
  flatbuffers::FlatBufferBuilder b(256);
  std::vector<flatbuffers::Offset<fb::snap::SnapPart>> parts;
  for (const PartRef& r : m) parts.push_back(fb::snap::CreateSnapPart(b, r.key, r.stamp, r.stored_at));
  b.Finish(fb::snap::CreateSnapManifestDirect(b, &parts), fb::snap::SnapManifestIdentifier());
  return log::finished_bytes(b);
}

std::optional<Manifest> decode_manifest(std::string_view raw) {
  std::string aligned;
  const auto* m = log::verified_root<fb::snap::SnapManifest>(raw, fb::snap::SnapManifestIdentifier(), aligned);
  if (m == nullptr || m->parts() == nullptr) return std::nullopt;
  Manifest out;
  for (const auto* p : *m->parts()) out.push_back(PartRef{p->key(), p->stamp(), p->stored_at()});
  return out;
}

}  // namespace

void log_warning(const std::string& msg) { jlog::warn(msg); }

std::string part_name(std::string_view name, Projection::PartKey key) {
  return std::string(name) + "#" + std::to_string(key);
}

EncodedSnapshot encode_snapshot(const Projection& projection, const Manifest& previous) {
  EncodedSnapshot out;
  const auto parts = projection.parts();
  if (parts.empty()) {
    out.whole = projection.snapshot();
    return out;
  }
  out.partitioned = true;
  for (const Projection::PartStamp& p : parts) {
    EncodedSnapshot::Part part{p, std::nullopt, log::kNoPosition};
    const auto same = std::find_if(previous.begin(), previous.end(),
                                   [&](const PartRef& r) { return r.key == p.key && r.stamp == p.stamp; });
    if (same != previous.end()) part.stored_at = same->stored_at;
    else part.raw = projection.snapshot_part(p.key);
    out.parts.push_back(std::move(part));
  }
  return out;
}

Result<Manifest> store_snapshot(log::SnapshotStore& store, std::string_view name, log::Position position,
                                EncodedSnapshot encoded) {
  if (!encoded.partitioned) {
    if (auto s = store.put(name, position, log::frame_snapshot(position, encoded.whole)); !s.ok()) return s;
    return Manifest{};
  }
  Manifest manifest;
  for (EncodedSnapshot::Part& part : encoded.parts) {
    if (part.raw) {
      part.stored_at = position;
      if (auto s = store.put(part_name(name, part.stamp.key), position, log::frame_snapshot(position, *part.raw)); !s.ok()) return s;
    }
    manifest.push_back(PartRef{part.stamp.key, part.stamp.stamp, part.stored_at});
  }
  // The manifest goes last: a snapshot is visible only once every part it names is stored.
  if (auto s = store.put(name, position, log::frame_snapshot(position, encode_manifest(manifest))); !s.ok()) return s;
  return manifest;
}

Manifest manifest_at(const log::SnapshotStore& store, std::string_view name, log::Position position) {
  auto bytes = store.get(name, position);
  if (!bytes.ok()) return {};
  auto unframed = log::unframe_snapshot(*bytes);
  if (!unframed.ok() || !is_manifest(unframed->raw)) return {};
  return decode_manifest(unframed->raw).value_or(Manifest{});
}

Result<Restored> restore_stored(const log::SnapshotStore& store, Projection& projection, log::Position position,
                                Projection::PartKey scope) {
  const std::string name(projection.name());
  Restored restored;
  // Newest first, each snapshot read only when the newer ones have failed: a start reads one.
  auto s = store.newest_first(name, position, [&](log::Position at, std::string_view bytes) {
    const auto skip = [&](const std::string& why) {
      log_warning("skipping " + why + " snapshot of " + name + " at " + std::to_string(at));
      return false;
    };
    auto unframed = log::unframe_snapshot(bytes);
    if (!unframed.ok() || unframed->position != at) return skip("a damaged");
    if (!is_manifest(unframed->raw)) {
      if (!projection.restore(unframed->raw).ok()) return skip("an unreadable");  // refused: unchanged
      restored = Restored{at, {}};
      return true;
    }
    auto manifest = decode_manifest(unframed->raw);
    if (!manifest) return skip("an unreadable");
    std::vector<std::string> parts;
    for (const PartRef& ref : *manifest) {
      if (scope != Projection::kAllParts && ref.key != Projection::kSharedPart && ref.key != scope) continue;
      auto part = store.get(part_name(name, ref.key), ref.stored_at);
      auto raw = part.ok() ? log::unframe_snapshot(*part) : Result<log::Unframed>(part.status());
      if (!raw.ok() || raw->position != ref.stored_at) return skip("a partly missing or damaged");
      parts.push_back(std::move(raw->raw));
    }
    const std::vector<std::string_view> views(parts.begin(), parts.end());
    if (!projection.restore_parts(views, scope).ok()) return skip("an unreadable");
    restored = Restored{at, std::move(*manifest)};
    return true;
  });
  if (!s.ok()) return s;
  return restored;
}

void remove_snapshots(log::SnapshotStore& store, std::string_view name, const std::vector<log::Position>& positions,
                      const std::vector<Manifest>& kept) {
  std::set<Projection::PartKey> keys;
  for (log::Position p : positions) {
    for (const PartRef& r : manifest_at(store, name, p)) keys.insert(r.key);
    (void)store.remove(name, p);  // first: no snapshot names parts that are missing
  }
  std::set<std::pair<Projection::PartKey, log::Position>> named;
  for (const Manifest& m : kept)
    for (const PartRef& r : m) {
      named.emplace(r.key, r.stored_at);
      keys.insert(r.key);
    }
  // Every stored part no kept snapshot names goes: those of the removed snapshots, and any a crash left
  // between storing parts and storing their manifest.
  for (Projection::PartKey key : keys) {
    auto stored = store.positions(part_name(name, key));
    if (!stored.ok()) continue;
    for (log::Position p : *stored)
      if (!named.contains({key, p})) (void)store.remove(part_name(name, key), p);
  }
}

Result<SnapshotCheck> check_snapshots(const log::SnapshotStore& store) {
  SnapshotCheck out;
  for (const auto& projection : all_projections()) {
    const std::string name(projection->name());
    auto positions = store.positions(name);
    if (!positions.ok()) return positions.status();
    for (const log::Position at : *positions) {
      ++out.snapshots;
      const auto bad = [&](const std::string& why) {
        ++out.bad;
        if (out.problems.size() < 20) out.problems.push_back("snapshot of " + name + " at " + std::to_string(at) + ": " + why);
      };
      auto bytes = store.get(name, at);
      if (!bytes.ok()) {
        bad(bytes.status().message());
        continue;
      }
      auto unframed = log::unframe_snapshot(*bytes);
      if (!unframed.ok()) {
        bad(unframed.status().message());
        continue;
      }
      if (unframed->position != at) {
        bad("its frame names position " + std::to_string(unframed->position));
        continue;
      }
      if (!is_manifest(unframed->raw)) continue;
      auto manifest = decode_manifest(unframed->raw);
      if (!manifest) {
        bad("its manifest is malformed");
        continue;
      }
      for (const PartRef& ref : *manifest) {
        ++out.parts;
        const std::string part = part_name(name, ref.key);
        auto stored = store.get(part, ref.stored_at);
        auto raw = stored.ok() ? log::unframe_snapshot(*stored) : Result<log::Unframed>(stored.status());
        if (!raw.ok() || raw->position != ref.stored_at) {
          bad("part " + part + " stored at " + std::to_string(ref.stored_at) + ": " +
              (raw.ok() ? std::string("its frame names another position") : raw.status().message()));
          break;
        }
      }
    }
  }
  // The domain's write model snapshots (docs/domain.md): their frames and checksums. (Their contents are
  // the domain's to decode; a start that cannot restore one replays the log instead.)
  auto positions = store.positions("domain");
  if (!positions.ok()) return positions.status();
  for (const log::Position at : *positions) {
    ++out.snapshots;
    auto bytes = store.get("domain", at);
    auto unframed = bytes.ok() ? log::unframe_snapshot(*bytes) : Result<log::Unframed>(bytes.status());
    if (unframed.ok() && unframed->position == at) continue;
    ++out.bad;
    if (out.problems.size() < 20)
      out.problems.push_back("snapshot of the write model at " + std::to_string(at) + ": " +
                             (unframed.ok() ? std::string("its frame names another position") : unframed.status().message()));
  }
  return out;
}

}  // namespace ejournal::projections
