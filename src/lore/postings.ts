const EMPTY = new Int32Array(0);
/** Tail entries per chunk: 64 KB arrays, under V8's large-object size, so that none is copied as the tail grows. */
const CHUNK = 8192;

/** Calls `visit` with each id of one slot, each id once, in the same order every time it is asked. */
export type IdsOf = (slot: number, visit: (id: number) => void) => void;

/**
 * Lists of slot numbers by id (a trigram code, a word's number), for an index of 100,000 entries and more: every list
 * lies back to back in one Int32Array and `offsets` says where each starts, rather than one JS array per id (an
 * object, a backing store and 8 bytes a number each).
 *
 * Lists change in two ways, both ending in one allocation of the final size:
 * - `add` puts a slot in a tail that `get` scans and `pack` moves in;
 * - `append` moves many new slots in at once, asking for their ids twice (to count, then to fill) instead of holding
 *   them in between.
 * Memory drove the shape: typed arrays live in malloc's heap, and growing them step by step through a bulk load of
 * 100,000 entries left tens of MB of freed holes there that the process never gave back, so the tail is plain JS
 * arrays in fixed chunks, and nothing typed is allocated but the final lists.
 */
export class Postings {
  /** Where id i's list starts in `packed`; offsets[i + 1] is where it ends. */
  private offsets = new Int32Array(1);
  private packed = EMPTY;
  /** For each slot added since the last pack: -(slot + 1), then its ids; in chunks of CHUNK entries. */
  private tail: number[][] = [];
  private tailSlot = -1;
  private tailCount = 0;
  /** One more than the largest id added. */
  private ids = 0;

  /** Entries in the tail, which `get` scans in full. */
  get tailLength(): number {
    return this.tailCount;
  }

  /** Lists `slot` under `id`. A slot's ids come together: slots are added one after another, each once. */
  add(id: number, slot: number): void {
    if (slot !== this.tailSlot) {
      this.push(-(slot + 1));
      this.tailSlot = slot;
    }
    this.push(id);
    if (id >= this.ids) this.ids = id + 1;
  }

  /** The slots listed under `id`, in the order they were added. Read only: it may be a view of the packed lists. */
  get(id: number): Int32Array {
    const packed =
      id + 1 < this.offsets.length
        ? this.packed.subarray(this.offsets[id] as number, this.offsets[id + 1] as number)
        : EMPTY;
    const extra: number[] = [];
    let slot = -1;
    for (const chunk of this.tail)
      for (const value of chunk) {
        if (value < 0) slot = -value - 1;
        else if (value === id) extra.push(slot);
      }
    if (extra.length === 0) return packed;
    const list = new Int32Array(packed.length + extra.length);
    list.set(packed);
    list.set(extra, packed.length);
    return list;
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

  clear(): void {
    this.offsets = new Int32Array(1);
    this.packed = EMPTY;
    this.clearTail();
    this.ids = 0;
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
    const oldOffsets = this.offsets;
    const oldPacked = this.packed;
    const oldIds = oldOffsets.length - 1;
    const ids = this.ids;
    // A counting sort in place: offsets[i + 1] counts id i's slots, then (summed) offsets[i] is where its list
    // starts; filling moves offsets[i] to where it ends, and a shift by one puts the starts back.
    const offsets = new Int32Array(ids + 1);
    for (let id = 0; id < oldIds; id += 1)
      offsets[id + 1] = (oldOffsets[id + 1] as number) - (oldOffsets[id] as number);
    const count = (id: number) => {
      offsets[id + 1] = (offsets[id + 1] as number) + 1;
    };
    for (const chunk of this.tail) for (const value of chunk) if (value >= 0) count(value);
    for (let slot = from; slot < to; slot += 1) idsOf(slot, count);
    for (let id = 0; id < ids; id += 1) offsets[id + 1] = (offsets[id + 1] as number) + (offsets[id] as number);
    const packed = new Int32Array(offsets[ids] as number);
    for (let id = 0; id < oldIds; id += 1) {
      let at = offsets[id] as number;
      for (let i = oldOffsets[id] as number; i < (oldOffsets[id + 1] as number); i += 1)
        packed[at++] = oldPacked[i] as number;
      offsets[id] = at;
    }
    let slot = -1;
    const fill = (id: number) => {
      const at = offsets[id] as number;
      packed[at] = slot;
      offsets[id] = at + 1;
    };
    for (const chunk of this.tail)
      for (const value of chunk) {
        if (value < 0) slot = -value - 1;
        else fill(value);
      }
    for (slot = from; slot < to; slot += 1) idsOf(slot, fill);
    offsets.copyWithin(1, 0, ids);
    offsets[0] = 0;
    this.offsets = offsets;
    this.packed = packed;
    this.clearTail();
  }

  private clearTail(): void {
    this.tail = [];
    this.tailSlot = -1;
    this.tailCount = 0;
  }
}
