/** Polls `probe` every 50 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether a component's health check currently fails. */
export const pingFails = (component: { ping(): Promise<void> }): Promise<boolean> =>
  component.ping().then(
    () => false,
    () => true,
  );
