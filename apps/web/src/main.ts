import type { Readiness } from "@bifrost/contracts";
import "./style.css";

// Placeholder client: shows whether the platform is ready. The web client work replaces it.
const status = document.querySelector<HTMLParagraphElement>("#status");

async function showReadiness(): Promise<void> {
  if (!status) return;
  try {
    const response = await fetch("/health/ready");
    const body = (await response.json()) as Readiness;
    const parts = Object.entries(body.components).map(([name, c]) => `${name}: ${c.status}`);
    status.textContent = `Platform ${body.status === "ok" ? "ready" : "unavailable"} — ${parts.join(", ")}`;
  } catch {
    status.textContent = "The API does not answer.";
  }
}

void showReadiness();
