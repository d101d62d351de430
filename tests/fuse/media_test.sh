#!/usr/bin/env bash
# Media tools in the mount: ffmpeg writing and remuxing video, exiftool editing metadata in place.
source "$(dirname "$0")/lib.sh" "$1"
init_drive
mount_drive

log "ffmpeg encode into the mount"
ffmpeg -v error -f lavfi -i testsrc2=size=640x360:rate=24 -f lavfi -i sine=frequency=440 \
  -t 4 -c:v mpeg4 -q:v 5 -c:a aac -shortest "$MNT/clip.mp4"
check "ffprobe reads it" bash -c "ffprobe -v error -show_entries format=duration -of csv=p=0 '$MNT/clip.mp4' | grep -q '^4'"
log "ffmpeg remux and trim inside the mount"
ffmpeg -v error -i "$MNT/clip.mp4" -c copy "$MNT/clip.mkv"
check "remux valid" bash -c "ffprobe -v error -show_streams '$MNT/clip.mkv' | grep -q codec_type=audio"
ffmpeg -v error -ss 1 -i "$MNT/clip.mp4" -t 2 -c copy "$MNT/trim.mov"
check "trim valid" bash -c "ffprobe -v error -show_entries format=duration -of csv=p=0 '$MNT/trim.mov' | grep -Eq '^(1\.9|2\.)'"
check "decode whole file" ffmpeg -v error -i "$MNT/clip.mp4" -f null -
cp "$MNT/clip.mp4" "$WORK/clip.mp4"

log "exiftool edits metadata in place"
exiftool -q -overwrite_original -Title="Shot 010" -Artist="Jane" "$MNT/clip.mp4"
check "exiftool title" [ "$(exiftool -s3 -Title "$MNT/clip.mp4")" = "Shot 010" ]
check "video still decodes" ffmpeg -v error -i "$MNT/clip.mp4" -f null -
exiftool -q -overwrite_original_in_place -Comment="in place" "$MNT/clip.mp4"
check "exiftool in place" [ "$(exiftool -s3 -Comment "$MNT/clip.mp4")" = "in place" ]

log "old version readable in place"
"$REEL" sync "$MNT"
n=$(ls "$MNT/.reel/versions/clip.mp4" | sort -n | head -1)
check "version 1 is the original" same_file "$WORK/clip.mp4" "$MNT/.reel/versions/clip.mp4/$n"
unmount_drive
finish
