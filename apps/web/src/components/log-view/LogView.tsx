import type { ReactNode } from "react";
import type { ExecutionLog } from "@bifrost/contracts";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import "./log-view.css";

export type LogLine = Pick<ExecutionLog, "sequence" | "level" | "message" | "timestamp">;

const ROW_HEIGHT = 20;
/** How close to the bottom (px) still counts as "at the bottom" for follow mode. */
const BOTTOM_SLACK = 24;

/**
 * A virtualized log: only the visible rows are in the DOM, so 10,000+ lines stream smoothly.
 * Follow mode keeps the newest line in view until the user scrolls up; scrolling back to the
 * bottom (or the button) resumes it.
 */
export function LogView({
  lines,
  label = "Logs",
  renderMessage,
}: {
  lines: readonly LogLine[];
  label?: string;
  /** How a line's message shows (the editor makes `file.ts:line:column` clickable); default as text. */
  renderMessage?: (message: string) => ReactNode;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });

  // The rows' total height is known without asking the browser: no forced layout per update
  // (the browser clamps the offset to the end).
  useLayoutEffect(() => {
    const element = scroller.current;
    if (follow && element && lines.length > 0) element.scrollTop = virtualizer.getTotalSize();
  }, [follow, lines.length, virtualizer]);

  // A wheel or key scroll upwards is the user's intent to stop following.
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      if (event.deltaY < 0) setFollow(false);
    };
    element.addEventListener("wheel", onWheel, { passive: true });
    return () => element.removeEventListener("wheel", onWheel);
  }, []);

  // The content and viewport heights come from the virtualizer (the viewport's is measured by a
  // ResizeObserver), so the handler reads only scrollTop, which a scroll has just laid out.
  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    const height = virtualizer.scrollRect?.height ?? element.clientHeight;
    const atBottom = virtualizer.getTotalSize() - element.scrollTop - height <= BOTTOM_SLACK;
    if (atBottom !== follow) setFollow(atBottom);
  };

  return (
    <div className="log-view">
      <div className="log-toolbar">
        <span>
          {lines.length} line{lines.length === 1 ? "" : "s"}
        </span>
        <label className="log-follow">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
      </div>
      <div
        ref={scroller}
        className="log-scroller"
        role="log"
        aria-label={label}
        aria-live="off"
        tabIndex={0}
        onScroll={onScroll}
      >
        {lines.length === 0 ? (
          <p className="log-empty">No log lines yet.</p>
        ) : (
          <div className="log-rows" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((row) => {
              const line = lines[row.index];
              if (!line) return null;
              return (
                <div
                  key={row.key}
                  className={`log-line log-${line.level}`}
                  data-sequence={line.sequence}
                  style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}
                >
                  <span className="log-time">{line.timestamp.slice(11, 23)}</span>
                  <span className="log-level">{line.level.toUpperCase()}</span>
                  <span className="log-message">
                    {renderMessage ? renderMessage(line.message) : line.message}
                  </span>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}
