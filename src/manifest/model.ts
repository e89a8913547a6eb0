// The manifest as a typed value, after the manifest schema accepted it (schemas/manifest.schema.json).
import type { Json, JsonObject } from '../types.js';

export type KeyframeAt = 'start' | 'mid' | 'end' | number;

export interface Keyframe { image?: string; video?: string; at: KeyframeAt; strength?: number }
export interface Lora { path: string; scale?: number; transformer?: string; weight_name?: string }

export interface Sweep {
  matrix?: { include?: JsonObject[]; exclude?: JsonObject[]; [axis: string]: Json[] | JsonObject[] | undefined };
  zip?: Record<string, Json[]>;
  seeds?: number | number[];
  sample?: number;
}

export interface Shot {
  id: string;
  prompt?: string;
  endpoint?: string;
  video?: string;
  control_video?: string;
  keyframes?: Keyframe[];
  loras?: Lora[];
  input?: JsonObject;
  sweep?: Sweep;
}

export interface Manifest {
  version: 1;
  name: string;
  endpoint?: string;
  endpoint_schemas?: Record<string, string>;
  seed?: number | 'random';
  concurrency?: number;
  budget?: { max_cost_usd?: number };
  limits?: { max_cells?: number };
  vars?: Record<string, string | number | boolean>;
  defaults?: JsonObject;
  sweep?: Sweep;
  shots: Shot[];
}
