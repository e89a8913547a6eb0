// Layer 3: the LTX rules fal's schemas leave out (shared/FAL-NOTES.md "LTX rules").
import { isLtx23HighRes, LTX23_720P_FRAME_CAP, snapFrames, type EndpointFamily, expectedVideo } from '../endpoints/registry.js';
import type { JsonObject, Severity } from '../types.js';

export interface RuleIssue { severity: Severity; pointer: string; code: string; message: string; fix?: string }

/** 8n+1 frame counts: LTX-2 `snap_frames_to_grid`, LTX-Video inference.py, diffusers `(n-1)//8*8+1`. */
function frames(field: string, n: unknown, out: RuleIssue[]): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || (n - 1) % 8 === 0) return;
  const down = snapFrames(n);
  const up = down + 8;
  out.push({ severity: 'error', pointer: `/${field}`, code: 'E_FRAMES_NOT_8N1', message: `${field} ${n} is not 8n+1; use ${down >= 9 ? `${down} or ${up}` : up}`, fix: `set ${field} to ${n - down <= up - n && down >= 9 ? down : up}` });
}

export function ltxRules(family: EndpointFamily, endpoint: string, input: JsonObject): RuleIssue[] {
  const out: RuleIssue[] = [];
  if (family === 'ltx-2.3') {
    frames('num_frames', input.num_frames, out);
    // The 2.3-quality schema: explicit sizes are 64-aligned (two-stage and IC-LoRA pipelines).
    const res = input.resolution;
    if (res && typeof res === 'object' && !Array.isArray(res)) {
      for (const dim of ['width', 'height'] as const) {
        const v = (res as JsonObject)[dim];
        if (typeof v === 'number' && v % 64 !== 0) {
          const down = Math.floor(v / 64) * 64;
          out.push({ severity: 'error', pointer: `/resolution/${dim}`, code: 'E_SIZE_NOT_ALIGNED', message: `resolution.${dim} ${v} is not a multiple of 64 on ${endpoint}; use ${down >= 64 ? `${down} or ${down + 64}` : 64}` });
        }
      }
    }
    for (const f of ['mid_image_url', 'end_image_url']) {
      if (input[f] !== undefined && input.image_url === undefined) {
        out.push({ severity: 'error', pointer: `/${f}`, code: 'E_KEYFRAME_NEEDS_FIRST', message: `${f} needs image_url on ${endpoint}: a ${f === 'mid_image_url' ? 'mid' : 'end'} keyframe needs a first-frame keyframe`, fix: 'add a keyframe with `at: start`' });
      }
    }
    const loras = input.loras;
    if (Array.isArray(loras) && loras.length > 3) {
      out.push({ severity: 'error', pointer: '/loras/3', code: 'E_TOO_MANY_LORAS', message: `${loras.length} LoRAs on ${endpoint}; it takes at most 3`, fix: 'drop or merge LoRAs' });
    }
    if (input.preserve_original_video === true) {
      const missing = ['skip_control_preprocess', 'video_url', 'control_video_url'].filter((f) => !(f === 'skip_control_preprocess' ? input[f] === true : input[f] !== undefined));
      if (missing.length) out.push({ severity: 'error', pointer: '/preserve_original_video', code: 'E_CONTROL_DEPENDENCY', message: `preserve_original_video needs ${missing.map((f) => f === 'skip_control_preprocess' ? 'skip_control_preprocess: true' : f).join(', ')} on ${endpoint}`, fix: missing.includes('control_video_url') ? 'give the shot a `control_video`' : undefined });
    }
    if (input.skip_control_preprocess === true && input.control_video_url === undefined) {
      out.push({ severity: 'warning', pointer: '/skip_control_preprocess', code: 'W_CONTROL_IGNORED', message: `skip_control_preprocess is ignored without control_video_url on ${endpoint}`, fix: 'give the shot a `control_video`, or drop skip_control_preprocess' });
    }
    const requested = typeof input.num_frames === 'number' ? input.num_frames : 121;
    const exp = expectedVideo(endpoint, input);
    if (requested > LTX23_720P_FRAME_CAP && isLtx23HighRes(exp.width, exp.height)) {
      out.push({ severity: 'warning', pointer: '/num_frames', code: 'W_FRAME_CAP', message: `num_frames ${requested} at ${exp.width}x${exp.height} returns only ${exp.numFrames} frames: fal caps 720p-class outputs of ${endpoint} at ${LTX23_720P_FRAME_CAP}`, fix: `ask for ${snapFrames(LTX23_720P_FRAME_CAP)} frames or a smaller resolution` });
    }
  } else if (family === 'ltx-video-0.9') {
    frames('number_of_frames', input.number_of_frames, out);
    const n = typeof input.number_of_frames === 'number' ? input.number_of_frames : 89;
    for (const list of ['images', 'videos'] as const) {
      const items = input[list];
      if (!Array.isArray(items)) continue;
      items.forEach((item, i) => {
        const f = (item as JsonObject | null)?.start_frame_number;
        if (typeof f !== 'number') return;
        const pointer = `/${list}/${i}/start_frame_number`;
        if (f % 8 !== 0) out.push({ severity: 'error', pointer, code: 'E_KEYFRAME_NOT_MULTIPLE_OF_8', message: `${list}[${i}] starts at frame ${f}, not a multiple of 8 (LTX-Video conditions sit on 8-frame latent boundaries)`, fix: `use frame ${Math.floor(f / 8) * 8} or ${Math.floor(f / 8) * 8 + 8}` });
        if (f >= n) out.push({ severity: 'error', pointer, code: 'E_KEYFRAME_OUTSIDE_CLIP', message: `${list}[${i}] starts at frame ${f}, outside a clip of ${n} frames (last frame ${n - 1})`, fix: `use a frame number up to ${Math.floor((n - 1) / 8) * 8}, or \`at: end\`` });
      });
    }
  }
  return out;
}
