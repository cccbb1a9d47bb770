/**
 * A queue where only the oldest ever leaves (finished ids, held fires): an
 * array with a moving head. (A Set used as a queue slows down: every delete
 * leaves a hole at its front that the next "oldest" lookup walks over; and an
 * array's shift() copies the whole array once it is large.)
 */
export class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  add(item: T): void {
    this.items.push(item);
  }

  /** The oldest item; only called when size > 0. */
  shift(): T {
    const item = this.items[this.head]!;
    this.items[this.head] = undefined; // let it go now, not at the next compaction
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
