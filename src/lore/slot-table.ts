const EMPTY = -1;
const REMOVED = -2;

/**
 * Slot numbers found by a string key (an id; a scope and slug), for an index of 100,000 entries and more: an
 * open-addressed table of Int32 cells, about 1 MB for 100,000 slots where a Map of strings costs some 3.7 MB. It
 * stores slots only, never keys: the caller hashes the key and says whether a slot's entry has it.
 */
export class SlotTable {
  private cells = new Int32Array(64).fill(EMPTY);
  private live = 0;
  /** Cells not EMPTY (live or REMOVED): probing stops only at EMPTY, so these bound the load. */
  private filled = 0;

  /** `hashOfSlot` gives the hash of the key of a slot in the table, for regrowing. */
  constructor(private readonly hashOfSlot: (slot: number) => number) {}

  get size(): number {
    return this.live;
  }

  /** The slot whose key has this hash and satisfies `matches`. */
  find(hash: number, matches: (slot: number) => boolean): number | undefined {
    const mask = this.cells.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const cell = this.cells[i] as number;
      if (cell === EMPTY) return undefined;
      if (cell >= 0 && matches(cell)) return cell;
    }
  }

  /** Adds a slot, whose key no slot in the table has (find and remove first). */
  insert(hash: number, slot: number): void {
    if ((this.filled + 1) * 2 > this.cells.length) this.regrow();
    const mask = this.cells.length - 1;
    let i = hash & mask;
    while ((this.cells[i] as number) >= 0) i = (i + 1) & mask;
    if (this.cells[i] === EMPTY) this.filled += 1;
    this.cells[i] = slot;
    this.live += 1;
  }

  /** Takes a slot out, if it is in the table under this hash. */
  remove(hash: number, slot: number): void {
    const mask = this.cells.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const cell = this.cells[i] as number;
      if (cell === EMPTY) return;
      if (cell === slot) {
        this.cells[i] = REMOVED;
        this.live -= 1;
        return;
      }
    }
  }

  clear(): void {
    this.cells = new Int32Array(64).fill(EMPTY);
    this.live = 0;
    this.filled = 0;
  }

  /**
   * At most half full, without the removed ones: the next power of two at least twice the live slots (at 100,000
   * slots, 1 MB; linear probing stays short at that load).
   */
  private regrow(): void {
    const old = this.cells;
    let size = 64;
    while (size < (this.live + 1) * 2) size *= 2;
    this.cells = new Int32Array(size).fill(EMPTY);
    this.live = 0;
    this.filled = 0;
    for (const cell of old) if (cell >= 0) this.insert(this.hashOfSlot(cell), cell);
  }
}

/** FNV-1a over the code units of the given strings, with a separator between them. */
export function hashOf(text: string, more?: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  if (more !== undefined) {
    hash = Math.imul(hash ^ 10, 0x01000193);
    for (let i = 0; i < more.length; i += 1) hash = Math.imul(hash ^ more.charCodeAt(i), 0x01000193);
  }
  // Spread the high bits into the low ones, which pick the cell.
  return (hash ^ (hash >>> 15)) >>> 0;
}
