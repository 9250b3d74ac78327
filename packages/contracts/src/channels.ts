/**
 * The WebSocket channels of API.md "Real time" — the same names as the bus channels the server
 * publishes on. One builder and one parser, for the server and the web client alike.
 */
export const wsChannels = {
  execution: (executionId: string): string => `execution:${executionId}`,
  historyOfUser: (userId: string): string => `history:user:${userId}`,
  historyGlobal: "history:GLOBAL",
  platformWorkers: "platform_workers",
} as const;

export type WsChannel =
  | { kind: "execution"; executionId: string }
  | { kind: "historyOfUser"; userId: string }
  | { kind: "historyGlobal" }
  | { kind: "platformWorkers" };

const ID = "([0-9a-fA-F-]{36})";
const EXECUTION = new RegExp(`^execution:${ID}$`);
const HISTORY_OF_USER = new RegExp(`^history:user:${ID}$`);

/** What a channel name names (ids lower-cased), or null for a name that is no channel. */
export function parseWsChannel(name: string): WsChannel | null {
  const execution = EXECUTION.exec(name)?.[1];
  if (execution) return { kind: "execution", executionId: execution.toLowerCase() };
  const user = HISTORY_OF_USER.exec(name)?.[1];
  if (user) return { kind: "historyOfUser", userId: user.toLowerCase() };
  if (name === wsChannels.historyGlobal) return { kind: "historyGlobal" };
  if (name === wsChannels.platformWorkers) return { kind: "platformWorkers" };
  return null;
}
