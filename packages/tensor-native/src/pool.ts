/**
 * Output buffers for the native kernels, recycled. A fresh 8 MB Float32Array costs ~3 ms here (the
 * kernel maps and zeroes new pages), 15× the cost of writing an array that is already mapped; a
 * ResNet-20 step allocates ~1,000 such outputs. So the backend hands buffers back to this pool when
 * the last tensor entry that refers to them is disposed.
 *
 * Safety: only buffers the pool itself allocated are ever recycled (never an array a user passed to
 * tf.tensor); the backend counts every data entry that refers to a buffer (the cpu kernels' subarray
 * views included) and recycles it only at zero; and the backend's readSync/read return copies of
 * pooled buffers, so no array handed to user code is ever reused.
 */

/**
 * Buffers smaller than this are allocated fresh (cheap, and not worth the bookkeeping). Kept small:
 * inside the LSTM benchmark's training step an Add of two [20, 800] tensors (16 000 elements, 2.5 µs
 * of arithmetic) took 50–80 µs a call with a fresh output and ~17 µs with a pooled one.
 */
const MIN_POOLED = 1024; // elements (4 KiB)

export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  /** Every free buffer, oldest first (a Set keeps insertion order): evicted first when over the limit. */
  private readonly age = new Set<Float32Array>();
  private readonly owned = new WeakSet<ArrayBufferLike>();
  private readonly refs = new Map<ArrayBufferLike, number>();
  private freeBytes = 0;
  /** Bytes of pooled-size buffers taken and not yet given back, and the most there have been at once. */
  private liveBytes = 0;
  private peakLiveBytes = 0;

  /**
   * @param limitBytes the free buffers kept: at least this many bytes, or as many as the workload has
   *   ever had in use at once (a training step that uses 700 MB frees it all at its end and needs it
   *   all again in the next step: keeping less made ResNet-20 map 161 MB of fresh pages every step);
   * @param maxBytes but never more than this.
   */
  constructor(
    private readonly limitBytes: number,
    private readonly maxBytes = limitBytes,
  ) {}

  /** The current cap on free bytes (see the constructor). */
  private limit(): number {
    return Math.min(this.maxBytes, Math.max(this.limitBytes, this.peakLiveBytes));
  }

  /** A Float32Array of n elements whose contents are unspecified unless `zero`. */
  take(n: number, zero = false): Float32Array {
    if (n < MIN_POOLED) return new Float32Array(n);
    this.liveBytes += 4 * n;
    this.peakLiveBytes = Math.max(this.peakLiveBytes, this.liveBytes);
    const list = this.free.get(n);
    const reused = list?.pop();
    if (reused != null) {
      this.age.delete(reused);
      this.freeBytes -= reused.byteLength;
      if (zero) reused.fill(0);
      return reused;
    }
    const fresh = new Float32Array(n);
    this.owned.add(fresh.buffer);
    return fresh;
  }

  owns(values: unknown): values is Float32Array {
    return values instanceof Float32Array && this.owned.has(values.buffer);
  }

  /** A data entry now refers to `values`. */
  retain(values: unknown): void {
    if (!this.owns(values)) return;
    this.refs.set(values.buffer, (this.refs.get(values.buffer) ?? 0) + 1);
  }

  /** A data entry that referred to `values` is gone; at zero references the buffer is reused. */
  release(values: unknown): void {
    if (!this.owns(values)) return;
    const left = (this.refs.get(values.buffer) ?? 1) - 1;
    if (left > 0) {
      this.refs.set(values.buffer, left);
      return;
    }
    this.refs.delete(values.buffer);
    const whole = new Float32Array(values.buffer);
    this.liveBytes -= whole.byteLength;
    const limit = this.limit();
    if (whole.byteLength > limit) return; // let the GC have it
    // Over the limit, the oldest free buffers go (to the GC): a workload that changes its shapes (a
    // new model, another batch size) must not find the pool full of sizes it no longer uses.
    for (const old of this.age) {
      if (this.freeBytes + whole.byteLength <= limit) break;
      this.evict(old);
    }
    let list = this.free.get(whole.length);
    if (list == null) this.free.set(whole.length, (list = []));
    list.push(whole);
    this.age.add(whole);
    this.freeBytes += whole.byteLength;
  }

  private evict(buffer: Float32Array): void {
    this.age.delete(buffer);
    const list = this.free.get(buffer.length);
    const at = list?.indexOf(buffer) ?? -1;
    if (list != null && at >= 0) list.splice(at, 1);
    if (list?.length === 0) this.free.delete(buffer.length);
    this.freeBytes -= buffer.byteLength;
  }

  /** Drop every free buffer (memory goes back at the next GC). */
  clear(): void {
    this.free.clear();
    this.age.clear();
    this.freeBytes = 0;
  }

  stats(): { freeBytes: number; buffersInUse: number; limitBytes: number; peakLiveBytes: number } {
    return { freeBytes: this.freeBytes, buffersInUse: this.refs.size, limitBytes: this.limit(), peakLiveBytes: this.peakLiveBytes };
  }
}

let current: BufferPool | null = null;

/** The pool of the live native backend (kernels allocate from it); null before one exists. */
export function activePool(): BufferPool | null {
  return current;
}

export function setActivePool(pool: BufferPool | null): void {
  current = pool;
}
