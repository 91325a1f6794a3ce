/**
 * Deterministic integer hashing for the data set. Every customer is derived from (seed, index) on
 * demand, so the emulator holds no per-customer state and a million customers cost no memory.
 */

/** murmur3's finaliser: a bijection on 32-bit integers, so distinct inputs never collide. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Multiplicative inverse modulo 2^32 by Newton's iteration (each step doubles the correct bits).
 */
function inverseOdd(multiplier: number): number {
  let inverse = multiplier;
  for (let step = 0; step < 5; step++)
    inverse = Math.imul(inverse, 2 - Math.imul(multiplier, inverse));
  return inverse >>> 0;
}

const INVERSE_1 = inverseOdd(0x85ebca6b);
const INVERSE_2 = inverseOdd(0xc2b2ae35);

/** Inverse of `mix32`: lets a customer id lead straight back to its index. */
export function unmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, INVERSE_2) >>> 0;
  h ^= (h >>> 13) ^ (h >>> 26);
  h = Math.imul(h, INVERSE_1) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a few integers. */
export function hash32(a: number, b: number, c = 0): number {
  return mix32(mix32(mix32(0x9e3779b9 ^ a) ^ b) ^ c);
}

/** A small fast PRNG (mulberry32) for the fields of one customer. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.next32() / 4294967296;
  }
  below(limit: number): number {
    return Math.floor(this.next() * limit);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hex4(value: number): string {
  return HEX_BYTES[(value >>> 8) & 0xff] + HEX_BYTES[value & 0xff];
}

/**
 * A version-4-shaped GUID from four 32-bit words. The last word fills the last 8 hex digits
 * untouched, so a caller that makes it a bijection of an index gets ids that cannot collide.
 * Built from a byte table because ids are minted for every listed customer.
 */
export function guidFromWords(a: number, b: number, c: number, d: number): string {
  const version = 0x4000 | ((c >>> 16) & 0x0fff);
  const variant = 0x8000 | (c & 0x3fff);
  const node = `${hex4(b)}${hex4(d >>> 16)}${hex4(d)}`;
  return `${hex4(a >>> 16)}${hex4(a)}-${hex4(b >>> 16)}-${hex4(version)}-${hex4(variant)}-${node}`;
}

/** A GUID determined by a seed and a label (for the partner tenant, resellers, apps). */
export function seededGuid(seed: number, label: string): string {
  let labelHash = 0;
  for (let i = 0; i < label.length; i++) labelHash = mix32(labelHash ^ label.charCodeAt(i));
  return guidFromWords(
    hash32(seed, labelHash, 1),
    hash32(seed, labelHash, 2),
    hash32(seed, labelHash, 3),
    hash32(seed, labelHash, 4),
  );
}
