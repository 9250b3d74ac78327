import { describe, expect, it } from "vitest";
import { parseWsChannel, wsChannels } from "../src/channels.js";

const ID = "0F8E5C1A-1B2C-4D3E-8F90-A1B2C3D4E5F6";

describe("WebSocket channel names", () => {
  it("the parser reads back what the builder makes, ids lower-cased", () => {
    expect(parseWsChannel(wsChannels.execution(ID))).toEqual({
      kind: "execution",
      executionId: ID.toLowerCase(),
    });
    expect(parseWsChannel(wsChannels.historyOfUser(ID))).toEqual({
      kind: "historyOfUser",
      userId: ID.toLowerCase(),
    });
    expect(parseWsChannel(wsChannels.historyGlobal)).toEqual({ kind: "historyGlobal" });
    expect(parseWsChannel(wsChannels.platformWorkers)).toEqual({ kind: "platformWorkers" });
  });

  it.each([
    "",
    "execution:",
    "execution:not-an-id",
    `execution:${ID}x`,
    `xexecution:${ID}`,
    "history:user:",
    "HISTORY:GLOBAL",
    "worker-cancel:w1",
  ])("%j is no channel", (name) => expect(parseWsChannel(name)).toBeNull());
});
