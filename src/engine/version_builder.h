// Builds the chunk list of a new version from the base version and the staged writes, re-reading
// and re-chunking only what changed: base chunks untouched by any write (and below the truncation
// limit) are reused as they are; each run of touched chunks is re-chunked from its first chunk's
// start to the next untouched chunk, with a forced cut there so later chunks stay aligned. Long
// runs of known zeros (holes) become hole references instead of data.
#pragma once

#include "common/status.h"

namespace reel {

class Chunker;
class ChunkReader;
class ChunkUploader;
class StagedFile;
class VersionLayout;

// Feeds the new version's chunks, in order, into `uploader`.
Status BuildVersionChunks(const VersionLayout& base, const StagedFile& staged,
                          ChunkReader* reader, const Chunker& chunker, ChunkUploader* uploader);

}  // namespace reel
