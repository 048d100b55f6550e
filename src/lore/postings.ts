const EMPTY = new Int32Array(0);
const NO_BYTES = new Uint8Array(0);
/** Tail entries per chunk: 64 KB arrays, under V8's large-object size, so that none is copied as the tail grows. */
const CHUNK = 8192;

/** Calls `visit` with each id of one slot, each id once, in the same order every time it is asked. */
export type IdsOf = (slot: number, visit: (id: number) => void) => void;

/**
 * Lists of slot numbers by id (a trigram code, a word's number), for an index of 100,000 entries and more: every list
 * lies back to back in one byte array, each slot written as its distance from the one before in variable-length
 * bytes (7 bits a byte), rather than one JS array per id (an object, a backing store and 8 bytes a number each) or
 * even 4 bytes a slot. Slots are added in rising order, so the distances are small: at 100,000 entries the trigram
 * lists take under 2 bytes a slot. `starts` says where each list begins, `counts` how many slots it has and `lasts`
 * its last slot, the one the next added slot is measured from.
 *
 * Lists change in two ways, both ending in one allocation of the final size:
 * - `add` puts a slot in a tail that `get` scans and `pack` moves in;
 * - `append` moves many new slots in at once, asking for their ids twice (to measure, then to write) instead of
 *   holding them in between.
 * Memory drove the shape: typed arrays live in malloc's heap, and growing them step by step through a bulk load of
 * 100,000 entries left tens of MB of freed holes there that the process never gave back, so the tail is plain JS
 * arrays in fixed chunks, and nothing typed is allocated but the final lists.
 */
export class Postings {
  /** Where id i's list starts in `bytes`; starts[i + 1] is where it ends. */
  private starts = new Int32Array(1);
  private counts = EMPTY;
  private lasts = EMPTY;
  private bytes = NO_BYTES;
  /** For each slot added since the last pack: -(slot + 1), then its ids; in chunks of CHUNK entries. */
  private tail: number[][] = [];
  private tailSlot = -1;
  private tailCount = 0;
  /** One more than the largest id added. */
  private ids = 0;

  /** Entries in the tail, which `get` and `count` scan in full. */
  get tailLength(): number {
    return this.tailCount;
  }

  /** Lists `slot` under `id`. Slots come in rising order, each with all its ids together, each id once. */
  add(id: number, slot: number): void {
    if (slot !== this.tailSlot) {
      this.push(-(slot + 1));
      this.tailSlot = slot;
    }
    this.push(id);
    if (id >= this.ids) this.ids = id + 1;
  }

  /** How many slots are listed under `id` (without decoding them). */
  count(id: number): number {
    let count = id < this.counts.length ? (this.counts[id] as number) : 0;
    if (this.tailCount > 0) for (const chunk of this.tail) for (const value of chunk) if (value === id) count += 1;
    return count;
  }

  /** The slots listed under `id`, in the order they were added, in a new array. */
  get(id: number): Int32Array {
    const extra: number[] = [];
    let slot = -1;
    for (const chunk of this.tail)
      for (const value of chunk) {
        if (value < 0) slot = -value - 1;
        else if (value === id) extra.push(slot);
      }
    return this.decode(id, extra);
  }

  /**
   * Adds one to `counts[slot]` for every slot listed under `id`, and pushes onto `touched` each slot whose count
   * was 0: the misspelling search's tally of shared trigrams, decoded in place with nothing allocated.
   */
  tally(id: number, counts: Int32Array, touched: number[]): void {
    const bump = (slot: number) => {
      const count = counts[slot] as number;
      if (count === 0) touched.push(slot);
      counts[slot] = count + 1;
    };
    const packed = id < this.counts.length ? (this.counts[id] as number) : 0;
    const bytes = this.bytes;
    let at = this.starts[id] as number;
    let slot = -1;
    for (let i = 0; i < packed; i += 1) {
      let byte = bytes[at++] as number;
      let distance = byte & 0x7f;
      for (let shift = 7; byte & 0x80; shift += 7) {
        byte = bytes[at++] as number;
        distance |= (byte & 0x7f) << shift;
      }
      slot += distance;
      bump(slot);
    }
    if (this.tailCount === 0) return;
    slot = -1;
    for (const chunk of this.tail)
      for (const value of chunk) {
        if (value < 0) slot = -value - 1;
        else if (value === id) bump(slot);
      }
  }

  /** Moves the tail into the packed lists, each list's new slots after its old ones. */
  pack(): void {
    if (this.tailCount > 0) this.rebuild(0, 0, () => {});
  }

  /**
   * Packs the tail, then slots `from` to `to` - 1 (all above the tail's) with the ids `idsOf` gives, which must be
   * below `idCount`.
   */
  append(from: number, to: number, idCount: number, idsOf: IdsOf): void {
    if (idCount > this.ids) this.ids = idCount;
    this.rebuild(from, to, idsOf);
  }

