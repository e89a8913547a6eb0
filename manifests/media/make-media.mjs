// Regenerates the small media the example manifests use (run: node manifests/media/make-media.mjs).
// Keyframe PNGs, a 25-frame 256x160 H.264 reference clip, and a tiny but valid .safetensors LoRA.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const here = new URL('./', import.meta.url);

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function png(width, height, pixel) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), y * (width * 3 + 1) + 1 + x * 3);
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// A spotlight moving left to right across the three keyframes.
const frame = (cx) => (x, y) => {
  const d = Math.hypot(x - cx, y - 80) / 60;
  const v = Math.max(0, 1 - d);
  return [Math.round(40 + 200 * v), Math.round(10 + 40 * v), Math.round(20 + 30 * v)];
};
writeFileSync(new URL('first.png', here), png(256, 160, frame(48)));
writeFileSync(new URL('mid.png', here), png(256, 160, frame(128)));
writeFileSync(new URL('last.png', here), png(256, 160, frame(208)));

const HME = require('h264-mp4-encoder');
const enc = await HME.createH264MP4Encoder();
enc.width = 256; enc.height = 160; enc.frameRate = 24; enc.quantizationParameter = 40;
enc.initialize();
for (let f = 0; f < 25; f++) {
  const rgba = Buffer.alloc(256 * 160 * 4);
  const px = frame(24 + f * 8.5);
  for (let y = 0; y < 160; y++) for (let x = 0; x < 256; x++) { const [r, g, b] = px(x, y); rgba.set([r, g, b, 255], (y * 256 + x) * 4); }
  enc.addFrameRgba(rgba);
}
enc.finalize();
writeFileSync(new URL('reference.mp4', here), Buffer.from(enc.FS.readFile(enc.outputFilename)));
enc.delete();

// safetensors: u64 little-endian header length, JSON header, tensor bytes (one 4x4 F32 pair).
const tensor = Buffer.alloc(64);
for (let i = 0; i < 16; i++) tensor.writeFloatLE(i === 0 || i === 5 || i === 10 || i === 15 ? 0.01 : 0, i * 4);
const header = Buffer.from(JSON.stringify({
  __metadata__: { format: 'pt', note: 'shotlist example: a stand-in LoRA for the emulator, not a real model' },
  'lora_A.weight': { dtype: 'F32', shape: [4, 4], data_offsets: [0, 64] },
  'lora_B.weight': { dtype: 'F32', shape: [4, 4], data_offsets: [64, 128] },
}));
const pad = (8 - (header.length % 8)) % 8;
const h = Buffer.concat([header, Buffer.from(' '.repeat(pad))]);
const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(h.length));
writeFileSync(new URL('style.safetensors', here), Buffer.concat([len, h, tensor, tensor]));
console.log('wrote first.png mid.png last.png reference.mp4 style.safetensors');
