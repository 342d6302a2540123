/**
 * The replies a session owes, in command order (smtp-starttls.md §1.5.10). Local slots carry the
 * proxy's own reply; backend slots wait for the member's, which arrive in the order the commands
 * were forwarded. Both the head and the next backend slot to fill are found in O(1), however
 * many commands a client pipelines (and the session bounds that number: `full`).
 */
import type { BackendSlot, Slot } from './states';

export class ReplySlots {
  private items: Slot[] = [];
  private head = 0;
  /** Backend slots still without a reply, oldest first. */
  private waiting: BackendSlot[] = [];
  private waitHead = 0;

  constructor(private readonly bound: number) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** As many commands are in flight as the session allows: stop reading lines. */
  get full(): boolean {
    return this.length >= this.bound;
  }

  push(slot: Slot): void {
    this.items.push(slot);
    if (!slot.local && slot.reply === undefined) this.waiting.push(slot);
  }

  /** Put a slot before every other (a member's greeting). */
  unshift(slot: Slot): void {
    this.items.splice(this.head, 0, slot);
  }

  peek(): Slot | undefined {
    return this.items[this.head];
  }

  shift(): Slot | undefined {
    const s = this.items[this.head];
    if (s === undefined) return undefined;
    this.items[this.head++] = undefined as unknown as Slot;
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return s;
  }

  /** The oldest backend slot still waiting for its reply. */
  nextUnanswered(): BackendSlot | undefined {
    const s = this.waiting[this.waitHead];
    if (s === undefined) return undefined;
    this.waiting[this.waitHead++] = undefined as unknown as BackendSlot;
    if (this.waitHead > 64 && this.waitHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitHead);
      this.waitHead = 0;
    }
    return s;
  }
}
