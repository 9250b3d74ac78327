import type { Logger } from "../../infra/logger.js";
import type { AccessTokens } from "../oauth/access-tokens.js";
import type { ScheduledJob } from "../scheduler/job.js";

/** Issue 7: every 15 minutes, tokens expiring within 20 minutes are refreshed ahead of the runs. */
const OAUTH_REFRESH_INTERVAL_MS = 15 * 60_000;
const OAUTH_REFRESH_MARGIN_MS = 20 * 60_000;

export function oauthRefreshJob(deps: { tokens: AccessTokens; logger: Logger }): ScheduledJob {
  return {
    name: "oauth-token-refresh",
    intervalMs: OAUTH_REFRESH_INTERVAL_MS,
    async run() {
      const { refreshed, failed } = await deps.tokens.refreshExpiring(OAUTH_REFRESH_MARGIN_MS);
      if (refreshed + failed > 0) deps.logger.info({ refreshed, failed }, "refreshed expiring OAuth tokens");
    },
  };
}
