import type { ServiceCredentialWarning } from "@bifrost/contracts";
import { Badge, Card, QueryView } from "../../components/ui/index.js";
import { useApiProcess } from "./ops-queries.js";

const SERVICE_NAMES: Record<string, string> = {
  postgresql: "PostgreSQL",
  redis: "Redis",
  rabbitmq: "RabbitMQ",
};

/** The warnings of a worker's heartbeat, read leniently: a newer worker may report more. */
export function serviceCredentialsOf(value: unknown): ServiceCredentialWarning[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter(
    (w): w is ServiceCredentialWarning =>
      typeof (w as Partial<ServiceCredentialWarning> | null)?.service === "string" &&
      typeof (w as Partial<ServiceCredentialWarning>).reason === "string",
  );
}

/**
 * The backing services that let a process in without a password when it started (its log has the
 * same lines): a warning, not a detail, since workflow code runs next to them.
 */
export function ServiceCredentialsState({ warnings }: { warnings: ServiceCredentialWarning[] | undefined }) {
  if (!warnings) return <span className="ops-muted">not reported</span>;
  if (warnings.length === 0) return <span className="ops-muted">no warning</span>;
  return (
    <div role="alert" data-testid="service-credentials-warning">
      <Badge tone="danger">no password</Badge>
      <ul className="ops-warnings">
        {warnings.map((w) => (
          <li key={`${w.service}-${w.address}`}>
            {SERVICE_NAMES[w.service] ?? w.service} at <span className="ops-mono">{w.address}</span>{" "}
            {w.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** API processes send no heartbeat: the one that answers the page describes itself. */
export function ApiProcessCard() {
  const apiProcess = useApiProcess();
  return (
    <Card title="API process" data-testid="api-process">
      <QueryView query={apiProcess} what="the API process">
        {(p) => (
          <dl className="ops-dl ops-dl--grid">
            <dt>Host</dt>
            <dd>
              {p.hostname} <span className="ops-muted">pid {p.pid}</span>
            </dd>
            <dt>Role</dt>
            <dd>{p.role}</dd>
            <dt>Services</dt>
            <dd data-testid="service-credentials">
              <ServiceCredentialsState warnings={p.serviceCredentials} />
            </dd>
          </dl>
        )}
      </QueryView>
    </Card>
  );
}
