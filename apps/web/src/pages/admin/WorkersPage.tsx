import { wsChannels } from "@bifrost/contracts";
import type {
  OrganizationQueue,
  PlatformWorker,
  PoolProcess,
  WorkerPoolState,
  WorkerSandbox,
  WsServerMessage,
} from "@bifrost/contracts";
import "./admin.css";
import "./ops.css";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { useRealtime } from "../../api/realtime.js";
import { Badge, Card, QueryView, Table, type BadgeTone } from "../../components/ui/index.js";
import { useOrganizationName } from "../../api/queries.js";
import { usePlatformWorkers, useRunQueue } from "./ops-queries.js";
import { ApiProcessCard, ServiceCredentialsState, serviceCredentialsOf } from "./ServiceCredentials.js";

/** The server lists a worker while its heartbeat (every 10 s) is younger than 30 s. */
const STALE_AFTER_MS = 30_000;
const WORKERS_KEY = ["ops", "workers"];

/** The pool part of a heartbeat, read leniently: a newer worker may report more. */
function poolOf(worker: PlatformWorker): WorkerPoolState {
  const state = worker.state as Partial<WorkerPoolState>;
  const processes = Array.isArray(state.processes) ? state.processes : [];
  return {
    processes,
    busy: typeof state.busy === "number" ? state.busy : processes.filter((p) => p.state === "busy").length,
    idle: typeof state.idle === "number" ? state.idle : processes.filter((p) => p.state === "idle").length,
    max: typeof state.max === "number" ? state.max : processes.length,
    memory: typeof state.memory === "number" ? state.memory : 0,
    ...(isSandbox(state.sandbox) ? { sandbox: state.sandbox } : {}),
    ...(Array.isArray(state.serviceCredentials)
      ? { serviceCredentials: serviceCredentialsOf(state.serviceCredentials) }
      : {}),
  };
}

function isSandbox(value: unknown): value is WorkerSandbox {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return kind === "namespaces" || kind === "permission-only";
}

/** How the worker's children are isolated; a worker without OS isolation is a warning, not a detail. */
function SandboxState({ sandbox }: { sandbox: WorkerSandbox | undefined }) {
  if (!sandbox) return <span className="ops-muted">not reported</span>;
  if (sandbox.kind === "namespaces")
    return (
      <>
        <Badge tone="success">isolated</Badge> own PID and mount namespaces, {sandbox.identity}, kernel limits
      </>
    );
  return (
    <span role="alert" data-testid="sandbox-warning">
      <Badge tone="danger">not isolated</Badge> Node&apos;s permission model only: {sandbox.reason}
    </span>
  );
}

const LIMIT_SOURCES: Record<OrganizationQueue["limitSource"], string> = {
  organization: "its own",
  platform: "platform default",
  none: "",
};

/**
 * The queue per organization: runs waiting in its line (over its limit or its share of the
 * dispatch window), queued for the workers, running; its limit and where the limit comes from.
 */
