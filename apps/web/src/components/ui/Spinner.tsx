export function Spinner({
  label = "Loading…",
  size = "normal",
}: {
  label?: string;
  size?: "small" | "normal";
}) {
  return (
    <span className={`ui-spinner ui-spinner--${size}`} role={label ? "status" : undefined}>
      <span className="ui-spinner__circle" aria-hidden="true" />
      {label && <span className="ui-spinner__label">{label}</span>}
    </span>
  );
}