  /**
   * Renumbers the listed slots after a compaction: `newSlotOf[slot]` is the slot's new number, or -1 to drop it. New
   * numbers must rise with the old ones, so every list keeps its order.
   */
  renumber(newSlotOf: Int32Array): void {
    this.pack();
    const ids = this.counts.length;
    const starts = new Int32Array(ids + 1);
    const counts = new Int32Array(ids);
    const lasts = new Int32Array(ids).fill(-1);
    // Measure the renumbered lists, then write them.
    for (let id = 0; id < ids; id += 1) {
      let size = 0;
      for (const slot of this.decode(id)) {
        const next = newSlotOf[slot] as number;
        if (next < 0) continue;
        size += bytesFor(next - (lasts[id] as number));
        lasts[id] = next;
        counts[id] = (counts[id] as number) + 1;
      }
      starts[id + 1] = (starts[id] as number) + size;
    }
    const bytes = new Uint8Array(starts[ids] as number);
    lasts.fill(-1);
    for (let id = 0; id < ids; id += 1) {
      let at = starts[id] as number;
      for (const slot of this.decode(id)) {
        const next = newSlotOf[slot] as number;
        if (next < 0) continue;
        at = write(bytes, at, next - (lasts[id] as number));
        lasts[id] = next;
      }
    }
    this.starts = starts;
    this.counts = counts;
    this.lasts = lasts;
    this.bytes = bytes;
  }

  clear(): void {
    this.starts = new Int32Array(1);
    this.counts = EMPTY;
    this.lasts = EMPTY;
    this.bytes = NO_BYTES;
    this.clearTail();
    this.ids = 0;
  }

  /** Id's packed slots, then `extra`, in a new array. */
  private decode(id: number, extra: readonly number[] = []): Int32Array {
    const packed = id < this.counts.length ? (this.counts[id] as number) : 0;
    if (packed + extra.length === 0) return EMPTY;
    const list = new Int32Array(packed + extra.length);
    const bytes = this.bytes;
    let at = this.starts[id] as number;
    let slot = -1;
    for (let i = 0; i < packed; i += 1) {
      let distance = 0;
      let shift = 0;
      let byte: number;
      do {
        byte = bytes[at++] as number;
        distance |= (byte & 0x7f) << shift;
        shift += 7;
      } while (byte & 0x80);
      slot += distance;
      list[i] = slot;
    }
    list.set(extra, packed);
    return list;
  }

  private push(value: number): void {
    let chunk = this.tail.at(-1);
    if (!chunk || chunk.length === CHUNK) {
      chunk = [];
      this.tail.push(chunk);
    }
    chunk.push(value);
    this.tailCount += 1;
  }

  /** One list after another: the old lists, then the tail, then slots from..to-1, each id's slots in that order. */
  private rebuild(from: number, to: number, idsOf: IdsOf): void {
    const oldStarts = this.starts;
    const oldBytes = this.bytes;
    const oldIds = this.counts.length;
    const ids = this.ids;
    const counts = new Int32Array(ids);
    counts.set(this.counts);
    const lasts = new Int32Array(ids).fill(-1);
    lasts.set(this.lasts);
    // Measure: starts[i + 1] first sums id i's bytes, then (summed up) says where its list ends.
    const starts = new Int32Array(ids + 1);
    for (let id = 0; id < oldIds; id += 1) starts[id + 1] = (oldStarts[id + 1] as number) - (oldStarts[id] as number);
    const measuredTo = lasts.slice();
    let slot = -1;
    const measure = (id: number) => {
      const distance = slot - (measuredTo[id] as number);
      if (distance <= 0) throw new Error(`Postings: slot ${slot} added under id ${id} after slot ${measuredTo[id]}`);
      starts[id + 1] = (starts[id + 1] as number) + bytesFor(distance);
      measuredTo[id] = slot;
      counts[id] = (counts[id] as number) + 1;
    };
    for (const chunk of this.tail)
      for (const value of chunk) {
        if (value < 0) slot = -value - 1;
        else measure(value);
      }
    for (slot = from; slot < to; slot += 1) idsOf(slot, measure);
    for (let id = 0; id < ids; id += 1) starts[id + 1] = (starts[id + 1] as number) + (starts[id] as number);
    // Write: each old list where it now starts, then the new slots after it.
    const bytes = new Uint8Array(starts[ids] as number);
    const cursor = new Int32Array(ids);
    for (let id = 0; id < ids; id += 1) {
      const at = starts[id] as number;
      if (id < oldIds) {
        const old = oldBytes.subarray(oldStarts[id] as number, oldStarts[id + 1] as number);
        bytes.set(old, at);
        cursor[id] = at + old.length;
      } else cursor[id] = at;
    }
    const fill = (id: number) => {
      cursor[id] = write(bytes, cursor[id] as number, slot - (lasts[id] as number));
      lasts[id] = slot;
    };
    slot = -1;
    for (const chunk of this.tail)
      for (const value of chunk) {
        if (value < 0) slot = -value - 1;
        else fill(value);
      }
    for (slot = from; slot < to; slot += 1) idsOf(slot, fill);
    this.starts = starts;
    this.counts = counts;
    this.lasts = lasts;
    this.bytes = bytes;
    this.clearTail();
  }

  private clearTail(): void {
    this.tail = [];
    this.tailSlot = -1;
    this.tailCount = 0;
  }
}

/** Bytes that a distance takes, 7 bits a byte. */
function bytesFor(distance: number): number {
  return distance < 0x80 ? 1 : distance < 0x4000 ? 2 : distance < 0x200000 ? 3 : distance < 0x10000000 ? 4 : 5;
}

/** Writes a distance at `at`, low 7 bits first, the high bit of each byte set when more follow; returns the end. */
function write(bytes: Uint8Array, at: number, distance: number): number {
  let rest = distance;
  while (rest >= 0x80) {
    bytes[at++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  bytes[at++] = rest;
  return at;
}
