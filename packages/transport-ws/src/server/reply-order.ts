/**
 * Keeps the replies of one connection in request order. WebSocket messages carry no id, so a
 * client matches replies to requests first-in first-out (as Salt's sequential server guarantees);
 * Brine runs handlers concurrently and this queue holds finished replies until those before them
 * are out. A slot can also end the connection (a failed handler, or Salt's `close` text frame) once
 * the replies before it have been sent.
 */
export type SlotOutcome<E> =
  { kind: 'reply'; frame: Uint8Array } | { kind: 'close'; code: number; error: E | undefined };

interface Slot<E> {
  outcome: SlotOutcome<E> | undefined;
}

export interface ReplySink<E> {
  send(frame: Uint8Array): void;
  close(code: number, error: E | undefined): void;
}

export class ReplyOrder<E> {
  private readonly slots: Array<Slot<E>> = [];
  private ended = false;

  constructor(private readonly sink: ReplySink<E>) {}

  /** Slots reserved and not yet sent. */
  get pending(): number {
    return this.slots.length;
  }

  /** Reserves the next position; call the returned function once with the outcome. */
  reserve(): (outcome: SlotOutcome<E>) => void {
    const slot: Slot<E> = { outcome: undefined };
    this.slots.push(slot);
    return (outcome) => {
      if (slot.outcome) return;
      slot.outcome = outcome;
      this.flush();
    };
  }

  /** Forgets everything (the connection is gone). */
  end(): void {
    this.ended = true;
    this.slots.length = 0;
  }

  private flush(): void {
    while (!this.ended && this.slots.length > 0 && this.slots[0]!.outcome) {
      const outcome = this.slots.shift()!.outcome!;
      if (outcome.kind === 'reply') {
        this.sink.send(outcome.frame);
      } else {
        this.end();
        this.sink.close(outcome.code, outcome.error);
      }
    }
  }
}
