// RabbitMQ helpers of the benches that run the distributed mode (engine.mjs, web.mjs).
import amqp from "amqplib";
import { onCleanup } from "./cleanup.mjs";

/**
 * Deletes a bench namespace's queues on exit (register it before the servers start, so it runs
 * after they have stopped).
 * @param {string} rabbitmqUrl
 * @param {string} namespace
 */
export function registerQueueCleanup(rabbitmqUrl, namespace) {
  const queues = [`${namespace}.workflow-executions`, `${namespace}.workflow-executions.dead`];
  return onCleanup(`delete RabbitMQ queues ${queues.join(", ")}`, async () => {
    const connection = await amqp.connect(rabbitmqUrl);
    try {
      const channel = await connection.createChannel();
      for (const queue of queues) await channel.deleteQueue(queue);
    } finally {
      await connection.close();
    }
  });
}
