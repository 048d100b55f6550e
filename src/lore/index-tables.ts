import type { LoreHeader } from "./model.js";

// The small tables behind LoreIndex's slots: what each slot's row of numbers means, the strings those numbers
// stand for, and the headers built lately.

/** The columns of a slot's row. */
export const SCOPE = 0;
export const KIND = 1;
export const STANDING = 2;
export const TAGS = 3;
export const QUADRANTS = 4;
const COLUMNS = 5;

/** Strings by number and numbers by string, for the few distinct scopes, kinds and standings of every entry. */
export class Symbols {
  private readonly texts: string[] = [];
  private readonly numbers = new Map<string, number>();

  number(text: string): number {
    let n = this.numbers.get(text);
    if (n === undefined) {
      n = this.texts.length;
      this.texts.push(text);
      this.numbers.set(text, n);
    }
    return n;
  }

  find(text: string): number | undefined {
    return this.numbers.get(text);
  }

  text(n: number): string {
    return this.texts[n] as string;
  }
}

/** COLUMNS small integers per slot, in fixed chunks of typed arrays: no copy as the index grows. */
export class Columns {
  private chunks: Int32Array[] = [];
  private length = 0;

  push(scope: number, kind: number, standing: number, tags: number, quadrants: number): void {
    const at = (this.length & CHUNK_MASK) * COLUMNS;
    if (at === 0) this.chunks.push(new Int32Array(CHUNK_SLOTS * COLUMNS));
    const chunk = this.chunks.at(-1) as Int32Array;
    chunk[at + SCOPE] = scope;
    chunk[at + KIND] = kind;
    chunk[at + STANDING] = standing;
    chunk[at + TAGS] = tags;
    chunk[at + QUADRANTS] = quadrants;
    this.length += 1;
  }

  get(n: number, column: number): number {
    return (this.chunks[n >>> CHUNK_BITS] as Int32Array)[(n & CHUNK_MASK) * COLUMNS + column] as number;
  }

  set(n: number, column: number, value: number): void {
    (this.chunks[n >>> CHUNK_BITS] as Int32Array)[(n & CHUNK_MASK) * COLUMNS + column] = value;
  }

  copyRow(from: Columns, n: number): void {
    this.push(from.get(n, SCOPE), from.get(n, KIND), from.get(n, STANDING), from.get(n, TAGS), from.get(n, QUADRANTS));
  }

  replaceWith(other: Columns): void {
    this.chunks = other.chunks;
    this.length = other.length;
  }
}

const CHUNK_BITS = 13;
const CHUNK_SLOTS = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SLOTS - 1;

/**
 * The headers built lately: each slot has one place, slot mod HEADER_CACHE_SIZE, and a newer header there takes it.
 * A lookup is two array reads (a keystroke asks for 25 headers; an LRU's bookkeeping on every hit cost more than
 * building some of them again).
 */
export class HeaderCache {
  private readonly slots = new Int32Array(HEADER_CACHE_SIZE).fill(-1);
  private readonly headers: (LoreHeader | undefined)[] = new Array(HEADER_CACHE_SIZE).fill(undefined);

  get(n: number): LoreHeader | undefined {
    const at = n & (HEADER_CACHE_SIZE - 1);
    return this.slots[at] === n ? this.headers[at] : undefined;
  }

  set(n: number, header: LoreHeader): void {
    const at = n & (HEADER_CACHE_SIZE - 1);
    this.slots[at] = n;
    this.headers[at] = header;
  }

  delete(n: number): void {
    const at = n & (HEADER_CACHE_SIZE - 1);
    if (this.slots[at] !== n) return;
    this.slots[at] = -1;
    this.headers[at] = undefined;
  }

  clear(): void {
    this.slots.fill(-1);
    this.headers.fill(undefined);
  }
}

const HEADER_CACHE_SIZE = 4096;
