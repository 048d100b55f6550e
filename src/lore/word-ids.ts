import { hashOf, SlotTable } from "./slot-table.js";

const CHUNK_BITS = 13;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/**
 * Numbers for the words of summaries and tags, told apart by two independent 32-bit hashes of their text instead of
 * the text: the 60,000 distinct words of 100,000 entries cost some 1.5 MB here against 4 MB in a Map of strings.
 * Two words would share a number only if both hashes collided (odds of about one in 10¹⁰ for that many words), and
 * then a full-text search for one would also find the entries of the other.
 */
export class WordIds {
  /** Each number's two hashes, two cells a number, in chunks: no copy as the vocabulary grows. */
  private readonly chunks: Uint32Array[] = [];
  private count = 0;
  private readonly table = new SlotTable((id) => this.hash(id, 0));

  get size(): number {
    return this.count;
  }

  /** The word's number, or undefined if it was never added. */
  find(word: string): number | undefined {
    return this.lookup(hashOf(word), otherHashOf(word));
  }

  /** The word's number, a new one if the word is new. */
  add(word: string): number {
    const first = hashOf(word);
    const second = otherHashOf(word);
    const known = this.lookup(first, second);
    if (known !== undefined) return known;
    const id = this.count;
    if ((id & MASK) === 0) this.chunks.push(new Uint32Array(CHUNK * 2));
    const chunk = this.chunks[id >>> CHUNK_BITS] as Uint32Array;
    chunk[(id & MASK) * 2] = first;
    chunk[(id & MASK) * 2 + 1] = second;
    this.count += 1;
    this.table.insert(first, id);
    return id;
  }

  private lookup(first: number, second: number): number | undefined {
    return this.table.find(first, (id) => this.hash(id, 0) === first && this.hash(id, 1) === second);
  }

  private hash(id: number, which: 0 | 1): number {
    return (this.chunks[id >>> CHUNK_BITS] as Uint32Array)[(id & MASK) * 2 + which] as number;
  }
}

/** A second 32-bit hash of the code units, independent of `hashOf` (multiply-rotate, another seed and constant). */
function otherHashOf(text: string): number {
  let hash = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i += 1) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x5bd1e995);
    hash ^= hash >>> 13;
  }
  hash = Math.imul(hash ^ (hash >>> 15), 0x27d4eb2d);
  return (hash ^ (hash >>> 16)) >>> 0;
}
