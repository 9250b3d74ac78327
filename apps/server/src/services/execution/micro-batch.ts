type Waiter<I, O> = { item: I; resolve(value: O | undefined): void; reject(error: unknown): void };

/**
 * Gathers the calls made in one turn of the event loop into one batch: messages that arrive
 * together are claimed with one statement, runs that end together are stored with one. No delay
 * is added — the batch is flushed on `setImmediate` — so a lone call costs what it did alone.
 */
export class MicroBatcher<I, O> {
  private pending: Array<Waiter<I, O>> = [];
  private scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<Map<string, O>>,
    private readonly keyOf: (item: I) => string,
  ) {}

  /** The batch's answer for this item, or undefined when the batch had none for it. */
  add(item: I): Promise<O | undefined> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    try {
      const answers = await this.run(batch.map((w) => w.item));
      for (const waiter of batch) waiter.resolve(answers.get(this.keyOf(waiter.item)));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // One bad item must not fail the others: each is tried on its own.
      await Promise.all(batch.map((waiter) => this.alone(waiter)));
    }
  }

  private async alone(waiter: Waiter<I, O>): Promise<void> {
    try {
      waiter.resolve((await this.run([waiter.item])).get(this.keyOf(waiter.item)));
    } catch (error) {
      waiter.reject(error);
    }
  }
}
