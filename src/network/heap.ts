/**
 * An indexed binary min-heap of small integer ids (flow ids, link ids) keyed by a float.
 *
 * Performance: struct of arrays over typed arrays, no allocation after growth. `pos` maps an id to its
 * heap position, so changing or removing an id's key is O(log n) instead of a search. Equal keys are
 * ordered by id, so the pop order depends only on the keys, never on the heap's history.
 */
export class IndexedMinHeap {
  private heap: Int32Array;
  private pos: Int32Array;
  private keys: Float64Array;
  private count = 0;

  constructor(capacity = 16) {
    const n = Math.max(1, capacity);
    this.heap = new Int32Array(n);
    this.pos = new Int32Array(n).fill(-1);
    this.keys = new Float64Array(n);
  }

  get size(): number {
    return this.count;
  }

  /** Makes ids 0..n-1 usable. */
  ensureCapacity(n: number): void {
    if (n <= this.pos.length) return;
    const m = Math.max(n, this.pos.length * 2);
    const heap = new Int32Array(m);
    heap.set(this.heap);
    const pos = new Int32Array(m).fill(-1);
    pos.set(this.pos);
    const keys = new Float64Array(m);
    keys.set(this.keys);
    this.heap = heap;
    this.pos = pos;
    this.keys = keys;
  }

  has(id: number): boolean {
    return this.pos[id] >= 0;
  }

  /** The key of an id that is in the heap. */
  key(id: number): number {
    return this.keys[id];
  }

  /** The id with the smallest key; the heap must not be empty. */
  peek(): number {
    return this.heap[0];
  }

  /** The smallest key, or Infinity when empty. */
  peekKey(): number {
    return this.count > 0 ? this.keys[this.heap[0]] : Infinity;
  }

  /** Inserts `id` or changes its key. */
  set(id: number, key: number): void {
    const p = this.pos[id];
    const old = this.keys[id];
    this.keys[id] = key;
    if (p < 0) {
      const i = this.count++;
      this.heap[i] = id;
      this.pos[id] = i;
      this.siftUp(i);
    } else if (key < old) {
      this.siftUp(p);
    } else if (key > old) {
      this.siftDown(p);
    }
  }

  /**
   * Adds an id without restoring heap order; call heapify() before any other operation. Performance:
   * appending n ids and heapifying once is O(n) instead of n sifted inserts, O(n log n).
   */
  append(id: number, key: number): void {
    const i = this.count++;
    this.keys[id] = key;
    this.heap[i] = id;
    this.pos[id] = i;
  }

  /** Restores heap order after append(). */
  heapify(): void {
    for (let i = (this.count >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** Removes and returns the id with the smallest key; the heap must not be empty. */
  pop(): number {
    const id = this.heap[0];
    this.pos[id] = -1;
    const last = --this.count;
    if (last > 0) {
      // The last entry moves to the root and can only go down (removeAt's sift up is a no-op at 0).
      const moved = this.heap[last];
      this.heap[0] = moved;
      this.pos[moved] = 0;
      this.siftDown(0);
    }
    return id;
  }

  /** Removes `id` if present. */
  remove(id: number): void {
    const p = this.pos[id];
    if (p >= 0) this.removeAt(p);
  }

  /** Empties the heap in O(size). */
  clear(): void {
    for (let i = 0; i < this.count; i++) this.pos[this.heap[i]] = -1;
    this.count = 0;
  }

  private removeAt(p: number): void {
    const id = this.heap[p];
    this.pos[id] = -1;
    const last = --this.count;
    if (p === last) return;
    const moved = this.heap[last];
    this.heap[p] = moved;
    this.pos[moved] = p;
    this.siftUp(p);
    this.siftDown(this.pos[moved]);
  }

  private siftUp(i: number): void {
    const { heap, pos, keys } = this;
    const id = heap[i];
    const key = keys[id];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pid = heap[parent];
      const pk = keys[pid];
      if (pk < key || (pk === key && pid < id)) break;
      heap[i] = pid;
      pos[pid] = i;
      i = parent;
    }
    heap[i] = id;
    pos[id] = i;
  }

  private siftDown(i: number): void {
    const { heap, pos, keys } = this;
    const n = this.count;
    const id = heap[i];
    const key = keys[id];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let cid = heap[c];
      let ck = keys[cid];
      if (c + 1 < n) {
        const rid = heap[c + 1];
        const rk = keys[rid];
        if (rk < ck || (rk === ck && rid < cid)) {
          c++;
          cid = rid;
          ck = rk;
        }
      }
      if (key < ck || (key === ck && id < cid)) break;
      heap[i] = cid;
      pos[cid] = i;
      i = c;
    }
    heap[i] = id;
    pos[id] = i;
  }
}
