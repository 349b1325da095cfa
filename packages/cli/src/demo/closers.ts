/** Things to close, closed in reverse order, each given at most `limitMs`; closing twice is a no-op. */
export class Closers {
  private readonly list: Array<() => unknown> = [];

  constructor(private readonly limitMs = 5000) {}

  add(close: () => unknown): void {
    this.list.push(close);
  }

  async closeAll(onError: (error: unknown) => void = () => {}): Promise<void> {
    for (const close of this.list.splice(0).reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.limitMs)));
      try {
        await Promise.race([Promise.resolve().then(close), limit]);
      } catch (error) {
        onError(error);
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
