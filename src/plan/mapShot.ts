// A shot's endpoint-neutral fields (prompt, video, keyframes, LoRAs) mapped onto the endpoint's
// input, over `defaults` and the shot's raw `input`. Remembers which manifest node produced each
// input field, so a problem found in any expanded cell points back at the YAML the user wrote.
import { endpointInfo, type EndpointFamily } from '../endpoints/registry.js';
import type { Diagnostic, Json, JsonObject } from '../types.js';
import type { Keyframe, Manifest, ManifestSource, Shot } from '../manifest/index.js';
import { cloneJson, deepMerge } from './paths.js';

export interface MappedShot {
  shot: Shot;
  index: number;
  endpoint: string;
  family?: EndpointFamily;
  /** The input before sweeps and seeds; cloned per cell. */
  base: JsonObject;
  /** Input pointer -> manifest pointer for fields the mapping produced (longest prefix wins). */
  origins: Map<string, string>;
  /** LTX-Video 0.9.x keyframes at `mid`/`end`: resolved per cell against its number_of_frames. */
  symbolic: { pointer: string; at: 'mid' | 'end' }[];
  diagnostics: Diagnostic[];
  /** The manifest's `defaults`, to trace fields back to them. */
  defaults?: JsonObject;
}

export const LTX23 = 'fal-ai/ltx-2.3-quality/reference-video-to-video/lora';
export const LTXV_MULTI = 'fal-ai/ltx-video-lora/multiconditioning';

/** LTX-Video 0.9.x: conditions sit on 8-frame latent boundaries; the last frame of 8n+1 is 8n. */
export function resolveAt(at: 'mid' | 'end', numberOfFrames: number): number {
  const last = Math.max(0, Math.floor((numberOfFrames - 1) / 8) * 8);
  return at === 'end' ? last : Math.round(last / 2 / 8) * 8;
}

export function mapShot(m: Manifest, shot: Shot, index: number, src: ManifestSource): MappedShot {
  const endpoint = shot.endpoint ?? m.endpoint!;
  const family = endpointInfo(endpoint)?.family;
  const sp = `/shots/${index}`;
  const base = deepMerge(cloneJson(m.defaults ?? {}), shot.input ?? {});
  const origins = new Map<string, string>();
  const symbolic: MappedShot['symbolic'] = [];
  const diagnostics: Diagnostic[] = [];
  const unsupported = (path: string, what: string, fix?: string) =>
    diagnostics.push(src.diag('error', 'E_UNSUPPORTED_BY_ENDPOINT', path, `${what} cannot be expressed on ${endpoint}`, fix));

  if (shot.prompt !== undefined) { base.prompt = shot.prompt; origins.set('/prompt', `${sp}/prompt`); }

  const media: [keyof Shot, string][] = [['video', 'video_url'], ['control_video', 'control_video_url']];
  for (const [field, target] of media) {
    const v = shot[field] as string | undefined;
    if (v === undefined) continue;
    if (family === 'ltx-2.3') { base[target] = v; origins.set(`/${target}`, `${sp}/${field}`); }
    else if (family === 'ltx-video-0.9') unsupported(`${sp}/${field}`, `a shot \`${field}\``, field === 'video' ? 'use a video keyframe instead: `keyframes: [{ video: ..., at: start }]`' : 'LTX-Video 0.9.x multiconditioning takes no control video');
    else unsupported(`${sp}/${field}`, `a shot \`${field}\` (shotlist maps it only for LTX endpoints)`, `put the endpoint's own field under \`input:\``);
  }

  if (shot.loras) {
    const loras: Json[] = [];
    shot.loras.forEach((l, j) => {
      const lp = `${sp}/loras/${j}`;
      const out: JsonObject = { path: l.path };
      if (l.scale !== undefined) out.scale = l.scale;
      if (l.transformer !== undefined) {
        if (family === 'ltx-video-0.9') unsupported(`${lp}/transformer`, 'a LoRA `transformer`', 'LTX-Video 0.9.x LoRAs take `weight_name` and `scale`');
        else out.transformer = l.transformer;
      }
      if (l.weight_name !== undefined) {
        if (family === 'ltx-2.3') unsupported(`${lp}/weight_name`, 'a LoRA `weight_name`', 'LTX-2.3 LoRAs take `scale` and `transformer`');
        else out.weight_name = l.weight_name;
      }
      loras.push(out);
      origins.set(`/loras/${j}`, lp);
    });
    base.loras = loras;
    origins.set('/loras', `${sp}/loras`);
  }

  if (shot.keyframes?.length) {
    if (family === 'ltx-2.3') mapLtx23Keyframes(shot.keyframes, sp, base, origins, unsupported, src, diagnostics);
    else if (family === 'ltx-video-0.9') mapLtxvKeyframes(shot.keyframes, sp, base, origins, symbolic);
    else unsupported(`${sp}/keyframes`, 'keyframes (shotlist maps them only for LTX endpoints)', 'put the endpoint\'s own fields under `input:`');
  }
  return { shot, index, endpoint, family, base, origins, symbolic, diagnostics, defaults: m.defaults };
}

