import type { Consumer, MessageHandler, QueueDeclaration, WorkQueue } from "./work-queue.js";

/**
 * Prefixes every queue name, so several installations (or test runs) can share one broker without
 * taking each other's messages.
 */
export class NamespacedWorkQueue implements WorkQueue {
  constructor(
    private readonly inner: WorkQueue,
    private readonly prefix: string,
  ) {}

  get adapter(): WorkQueue["adapter"] {
    return this.inner.adapter;
  }

  declare(queue: QueueDeclaration): Promise<void> {
    return this.inner.declare({ ...queue, name: this.prefix + queue.name });
  }

  publish(queue: string, body: Buffer): Promise<void> {
    return this.inner.publish(this.prefix + queue, body);
  }

  consume(queue: string, handler: MessageHandler, options: { prefetch: number }): Promise<Consumer> {
    return this.inner.consume(this.prefix + queue, handler, options);
  }

  depth(queue: string): Promise<number> {
    return this.inner.depth(this.prefix + queue);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
