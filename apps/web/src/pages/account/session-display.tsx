import type { Session } from "@bifrost/contracts";
import type { Column } from "../../components/ui/index.js";
/** Browsers by the token their user agent names; the first match wins (Edge also says "Chrome"). */
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(e|A|iOS)?\//, "Edge"],
  [/\bOPR\//, "Opera"],
  [/\b(Firefox|FxiOS)\//, "Firefox"],
  [/\b(Chrome|Chromium|HeadlessChrome|CriOS)\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
];
const SYSTEMS: [RegExp, string][] = [
  [/\b(iPhone|iPad|iPod)\b/, "iOS"],
  [/\bAndroid\b/, "Android"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b/, "Linux"],
];

const firstMatch = (text: string, table: [RegExp, string][]) =>
  table.find(([pattern]) => pattern.test(text))?.[1];

/**
 * A user agent as people say it ("Chrome on Linux"); one we do not recognise (a CLI, a script) as
 * it is, cut short.
 */
export function deviceName(userAgent: string | null): string {
  if (!userAgent?.trim()) return "Unknown device";
  const browser = firstMatch(userAgent, BROWSERS);
  if (!browser) return userAgent.length > 60 ? `${userAgent.slice(0, 59)}…` : userAgent;
  const system = firstMatch(userAgent, SYSTEMS);
  return system ? `${browser} on ${system}` : browser;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400],
  ["month", 30 * 86_400],
  ["week", 7 * 86_400],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** "5 minutes ago", "just now", "in 3 weeks"; the local date and time on hover. */
export function When({ iso }: { iso: string }) {
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  const unit = UNITS.find(([, size]) => Math.abs(seconds) >= size);
  const text = unit ? relative.format(Math.round(seconds / unit[1]), unit[0]) : "just now";
  const local = new Date(iso).toLocaleString();
  return (
    <time dateTime={iso} title={local}>
      {text}
    </time>
  );
}

/**
 * The columns every list of logins shows (the account page's own, an admin's view of a user's):
 * device, address, last use, sign-in; the caller adds its own actions.
 */
export function sessionColumns<
  S extends Pick<Session, "userAgent" | "ip" | "lastUsedAt" | "createdAt">,
>(): Column<S>[] {
  return [
    {
      header: "Device",
      cell: (s) => <span title={s.userAgent ?? undefined}>{deviceName(s.userAgent)}</span>,
    },
    { header: "IP address", cell: (s) => s.ip ?? "—" },
    { header: "Last used", cell: (s) => <When iso={s.lastUsedAt} /> },
    { header: "Signed in", cell: (s) => <When iso={s.createdAt} /> },
  ];
}
