import { performance } from 'node:perf_hooks';

/** Progress on stderr: a redrawn bar on a TTY, one plain line per step otherwise. */
export class Progress {
  private total = 0;
  private done = 0;
  private label = '';
  private readonly started = performance.now();
  private readonly tty: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = true,
  ) {
    this.tty = stream.isTTY === true;
  }

  /** Adds `steps` to the total (families add theirs as they are planned). */
  plan(steps: number): void {
    this.total += steps;
    this.draw();
  }

  start(label: string): void {
    this.label = label;
    this.draw();
  }

  step(): void {
    this.done = Math.min(this.total, this.done + 1);
    this.draw();
  }

  /** A line that stays (warnings, skipped families), printed above the bar. */
  note(text: string): void {
    if (!this.enabled) return;
    if (this.tty) this.stream.write('\r\x1b[2K');
    this.stream.write(`${text}\n`);
    this.draw();
  }

  finish(): void {
    if (this.enabled && this.tty) this.stream.write('\r\x1b[2K');
  }

  private draw(): void {
    if (!this.enabled || this.label === '') return;
    const elapsed = formatElapsed((performance.now() - this.started) / 1000);
    if (!this.tty) {
      this.stream.write(`[${this.done + 1}/${Math.max(this.total, this.done + 1)}] ${this.label} (${elapsed})\n`);
      this.label = '';
      return;
    }
    const width = 24;
    const fraction = this.total > 0 ? this.done / this.total : 0;
    const filled = Math.round(fraction * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const columns = this.stream.columns ?? 100;
    const line = `${bar} ${this.done}/${this.total} ${elapsed} ${this.label}`;
    this.stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
  }
}

function formatElapsed(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.floor(seconds % 60);
  return `${m}:${String(s).padStart(2, '0')}`;
}
