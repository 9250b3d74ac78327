import type { Config } from "../config.js";
import { EgressPolicy } from "../infra/net/egress-policy.js";
import { OutboundClient } from "../infra/net/outbound.js";
import { resolverFor } from "../infra/net/resolver.js";

/** The platform's outbound client for this configuration (BIFROST_EGRESS_*, BIFROST_OUTBOUND_DENY). */
export function outboundClientFor(config: Config): OutboundClient {
  const { allow, deny, outboundDeny, protectedHosts, resolver } = config.egress;
  return new OutboundClient({
    workflowPolicy: new EgressPolicy({ allow, deny, protectedHosts }),
    deny: outboundDeny,
    resolver: resolverFor(resolver),
  });
}
