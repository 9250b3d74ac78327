import type { HTMLAttributes, ReactNode } from "react";

export type BadgeTone = "neutral" | "info" | "success" | "warning" | "danger";

/** Extra span attributes (e.g. `data-*`) are passed through. */
export function Badge({
  tone = "neutral",
  children,
  className,
  ...rest
}: { tone?: BadgeTone; children: ReactNode } & HTMLAttributes<HTMLSpanElement> & {
    [data: `data-${string}`]: string | undefined;
  }) {
  return (
    <span {...rest} className={[`ui-badge ui-badge--${tone}`, className].filter(Boolean).join(" ")}>
      {children}
    </span>
  );
}
