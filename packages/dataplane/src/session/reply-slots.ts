/**
 * The replies a session owes, in command order (smtp-starttls.md §1.5.10). Local slots carry the
 * proxy's own reply; backend slots wait for the member's, which arrive in the order the commands
 * were forwarded. Both the head and the next backend slot to fill are found in O(1), however
 * many commands a client pipelines (and the session bounds that number: `full`).
 */
import type { BackendSlot, Slot } from './states';

/** A FIFO whose shift is O(1): a moving head, the array compacted once half of it is spent. */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  unshift(item: T): void {
    this.items.splice(this.head, 0, item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.items[this.head++] = undefined;
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

export class ReplySlots {
  private readonly slots = new Fifo<Slot>();
  /** Backend slots still without a reply, oldest first. */
  private readonly waiting = new Fifo<BackendSlot>();

  constructor(private readonly bound: number) {}

  get length(): number {
    return this.slots.length;
  }

  /** As many commands are in flight as the session allows: stop reading lines. */
  get full(): boolean {
    return this.length >= this.bound;
  }

  push(slot: Slot): void {
    this.slots.push(slot);
    if (!slot.local && slot.reply === undefined) this.waiting.push(slot);
  }

  /** Put a slot before every other (a member's greeting). */
  unshift(slot: Slot): void {
    this.slots.unshift(slot);
  }

  peek(): Slot | undefined {
    return this.slots.peek();
  }

  shift(): Slot | undefined {
    return this.slots.shift();
  }

  /** The oldest backend slot still waiting for its reply. */
  nextUnanswered(): BackendSlot | undefined {
    return this.waiting.shift();
  }
}
