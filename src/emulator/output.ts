// The result JSON a completed job returns, in the endpoint's documented shape (seed pages in
// shared/seeds/): `video {url, content_type, file_name, file_size}` (+ `width, height, fps,
// duration, num_frames` on LTX-2.3 and on unknown endpoints), `seed`, `prompt`.
import type { ExpectedVideo, JsonObject } from '../types.js';
import { endpointInfo } from '../endpoints/registry.js';

export interface EncodedVideo {
  url: string;
  fileName: string;
  size: number;
  /** The geometry actually encoded (differs from the expected one only with `videoScale`). */
  video: ExpectedVideo;
}

export function resultJson(endpoint: string, input: JsonObject, encoded: EncodedVideo, seed: number): JsonObject {
  const family = endpointInfo(endpoint)?.family;
  const v = encoded.video;
  const video: JsonObject = {
    url: encoded.url,
    content_type: 'video/mp4',
    file_name: encoded.fileName,
    file_size: encoded.size,
  };
  if (family !== 'ltx-video-0.9') {
    video.width = v.width;
    video.height = v.height;
    video.fps = v.fps;
    video.num_frames = v.numFrames;
    video.duration = Math.round((v.numFrames / v.fps) * 1e6) / 1e6;
  }
  return { video, seed, prompt: typeof input.prompt === 'string' ? input.prompt : '' };
}

/** Encoded geometry for a video scale: dimensions scaled to even numbers, frames and fps kept. */
export function scaled(video: ExpectedVideo, scale: number): ExpectedVideo {
  if (scale === 1) return video;
  const even = (n: number) => Math.max(16, Math.round((n * scale) / 2) * 2);
  return { ...video, width: even(video.width), height: even(video.height) };
}
