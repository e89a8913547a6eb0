// Everything shotlist knows about an endpoint: its input schema file, its price, and the video it
// returns for a given input. Plan (cost), emulator (output geometry) and run (conformance) share it.
// Sources: shared/FAL-NOTES.md, the endpoint pages in shared/seeds/.
import type { ExpectedVideo, JsonObject } from '../types.js';

export type EndpointFamily = 'ltx-2.3' | 'ltx-video-0.9';

export interface Price {
  unit: 'megapixel' | 'video';
  usd: number;
}

export interface EndpointInfo {
  id: string;
  family: EndpointFamily;
  /** File name under schemas/endpoints/. */
  schema: string;
  price: Price;
  /** Input field names that hold media URLs (uploaded when local). Dotted with `[]` for arrays. */
  mediaFields: string[];
}

/** Dated price table (fal's pages as read in 2026; see docs). Billing unit per FAL-NOTES. */
export const PRICE_TABLE_DATE = '2026-11';

export const ENDPOINTS: Record<string, EndpointInfo> = {
  'fal-ai/ltx-2.3-quality/reference-video-to-video/lora': {
    id: 'fal-ai/ltx-2.3-quality/reference-video-to-video/lora',
    family: 'ltx-2.3',
    schema: 'ltx-2.3-quality-reference-video-to-video-lora.json',
    price: { unit: 'megapixel', usd: 0.0027075 },
    mediaFields: ['video_url', 'control_video_url', 'image_url', 'mid_image_url', 'end_image_url', 'loras[].path'],
  },
  'fal-ai/ltx-video-lora/multiconditioning': {
    id: 'fal-ai/ltx-video-lora/multiconditioning',
    family: 'ltx-video-0.9',
    schema: 'ltx-video-lora-multiconditioning.json',
    price: { unit: 'video', usd: 0.2 },
    mediaFields: ['images[].image_url', 'videos[].video_url', 'loras[].path'],
  },
};

export function endpointInfo(id: string): EndpointInfo | undefined {
  return ENDPOINTS[id];
}

/** LTX frame counts are 8n+1: LTX-2 `snap_frames_to_grid`, diffusers `(n-1)//8*8+1`. */
export function snapFrames(n: number): number {
  return Math.max(1, Math.floor((n - 1) / 8) * 8 + 1);
}

/** 720p-class outputs of the 2.3-quality IC-LoRA endpoint are capped at 150 frames (seed page). */
export const LTX23_720P_FRAME_CAP = 150;

// LTX-2.3 preset sizes, 64-aligned as the schema says explicit sizes are. `auto` follows the
// reference video on fal; without reading it we assume the official 720p-class workflow size.
const LTX23_SIZES: Record<string, [number, number]> = {
  auto: [1280, 704],
  square_hd: [1024, 1024],
  square: [512, 512],
  portrait_4_3: [768, 1024],
  portrait_16_9: [704, 1280],
  landscape_4_3: [1024, 768],
  landscape_16_9: [1280, 704],
};

// LTX-Video 0.9.x multiconditioning: resolution x aspect ratio, 32-aligned.
const LTXV_SIZES: Record<string, Record<string, [number, number]>> = {
  '720p': { '16:9': [1280, 704], '9:16': [704, 1280], '1:1': [960, 960], auto: [1280, 704] },
  '480p': { '16:9': [832, 480], '9:16': [480, 832], '1:1': [512, 512], auto: [832, 480] },
};

export function isLtx23HighRes(width: number, height: number): boolean {
  return Math.min(width, height) >= 704;
}

function align(n: number, to: number): number {
  return Math.max(to, Math.round(n / to) * to);
}

/** The video the endpoint returns for this input, fal's documented caps applied. */
export function expectedVideo(endpoint: string, input: JsonObject): ExpectedVideo {
  const info = ENDPOINTS[endpoint];
  if (info?.family === 'ltx-video-0.9') {
    const res = typeof input.resolution === 'string' ? input.resolution : '720p';
    const aspect = typeof input.aspect_ratio === 'string' ? input.aspect_ratio : 'auto';
    const [width, height] = LTXV_SIZES[res]?.[aspect] ?? LTXV_SIZES['720p'].auto;
    const frames = typeof input.number_of_frames === 'number' ? input.number_of_frames : 89;
    const fps = typeof input.frame_rate === 'number' ? input.frame_rate : 25;
    return { width, height, numFrames: snapFrames(frames), fps };
  }
  // LTX-2.3 and unknown endpoints (best effort from the common field names).
  let width = 1280;
  let height = 704;
  const res = input.resolution ?? input.video_size ?? input.image_size;
  if (typeof res === 'string' && LTX23_SIZES[res]) [width, height] = LTX23_SIZES[res];
  else if (res && typeof res === 'object' && !Array.isArray(res)) {
    const r = res as JsonObject;
    if (typeof r.width === 'number') width = align(r.width, 64);
    if (typeof r.height === 'number') height = align(r.height, 64);
  }
  const requested = typeof input.num_frames === 'number' ? input.num_frames
    : typeof input.number_of_frames === 'number' ? input.number_of_frames : 121;
  let frames = requested;
  if (info?.family === 'ltx-2.3' && isLtx23HighRes(width, height)) frames = Math.min(frames, LTX23_720P_FRAME_CAP);
  const fpsField = input.frames_per_second ?? input.fps ?? input.frame_rate;
  const fps = typeof fpsField === 'number' ? fpsField : 24;
  return { width, height, numFrames: snapFrames(frames), fps };
}

/** Estimated price of one request. Megapixel billing is ceil(W x H x frames / 10^6). */
export function estimateCost(endpoint: string, video: ExpectedVideo): { usd: number; basis: string } {
  const info = ENDPOINTS[endpoint];
  if (!info) return { usd: 0, basis: `no price known for ${endpoint}` };
  if (info.price.unit === 'video') {
    return { usd: info.price.usd, basis: `$${info.price.usd}/video (fal prices ${PRICE_TABLE_DATE})` };
  }
  const mp = Math.ceil((video.width * video.height * video.numFrames) / 1e6);
  const usd = Math.round(mp * info.price.usd * 1e6) / 1e6;
  return { usd, basis: `${mp} MP x $${info.price.usd}/MP (fal prices ${PRICE_TABLE_DATE})` };
}
