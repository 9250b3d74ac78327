import type { ButtonHTMLAttributes } from "react";
import { Spinner } from "./Spinner.js";

export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: "primary" | "secondary" | "ghost" | "danger";
  /** Shows a spinner and disables the button while an action runs. */
  busy?: boolean;
};

export function Button({
  variant = "secondary",
  busy = false,
  className,
  children,
  disabled,
  ...rest
}: ButtonProps) {
  return (
    <button
      type="button"
      {...rest}
      className={["ui-button", `ui-button--${variant}`, className].filter(Boolean).join(" ")}
      disabled={Boolean(disabled) || busy}
      aria-busy={busy || undefined}
    >
      {busy && <Spinner size="small" label="" />}
      {children}
    </button>
  );
}
