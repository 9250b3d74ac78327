import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: unknown }[] };

/**
 * Runs axe-core in the page (minus the `exclude` selectors); answers the serious and critical
 * violations, readable in a diff.
 */
export async function seriousA11yViolations(page: Page, exclude: string[] = []): Promise<string[]> {
  // Evaluated through the DevTools protocol: a <script> tag would be refused by the client's
  // Content-Security-Policy, as any injected script is.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (excluded) => {
    type Axe = { run: (context: unknown) => Promise<{ violations: AxeViolation[] }> };
    const axe = (globalThis as unknown as { axe: Axe }).axe;
    return (await axe.run({ include: [["html"]], exclude: excluded.map((s) => [s]) })).violations;
  }, exclude);
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact}: ${v.id} (${v.help}) at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}
