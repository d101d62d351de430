// Builds the chunk list of a new version from the base version and the staged writes, re-reading
// only what changed: base chunks untouched by any write (and below the truncation limit) are
// reused as they are; a base chunk overwritten in place (its whole range below the limit) becomes
// one new chunk with the same boundaries, so an edit stores and re-sends exactly the chunks it
// touched; data beyond the limit (appended, or after a truncation) is chunked afresh from the
// first chunk that crosses it. Long runs of known zeros (holes) become hole references.
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