const LTX23_FIELDS = { start: 'image_url', mid: 'mid_image_url', end: 'end_image_url' } as const;

function mapLtx23Keyframes(kfs: Keyframe[], sp: string, base: JsonObject, origins: Map<string, string>,
  unsupported: (p: string, what: string, fix?: string) => void, src: ManifestSource, diagnostics: Diagnostic[]): void {
  const used = new Map<string, number>();
  kfs.forEach((kf, k) => {
    const kp = `${sp}/keyframes/${k}`;
    if (kf.video !== undefined) return unsupported(`${kp}/video`, 'a video keyframe', 'LTX-2.3 takes image keyframes at start/mid/end; use the shot `video:` for a reference video, or fal-ai/ltx-video-lora/multiconditioning for video conditions');
    if (typeof kf.at === 'number') return unsupported(`${kp}/at`, `a keyframe at frame ${kf.at}`, 'LTX-2.3 places keyframes at `start`, `mid` or `end` only');
    if (kf.strength !== undefined) return unsupported(`${kp}/strength`, 'a keyframe strength', 'drop `strength` (LTX-2.3 keyframes have none; `video_strength` under `input:` weights the reference video)');
    const field = LTX23_FIELDS[kf.at];
    const prev = used.get(field);
    if (prev !== undefined) {
      diagnostics.push(src.diag('error', 'E_KEYFRAME_DUPLICATE', `${kp}/at`, `two keyframes at \`${kf.at}\` (keyframes[${prev}] and keyframes[${k}])`, 'LTX-2.3 takes one image each at start, mid and end'));
      return;
    }
    used.set(field, k);
    base[field] = kf.image!;
    origins.set(`/${field}`, `${kp}/image`);
  });
}

function mapLtxvKeyframes(kfs: Keyframe[], sp: string, base: JsonObject, origins: Map<string, string>, symbolic: MappedShot['symbolic']): void {
  const images: Json[] = [];
  const videos: Json[] = [];
  const frames = typeof base.number_of_frames === 'number' ? base.number_of_frames : 89;
  kfs.forEach((kf, k) => {
    const kp = `${sp}/keyframes/${k}`;
    const list = kf.image !== undefined ? images : videos;
    const name = kf.image !== undefined ? 'images' : 'videos';
    const urlField = kf.image !== undefined ? 'image_url' : 'video_url';
    const at = kf.at === 'start' ? 0 : typeof kf.at === 'number' ? kf.at : resolveAt(kf.at, frames);
    const cond: JsonObject = { [urlField]: (kf.image ?? kf.video)!, start_frame_number: at };
    if (kf.strength !== undefined) cond.strength = kf.strength;
    const ip = `/${name}/${list.length}`;
    origins.set(ip, kp);
    origins.set(`${ip}/${urlField}`, `${kp}/${kf.image !== undefined ? 'image' : 'video'}`);
    origins.set(`${ip}/start_frame_number`, `${kp}/at`);
    if (kf.at === 'mid' || kf.at === 'end') symbolic.push({ pointer: `${ip}/start_frame_number`, at: kf.at });
    list.push(cond);
  });
  if (images.length) { base.images = images; origins.set('/images', `${sp}/keyframes`); }
  if (videos.length) { base.videos = videos; origins.set('/videos', `${sp}/keyframes`); }
}
