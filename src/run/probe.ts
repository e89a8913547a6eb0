// Reads width, height, frame count, fps and duration from an MP4 in pure TypeScript (mediabunny),
// so no ffprobe is needed. A download that kept the bytes in memory is probed from them (no
// second open/read/close of the file). mediabunny is loaded on the first probe, not at start-up:
// loading it takes ~50-100 ms that would otherwise sit before the first submit.
import type { VideoMeta } from '../types.js';

let loading: Promise<typeof import('mediabunny')> | undefined;

export async function probeVideo(path: string, bytes?: Uint8Array): Promise<VideoMeta | undefined> {
  const { ALL_FORMATS, BufferSource, FilePathSource, Input } = await (loading ??= import('mediabunny'));
  const input = new Input({ formats: ALL_FORMATS, source: bytes ? new BufferSource(bytes) : new FilePathSource(path) });
  try {
    const track = await input.getPrimaryVideoTrack();
    if (!track) return undefined;
    const stats = await track.computePacketStats();
    const duration = await track.computeDuration();
    const numFrames = stats.packetCount;
    const fps = duration > 0 ? Math.round((numFrames / duration) * 1000) / 1000 : stats.averagePacketRate;
    return {
      width: track.displayWidth,
      height: track.displayHeight,
      numFrames,
      fps,
      duration: Math.round(duration * 1e6) / 1e6,
      codec: track.codec ?? undefined,
    };
  } catch {
    return undefined;
  } finally {
    input.dispose();
  }
}
