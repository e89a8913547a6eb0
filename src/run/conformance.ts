// Compares what came back with what was asked for. fal silently caps some requests (720p-class
// LTX-2.3 outputs stop at 150 frames), so a difference is flagged on the cell, never hidden.
import { LTX23_720P_FRAME_CAP } from '../endpoints/registry.js';
import type { Cell, VideoMeta } from '../types.js';

export function conformanceFlags(cell: Cell, meta: VideoMeta | undefined): string[] {
  if (!meta) return ['probe: the output could not be read as a video'];
  const flags: string[] = [];
  const exp = cell.expected;
  const requested = typeof cell.input.num_frames === 'number' ? cell.input.num_frames
    : typeof cell.input.number_of_frames === 'number' ? cell.input.number_of_frames : undefined;
  if (requested !== undefined && meta.numFrames !== requested) {
    const why = meta.numFrames === exp.numFrames && exp.numFrames < requested ? ` (fal caps 720p-class at ${LTX23_720P_FRAME_CAP})` : '';
    flags.push(`frames: requested ${requested}, got ${meta.numFrames}${why}`);
  } else if (requested === undefined && meta.numFrames !== exp.numFrames) {
    flags.push(`frames: expected ${exp.numFrames}, got ${meta.numFrames}`);
  }
  if (meta.width !== exp.width || meta.height !== exp.height) {
    flags.push(`size: expected ${exp.width}x${exp.height}, got ${meta.width}x${meta.height}`);
  }
  if (Math.abs(meta.fps - exp.fps) > 0.5) flags.push(`fps: expected ${exp.fps}, got ${meta.fps}`);
  return flags;
}
