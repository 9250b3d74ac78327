import type { EventSource, EventSubscription, Workflow } from "@bifrost/contracts";
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { apiFetch } from "../../../api/client.js";
import { JsonView } from "../../../components/json-view/JsonView.js";
import {
  ActionError,
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorState,
  Field,
  LoadMore,
  QueryView,
  Select,
  Spinner,
  Table,
  Textarea,
  type BadgeTone,
} from "../../../components/ui/index.js";
import type { Page } from "../queries.js";
import { retryDelivery, useEvent, useOpsAction, useSourceEvents } from "../ops-queries.js";

const enc = encodeURIComponent;

const EVENT_TONES: Record<string, BadgeTone> = {
  received: "info",
  delivered: "success",
  partially_failed: "warning",
  failed: "danger",
  no_subscribers: "neutral",
  pending: "info",
};

export const StatusTag = ({ status }: { status: string }) => (
  <Badge tone={EVENT_TONES[status] ?? "neutral"}>{status.replace(/_/g, " ")}</Badge>
);

const stamp = (iso: string) => <time dateTime={iso}>{new Date(iso).toLocaleString()}</time>;

/** The workflows a source starts: its subscriptions, with an input mapping each. */
function Subscriptions({ source, workflows }: { source: EventSource; workflows: Workflow[] }) {
  const subs = useQuery({
    queryKey: ["ops", "subscriptions", source.id],
    queryFn: () => apiFetch<Page<EventSubscription>>(`/api/events/sources/${enc(source.id)}/subscriptions`),
  });
  const [workflowId, setWorkflowId] = useState("");
  const [mapping, setMapping] = useState('{ "event": "{{ body }}" }');
  const [mappingError, setMappingError] = useState<string | undefined>();
  const add = useOpsAction((body: { workflowId: string; inputMapping: Record<string, unknown> }) =>
    apiFetch<EventSubscription>(`/api/events/sources/${enc(source.id)}/subscriptions`, {
      method: "POST",
      body,
    }),
  );
  const remove = useOpsAction((id: string) =>
    apiFetch<undefined>(`/api/events/sources/${enc(source.id)}/subscriptions/${enc(id)}`, {
      method: "DELETE",
    }),
  );
  const name = (id: string) => workflows.find((w) => w.id === id)?.name ?? id;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    let inputMapping: Record<string, unknown> = {};
    try {
      const parsed: unknown = mapping.trim() ? JSON.parse(mapping) : {};
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
        throw new Error("must be an object");
      inputMapping = parsed as Record<string, unknown>;
    } catch (error) {
      setMappingError(`Input mapping: ${(error as Error).message}`);
      return;
    }
    setMappingError(undefined);
    add.mutate({ workflowId: workflowId || (workflows[0]?.id ?? ""), inputMapping });
  };
  return (
    <Card title="Workflows started by this source">
      <QueryView
        query={subs}
        what="the subscriptions"
        empty="No workflow is started by this source yet."
        isEmpty={(d) => d.items.length === 0}
      >
        {(d) => (
          <Table
            caption="Subscriptions"
            rows={d.items}
            rowKey={(s) => s.id}
            columns={[
              { header: "Workflow", cell: (s) => name(s.workflowId) },
              {
                header: "Input mapping",
                cell: (s) => <code className="ops-mono">{JSON.stringify(s.inputMapping)}</code>,
              },
              {
                header: "Status",
                cell: (s) => (s.enabled ? <Badge tone="success">enabled</Badge> : <Badge>disabled</Badge>),
              },
              {
                header: "Actions",
                cell: (s) => (
                  <Button
                    variant="danger"
                    busy={remove.isPending && remove.variables === s.id}
                    onClick={() => remove.mutate(s.id)}
                    aria-label={`Remove subscription of ${name(s.workflowId)}`}
                  >
                    Remove
                  </Button>
                ),
              },
            ]}
          />
        )}
      </QueryView>
      <ActionError error={remove.error} />
      <form className="ops-form ops-form--inline" onSubmit={submit} aria-label="Add a subscription">
        <Field label="Workflow to start">
          {(ids) => (
            <Select
              {...ids}
              value={workflowId || (workflows[0]?.id ?? "")}
              onChange={(e) => setWorkflowId(e.target.value)}
            >
              {workflows.length === 0 && <option value="">No workflows yet</option>}
              {workflows.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field
          label="Input mapping (JSON)"
          hint="{{ path }} templates over body, headers, query, sourceIp, receivedAt"
          error={mappingError}
        >
          {(ids) => (
            <Textarea
              code
              {...ids}
              rows={2}
              value={mapping}
              onChange={(e) => setMapping(e.target.value)}
              spellCheck={false}
            />
          )}
        </Field>
        <div className="ops-form__actions">
          <Button type="submit" busy={add.isPending} disabled={workflows.length === 0}>
            Add subscription
          </Button>
        </div>
        <ActionError error={add.error} />
      </form>
    </Card>
  );
}

/** One received event: what came in, and the deliveries (runs) it started. */
function EventDetail({ eventId, onClose }: { eventId: string; onClose: () => void }) {
  const event = useEvent(eventId);
  const retry = useOpsAction((id: string) => retryDelivery(id));
  return (
    <Card
      title="Event detail"
      aria-label="Event detail"
      actions={
        <Button variant="ghost" onClick={onClose}>
          Close event
        </Button>
      }
    >
      {event.isPending ? (
        <Spinner />
      ) : event.isError ? (
        <ErrorState
          title="Could not load the event"
          error={event.error}
          onRetry={() => void event.refetch()}
        />
      ) : (
        <div className="ops-event">
          <dl className="ops-dl">
            <dt>Received</dt>
            <dd>{stamp(event.data.createdAt)}</dd>
            <dt>Status</dt>
            <dd>
              <StatusTag status={event.data.status} />
            </dd>
            <dt>From</dt>
            <dd>{event.data.sourceIp ?? "—"}</dd>
          </dl>
          <h3>Body</h3>
          <JsonView value={event.data.body} label="Event body" />
          <h3>Headers</h3>
          <JsonView value={event.data.headers} label="Event headers" />
          {Object.keys(event.data.query).length > 0 && (
            <>
              <h3>Query</h3>
              <JsonView value={event.data.query} label="Event query" />
            </>
          )}
          <h3>Deliveries</h3>
          {event.data.deliveries.length === 0 ? (
            <EmptyState title="No deliveries: no workflow was subscribed." />
          ) : (
            <Table
              caption="Deliveries"
              rows={event.data.deliveries}
              rowKey={(d) => d.id}
              columns={[
                { header: "Status", cell: (d) => <StatusTag status={d.status} /> },
                { header: "Attempts", cell: (d) => d.attempts },
                {
                  header: "Execution",
                  cell: (d) =>
                    d.executionId ? <Link to={`/executions/${d.executionId}`}>open execution</Link> : "—",
                },
                { header: "Last error", cell: (d) => d.lastError ?? "—" },
                {
                  header: "Actions",
                  cell: (d) =>
                    d.status === "failed" ? (
                      <Button
                        busy={retry.isPending && retry.variables === d.id}
                        onClick={() => retry.mutate(d.id)}
                      >
                        Retry
                      </Button>
                    ) : null,
                },
              ]}
            />
          )}
          <ActionError error={retry.error} />
        </div>
      )}
    </Card>
  );
}

/**
 * The events a source received, newest first (cursor paging), refreshed every 5 s while shown, and
 * the detail of one of them.
 */
export function EventsPanel({
  source,
  workflows,
  eventId,
  onOpenEvent,
}: {
  source: EventSource;
  workflows: Workflow[];
  eventId: string | null;
  onOpenEvent: (id: string | null) => void;
}) {
  const events = useSourceEvents(source.id);
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="ops-panel">
      <Subscriptions source={source} workflows={workflows} />
      <Card
        title={`Events received by ${source.name}`}
        actions={
          <Button
            variant="ghost"
            busy={events.isFetching && !events.isPending}
            onClick={() => void events.refetch()}
          >
            Refresh events
          </Button>
        }
      >
        <p className="ops-muted">Refreshed every 5 seconds.</p>
        {events.isPending ? (
          <Spinner />
        ) : events.isError ? (
          <ErrorState
            title="Could not load the events"
            error={events.error}
            onRetry={() => void events.refetch()}
          />
        ) : items.length === 0 ? (
          <EmptyState title="No events received yet.">
            <p>
              POST to <code className="ops-mono">{`${window.location.origin}${source.hookPath}`}</code>
            </p>
          </EmptyState>
        ) : (
          <>
            <Table
              caption={`Events received by ${source.name}`}
              rows={items}
              rowKey={(e) => e.id}
              columns={[
                { header: "Received", cell: (e) => stamp(e.createdAt) },
                { header: "Status", cell: (e) => <StatusTag status={e.status} /> },
                { header: "From", cell: (e) => e.sourceIp ?? "—" },
                {
                  header: "Actions",
                  cell: (e) => (
                    <Button
                      variant={e.id === eventId ? "primary" : "secondary"}
                      onClick={() => onOpenEvent(e.id)}
                      aria-label={`View event received ${new Date(e.createdAt).toLocaleString()}`}
                      aria-pressed={e.id === eventId}
                    >
                      View
                    </Button>
                  ),
                },
              ]}
            />
            <LoadMore query={events} />
          </>
        )}
      </Card>
      {eventId && <EventDetail eventId={eventId} onClose={() => onOpenEvent(null)} />}
    </div>
  );
}
