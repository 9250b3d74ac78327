import { randomUUID } from "node:crypto";
import {
  deadLetterQueueName,
  type Consumer,
  type MessageHandler,
  type QueueDeclaration,
  type QueueMessage,
  type WorkQueue,
} from "./work-queue.js";

type StoredMessage = { id: string; body: Buffer; returns: number };

type ConsumerState = {
  id: string;
  handler: MessageHandler;
  prefetch: number;
  inFlight: Map<string, StoredMessage>;
};

type QueueState = {
  declaration: QueueDeclaration;
  ready: StoredMessage[];
  consumers: ConsumerState[];
  nextConsumer: number;
  dispatchScheduled: boolean;
};

/**
 * The broker of the embedded mode: one per process, shared by every `MemoryWorkQueue` "connection"
 * so that a connection closing (a consumer dying) returns its unacked messages, as RabbitMQ does.
 * Messages live only in memory; in embedded mode the database row is the source of truth and the
 * sweeper re-publishes work whose message was lost with the process.
 */
export class MemoryBroker {
  private readonly queues = new Map<string, QueueState>();

  declare(declaration: QueueDeclaration): void {
    for (const d of [declaration, { name: deadLetterQueueName(declaration.name), deliveryLimit: Infinity }]) {
      if (!this.queues.has(d.name)) {
        this.queues.set(d.name, {
          declaration: d,
          ready: [],
          consumers: [],
          nextConsumer: 0,
          dispatchScheduled: false,
        });
      }
    }
  }

  publish(queue: string, body: Buffer): void {
    this.enqueue(this.queue(queue), { id: randomUUID(), body: Buffer.from(body), returns: 0 });
  }

  depth(queue: string): number {
    return this.queue(queue).ready.length;
  }

  addConsumer(queue: string, consumer: ConsumerState): void {
    const state = this.queue(queue);
    state.consumers.push(consumer);
    this.scheduleDispatch(state);
  }

  /** Removes a consumer and returns what it held unacked, counting a return for each message. */
  removeConsumer(queue: string, consumer: ConsumerState): void {
    const state = this.queues.get(queue);
    if (!state) return;
    state.consumers = state.consumers.filter((c) => c !== consumer);
    const held = [...consumer.inFlight.values()];
    consumer.inFlight.clear();
    for (const message of held) this.returnMessage(state, message, true);
  }

  settle(
    queue: string,
    consumer: ConsumerState,
    messageId: string,
    outcome: "ack" | "requeue" | "reject",
  ): void {
    const state = this.queues.get(queue);
    const message = consumer.inFlight.get(messageId);
    if (!state || !message) return; // already settled, or returned when its consumer went away
    consumer.inFlight.delete(messageId);
    if (outcome !== "ack") this.returnMessage(state, message, outcome === "requeue");
    this.scheduleDispatch(state);
  }

  private queue(name: string): QueueState {
    const state = this.queues.get(name);
    // A programming error, not a missing resource a client asked for: a plain Error, as on RabbitMQ.
    if (!state) throw new Error(`Queue ${name} is not declared`);
    return state;
  }

  private enqueue(state: QueueState, message: StoredMessage): void {
    state.ready.push(message);
    this.scheduleDispatch(state);
  }

  private returnMessage(state: QueueState, message: StoredMessage, requeue: boolean): void {
    message.returns += 1;
    if (requeue && message.returns <= state.declaration.deliveryLimit) {
      this.enqueue(state, message);
      return;
    }
    const dead = this.queues.get(deadLetterQueueName(state.declaration.name));
    if (dead) this.enqueue(dead, { id: randomUUID(), body: message.body, returns: 0 });
  }

  // Dispatch runs on a later tick, as a broker would, so handlers never re-enter the publisher.
  private scheduleDispatch(state: QueueState): void {
    if (state.dispatchScheduled) return;
    state.dispatchScheduled = true;
    setImmediate(() => {
      state.dispatchScheduled = false;
      this.dispatch(state);
    });
  }

  private dispatch(state: QueueState): void {
    while (state.ready.length > 0) {
      const consumer = this.pickConsumer(state);
      if (!consumer) return;
      const message = state.ready.shift() as StoredMessage;
      consumer.inFlight.set(message.id, message);
      this.deliver(state, consumer, message);
    }
  }

  private pickConsumer(state: QueueState): ConsumerState | undefined {
    const count = state.consumers.length;
    for (let i = 0; i < count; i += 1) {
      const index = (state.nextConsumer + i) % count;
      const candidate = state.consumers[index];
      if (candidate && candidate.inFlight.size < candidate.prefetch) {
        state.nextConsumer = (index + 1) % count;
        return candidate;
      }
    }
    return undefined;
  }

  private deliver(state: QueueState, consumer: ConsumerState, stored: StoredMessage): void {
    const name = state.declaration.name;
    const message: QueueMessage = {
      body: stored.body,
      deliveryCount: stored.returns + 1,
      ack: () => Promise.resolve(this.settle(name, consumer, stored.id, "ack")),
      nack: (options) =>
        Promise.resolve(
          this.settle(name, consumer, stored.id, options?.requeue === false ? "reject" : "requeue"),
        ),
    };
    Promise.resolve()
      .then(() => consumer.handler(message))
      .catch(() => this.settle(name, consumer, stored.id, "requeue"));
  }
}

/** One "connection" to a MemoryBroker. */
export class MemoryWorkQueue implements WorkQueue {
  readonly adapter = "memory";
  private readonly consumers = new Map<string, { queue: string; state: ConsumerState }>();
  private closed = false;

  constructor(private readonly broker: MemoryBroker) {}

  async declare(queue: QueueDeclaration): Promise<void> {
    this.broker.declare(queue);
  }

  async publish(queue: string, body: Buffer): Promise<void> {
    this.assertOpen();
    this.broker.publish(queue, body);
  }

  async consume(queue: string, handler: MessageHandler, options: { prefetch: number }): Promise<Consumer> {
    this.assertOpen();
    this.broker.depth(queue); // throws for an undeclared queue before anything is registered
    const state: ConsumerState = {
      id: randomUUID(),
      handler,
      prefetch: Math.max(1, options.prefetch),
      inFlight: new Map(),
    };
    this.consumers.set(state.id, { queue, state });
    this.broker.addConsumer(queue, state);
    return { cancel: async () => this.cancelConsumer(state.id) };
  }

  async depth(queue: string): Promise<number> {
    return this.broker.depth(queue);
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.consumers.keys()]) this.cancelConsumer(id);
    return Promise.resolve();
  }

  private cancelConsumer(id: string): void {
    const entry = this.consumers.get(id);
    if (!entry) return;
    this.consumers.delete(id);
    this.broker.removeConsumer(entry.queue, entry.state);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("The queue connection is closed");
  }
}
