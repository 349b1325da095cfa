/**
 * A FIFO of outgoing messages drained by one pump, so a socket never has two `send()` calls
 * pending (zeromq.js throws `EBUSY` on the second: it will not queue behind libzmq's
 * high-water mark on its own). `send` returns undefined to skip an item (abandoned meanwhile).
 */
export class SendQueue<T> {
  private items: Array<T | undefined> = [];
  private head = 0;
  private pumping = false;

  constructor(
    private readonly send: (item: T) => Promise<void> | undefined,
    private readonly failed: (item: T, error: unknown) => void,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
    if (!this.pumping) void this.pump();
  }

  /** Drops everything not yet sent and returns it. */
  clear(): T[] {
    const rest = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return rest;
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.head < this.items.length) {
        const item = this.items[this.head] as T;
        this.items[this.head++] = undefined;
        if (this.head > 1024 && this.head * 2 > this.items.length) {
          this.items = this.items.slice(this.head);
          this.head = 0;
        }
        try {
          await this.send(item);
        } catch (error) {
          this.failed(item, error);
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}