function RunQueueCard() {
  const queue = useRunQueue();
  return (
    <Card title="Queue per organization">
      <QueryView
        query={queue}
        what="the queue"
        isEmpty={(d) => d.items.length === 0}
        empty="No run is waiting or running."
      >
        {(data) => (
          <>
            <p className="ops-muted">
              Each organization has at most {data.dispatchWindow} runs queued or running at once (twice the
              live pool capacity, or its limit when lower); the rest wait in its own line, so one
              organization&apos;s backlog does not hold back another&apos;s runs.
            </p>
            <Table
              caption="Runs not ended per organization"
              columns={[
                { header: "Organization", cell: (l) => l.organizationName },
                { header: "Waiting", cell: (l) => l.waiting },
                { header: "Queued", cell: (l) => l.queued },
                { header: "Running", cell: (l) => l.running },
                {
                  header: "Limit",
                  cell: (l) =>
                    l.maxConcurrentRuns === null
                      ? "none"
                      : `${l.maxConcurrentRuns} (${LIMIT_SOURCES[l.limitSource]})`,
                },
              ]}
              rows={data.items}
              rowKey={(l) => l.organizationId}
              rowAttributes={(l) => ({ "data-organization": l.organizationId })}
            />
          </>
        )}
      </QueryView>
    </Card>
  );
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return "—";
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

const PROCESS_TONES: Record<string, BadgeTone> = {
  busy: "warning",
  idle: "success",
  starting: "info",
  stopping: "neutral",
};

/** A clock that ticks every `ms`, for "… ago" and the stale marker. */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

function WorkerCard({
  worker,
  now,
  orgName,
}: {
  worker: PlatformWorker;
  now: number;
  orgName: (id: string) => string;
}) {
  const pool = poolOf(worker);
  const age = now - new Date(worker.lastSeenAt).getTime();
  const stale = age > STALE_AFTER_MS;
  return (
    <Card
      className="ops-worker"
      data-worker-id={worker.id}
      title={
        <>
          {worker.hostname} <span className="ops-muted">pid {worker.pid}</span>
        </>
      }
      actions={
        stale ? (
          <Badge tone="danger">stale: no heartbeat for {ago(age).replace(" ago", "")}</Badge>
        ) : (
          <Badge tone="success">alive</Badge>
        )
      }
    >
      <dl className="ops-dl ops-dl--grid">
        <dt>Worker id</dt>
        <dd className="ops-mono">{worker.id}</dd>
        <dt>Role</dt>
        <dd>{typeof worker.state.role === "string" ? worker.state.role : "worker"}</dd>
        <dt>Started</dt>
        <dd>
          <time dateTime={worker.startedAt}>{new Date(worker.startedAt).toLocaleString()}</time>
        </dd>
        <dt>Last heartbeat</dt>
        <dd>
          <time dateTime={worker.lastSeenAt} data-testid="last-heartbeat">
            {ago(age)}
          </time>
        </dd>
        <dt>Pool</dt>
        <dd data-testid="pool-summary">
          {pool.busy} busy, {pool.idle} idle, {pool.processes.length} of at most {pool.max} processes
        </dd>
        <dt>Worker memory</dt>
        <dd>{formatBytes(pool.memory)}</dd>
        <dt>Sandbox</dt>
        <dd data-testid="sandbox">
          <SandboxState sandbox={pool.sandbox} />
        </dd>
        <dt>Services</dt>
        <dd data-testid="service-credentials">
          <ServiceCredentialsState warnings={pool.serviceCredentials} />
        </dd>
      </dl>
      {pool.processes.length === 0 ? (
        <p className="ops-muted">No pool processes right now.</p>
      ) : (
        <Table<PoolProcess>
          caption={`Pool processes of ${worker.hostname} (pid ${worker.pid})`}
          rows={pool.processes}
          rowKey={(p) => `${p.pid ?? "starting"}-${p.uptimeMs}`}
          columns={[
            { header: "PID", cell: (p) => p.pid ?? "—" },
            {
              header: "State",
              cell: (p) => <Badge tone={PROCESS_TONES[p.state] ?? "neutral"}>{p.state}</Badge>,
            },
            {
              header: "Running",
              cell: (p) =>
                p.executionId ? <Link to={`/executions/${p.executionId}`}>open execution</Link> : "—",
            },
            { header: "Runs served", cell: (p) => p.runs },
            { header: "Uptime", cell: (p) => duration(p.uptimeMs) },
            { header: "Memory", cell: (p) => formatBytes(p.rssBytes) },
            {
              header: "Organization",
              cell: (p) =>
                p.key ? (
                  <>
                    {orgName(p.key.organizationId)}{" "}
                    {p.key.privileged && <Badge tone="info">privileged</Badge>}
                  </>
                ) : (
                  <span className="ops-muted">warm, unbound</span>
                ),
            },
          ]}
        />
      )}
    </Card>
  );
}

export function WorkersPage() {
  const workers = usePlatformWorkers();
  const orgName = useOrganizationName();
  const queryClient = useQueryClient();
  const now = useNow(2_000);
  const [lastMessageAt, setLastMessageAt] = useState<number | null>(null);

  const onMessage = (message: WsServerMessage) => {
    if (message.type !== "worker_heartbeat") return;
    const worker = message.worker as PlatformWorker;
    if (typeof worker.id !== "string") return;
    setLastMessageAt(Date.now());
    queryClient.setQueryData<{ items: PlatformWorker[] }>(WORKERS_KEY, (data) => {
      const items = data?.items ?? [];
      const known = items.some((w) => w.id === worker.id);
      return {
        items: known ? items.map((w) => (w.id === worker.id ? worker : w)) : [worker, ...items],
      };
    });
  };
  const status = useRealtime([wsChannels.platformWorkers], onMessage);

  const items = workers.data?.items ?? [];
  const pools = items.map(poolOf);
  const totals = {
    busy: pools.reduce((n, p) => n + p.busy, 0),
    idle: pools.reduce((n, p) => n + p.idle, 0),
    processes: pools.reduce((n, p) => n + p.processes.length, 0),
    memory: pools.reduce((n, p) => n + p.memory + p.processes.reduce((m, c) => m + (c.rssBytes ?? 0), 0), 0),
  };

  return (
    <section className="admin-page ops-page">
      <div className="ops-title">
        <h1>Workers</h1>
        <p className="ops-live" data-status={status}>
          {/* Only the connection state is announced: the "last update" clock changes every 2 s. */}
          <span role="status">
            {status === "open" ? (
              <Badge tone="success">live</Badge>
            ) : status === "connecting" ? (
              <Badge tone="warning">reconnecting…</Badge>
            ) : (
              <Badge>offline</Badge>
            )}
          </span>{" "}
          <span className="ops-muted">
            {lastMessageAt ? `last update ${ago(now - lastMessageAt)}` : "waiting for the next heartbeat"}
          </span>
        </p>
      </div>
      <ApiProcessCard />
      <RunQueueCard />
      <QueryView
        query={workers}
        what="the workers"
        isEmpty={(d) => d.items.length === 0}
        empty="No worker has sent a heartbeat in the last 30 seconds."
      >
        {() => (
          <>
            <Card title="Totals">
              <dl className="ops-totals" data-testid="totals">
                <div>
                  <dt>Workers</dt>
                  <dd>{items.length}</dd>
                </div>
                <div>
                  <dt>Busy processes</dt>
                  <dd>{totals.busy}</dd>
                </div>
                <div>
                  <dt>Idle processes</dt>
                  <dd>{totals.idle}</dd>
                </div>
                <div>
                  <dt>All processes</dt>
                  <dd>{totals.processes}</dd>
                </div>
                <div>
                  <dt>Memory</dt>
                  <dd>{formatBytes(totals.memory)}</dd>
                </div>
              </dl>
            </Card>
            {items.map((w) => (
              <WorkerCard key={w.id} worker={w} now={now} orgName={orgName} />
            ))}
          </>
        )}
      </QueryView>
    </section>
  );
}
