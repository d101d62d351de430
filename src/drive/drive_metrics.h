// What a mount's /metrics shows of its drive beside the FUSE timings (docs/metrics.md): the
// engine's counters, the local cache, reads from the shared tiers, the transfer queue and, on a
// team mount, how far it has followed the change feed. Taken at each scrape from where they live.
#pragma once

namespace reel {

class Metrics;
struct OpenedDrive;

// `drive` must outlive `metrics`' scrapes (the mount removes the endpoint before closing it).
void AddDriveCollectors(Metrics& metrics, OpenedDrive& drive);

}  // namespace reel
