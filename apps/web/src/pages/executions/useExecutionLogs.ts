import { wsChannels } from "@bifrost/contracts";
import type { ExecutionLog, WsServerMessage } from "@bifrost/contracts";
import { useCallback, useEffect, useRef, useState } from "react";
import { apiFetch } from "../../api/client.js";
import { useRealtime } from "../../api/realtime.js";
import type { LogLine } from "../../components/log-view/LogView.js";

/** Lines in sequence order without duplicates; the common case (all newer) is a plain append. */
function merge(current: LogLine[], incoming: LogLine[]): LogLine[] {
  if (incoming.length === 0) return current;
  const last = current.at(-1)?.sequence ?? -Infinity;
  const sorted = dedupe([...incoming].sort((a, b) => a.sequence - b.sequence));
  // Only the incoming batch needs sorting and de-duplicating when it all comes after the last line.
  if ((sorted[0]?.sequence ?? 0) > last) return current.concat(sorted);
  return dedupe([...current, ...sorted].sort((a, b) => a.sequence - b.sequence));
}

function dedupe(lines: LogLine[]): LogLine[] {
  return lines.filter((line, i) => i === 0 || line.sequence !== lines[i - 1]?.sequence);
}

/**
 * The run's log: the REST pages, then `execution_log` messages. Live lines are batched per
 * animation frame (a run may print 1,000 lines/s). A catch-up read after the socket connects and
 * after the final status fills any gap between the REST read and the subscription.
 */
export function useExecutionLogs(executionId: string, onMessage: (message: WsServerMessage) => void) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [error, setError] = useState<string | null>(null);
  const linesRef = useRef<LogLine[]>([]);
  const pending = useRef<LogLine[]>([]);
  const frame = useRef<number | undefined>(undefined);
  const reading = useRef<Promise<void>>(Promise.resolve());
  const later = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const apply = useCallback((incoming: LogLine[]) => {
    linesRef.current = merge(linesRef.current, incoming);
    setLines(linesRef.current);
  }, []);

  const catchUp = useCallback(() => {
    reading.current = reading.current.then(async () => {
      try {
        // From the first gap, not the last line: live lines may have arrived before earlier ones
        // were stored (a gap also stays where DEBUG lines are hidden; re-reading past it is harmless).
        let last = 0;
        for (const line of linesRef.current) {
          if (line.sequence !== last + 1) break;
          last = line.sequence;
        }
        let cursor: string | null = last === 0 ? null : String(last);
        for (;;) {
          const page: { items: ExecutionLog[]; nextCursor: string | null } = await apiFetch(
            `/api/executions/${executionId}/logs${cursor === null ? "" : `?cursor=${cursor}`}`,
          );
          apply(page.items);
          if (!page.nextCursor || page.items.length === 0) break;
          cursor = page.nextCursor;
        }
        setError(null);
      } catch (e) {
        setError(e instanceof Error ? e.message : "Could not read the logs");
      }
    });
  }, [apply, executionId]);

  useEffect(() => {
    linesRef.current = [];
    setLines([]);
    catchUp();
    return () => {
      if (frame.current !== undefined) cancelAnimationFrame(frame.current);
      frame.current = undefined;
      if (later.current) clearTimeout(later.current);
    };
  }, [catchUp]);

  useRealtime([wsChannels.execution(executionId)], (message) => {
    if (message.type === "connected") {
      catchUp();
      // A line published just before the socket joined is stored within ~50 ms of being sent: read
      // once more a moment later so it is never missed while the run goes on.
      if (later.current) clearTimeout(later.current);
      later.current = setTimeout(catchUp, 1_000);
    }
    if (message.type === "execution_log" && message.executionId === executionId) {
      pending.current.push(message);
      frame.current ??= requestAnimationFrame(() => {
        frame.current = undefined;
        const batch = pending.current;
        pending.current = [];
        apply(batch);
      });
    }
    onMessage(message);
  });

  return { lines, error, catchUp };
}
