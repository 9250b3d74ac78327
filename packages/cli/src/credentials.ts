import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** One platform's login, as the CLI keeps it. */
export type Login = {
  accessToken: string;
  /** Absent for a token given with `--token`/`BIFROST_TOKEN` and saved by `login --token`. */
  refreshToken?: string;
  email?: string;
};

type Store = { current?: string; platforms: Record<string, Login> };

/** `$BIFROST_CONFIG_DIR`, else `$XDG_CONFIG_HOME/bifrost`, else `~/.config/bifrost`. */
function configDir(): string {
  if (process.env.BIFROST_CONFIG_DIR) return process.env.BIFROST_CONFIG_DIR;
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config");
  return path.join(base, "bifrost");
}

const storeFile = (): string => path.join(configDir(), "credentials.json");

/** A platform URL as a key: its origin and path, without a trailing slash. */
export const platformKey = (url: string): string => {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
};

function read(): Store {
  try {
    const parsed = JSON.parse(readFileSync(storeFile(), "utf8")) as Partial<Store>;
    return { current: parsed.current, platforms: parsed.platforms ?? {} };
  } catch {
    return { platforms: {} };
  }
}

/** Written to a temporary file with mode 0600, then renamed: never readable by others, never half-written. */
function write(store: Store): void {
  mkdirSync(configDir(), { recursive: true, mode: 0o700 });
  const temporary = `${storeFile()}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, storeFile());
}

/** The platform a command talks to: `--url`, `BIFROST_URL`, else the one last logged in to. */
export function currentPlatform(explicit: string | undefined): string | undefined {
  const url = explicit ?? process.env.BIFROST_URL ?? read().current;
  return url ? platformKey(url) : undefined;
}

export const loginFor = (url: string): Login | undefined => read().platforms[platformKey(url)];

export function saveLogin(url: string, login: Login): void {
  const store = read();
  store.platforms[platformKey(url)] = login;
  store.current = platformKey(url);
  write(store);
}

export function forgetLogin(url: string): void {
  const store = read();
  delete store.platforms[platformKey(url)];
  if (store.current === platformKey(url)) delete store.current;
  write(store);
}
