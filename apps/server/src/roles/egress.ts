import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import type { Config } from "../config.js";
import { EgressPolicy, parseEgressRules } from "../infra/net/egress-policy.js";
import type { Logger } from "../infra/logger.js";
import { resolverFor, systemResolver } from "../infra/net/resolver.js";
import { EgressProxy } from "../services/execution/pool/egress-proxy.js";
import { sandboxTempDir, shareWithSandbox, type Isolation } from "../services/execution/pool/isolation.js";

/**
 * The egress proxy of a process that runs workflows (sandbox v2 part 2): its socket in a directory
 * of its own that the children's group can search, the workflows' policy from the configuration, and
 * the API the SDK calls (`apiUrl`) allowed for every run whatever else is refused.
 */
export async function startEgressProxy(
  config: Config,
  logger: Logger,
  isolation: Isolation,
  apiUrl: string,
): Promise<{ proxy: EgressProxy; close(): Promise<void> }> {
  const dir = await mkdtemp(path.join(sandboxTempDir(isolation), "bifrost-egress-"));
  shareWithSandbox(dir, isolation);
  const api = new URL(apiUrl);
  const apiPort = api.port || (api.protocol === "https:" ? "443" : "80");
  const { allow, deny, protectedHosts, resolver } = config.egress;
  const workflowResolver = resolverFor(resolver);
  const bareApiHost = api.hostname.replace(/^\[|\]$/g, "");
  const proxy = await EgressProxy.start({
    socketPath: path.join(dir, "egress.sock"),
    policy: new EgressPolicy({
      allow,
      deny,
      protectedHosts,
      exempt: parseEgressRules(
        `${api.hostname}:${apiPort}`, // an IPv6 hostname keeps its brackets
        "the API",
      ),
    }),
    // The API's own name is the platform's to resolve, not the workflows' DNS server's.
    resolver: (host) => (host === bareApiHost ? systemResolver(host) : workflowResolver(host)),
    logger,
  });
  return {
    proxy,
    async close() {
      await proxy.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
