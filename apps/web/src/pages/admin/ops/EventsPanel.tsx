import type { EventSource, EventSubscription, Workflow } from "@bifrost/contracts";
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { apiFetch } from "../../../api/client.js";
import { useInvalidatingMutation, type Page } from "../../../api/queries.js";
import { JsonView } from "../../../components/json-view/JsonView.js";
import {
  ActionError,
  Badge,
  Button,
  Card,
  EmptyState,
  Field,
  JsonField,
  QueryView,
  Select,
  Table,
  type BadgeTone,
} from "../../../components/ui/index.js";
import { parseJsonObject } from "../../../lib/json.js";
import { AdminTable, RowButton } from "../collection.js";
import { OPS_KEY, retryDelivery, useEvent, useSourceEvents } from "../ops-queries.js";

const enc = encodeURIComponent;

const EVENT_TONES: Record<string, BadgeTone> = {
  received: "info",
  delivered: "success",
  partially_failed: "warning",
  failed: "danger",
  no_subscribers: "neutral",
  pending: "info",
};

const StatusTag = ({ status }: { status: string }) => (
  <Badge tone={EVENT_TONES[status] ?? "neutral"}>{status.replace(/_/g, " ")}</Badge>
);

const stamp = (iso: string) => <time dateTime={iso}>{new Date(iso).toLocaleString()}</time>;

function useSubscriptions(sourceId: string) {
  return useQuery({
    queryKey: ["ops", "subscriptions", sourceId],
    queryFn: () => apiFetch<Page<EventSubscription>>(`/api/events/sources/${enc(sourceId)}/subscriptions`),
  });
}

/** The workflows a source starts: its subscriptions, with an input mapping each. */
function Subscriptions({ source, workflows }: { source: EventSource; workflows: Workflow[] }) {
  const subs = useSubscriptions(source.id);
  const [workflowId, setWorkflowId] = useState("");
  const [mapping, setMapping] = useState('{ "event": "{{ body }}" }');
  const [mappingError, setMappingError] = useState<string | undefined>();
  const add = useInvalidatingMutation(
    OPS_KEY,
    (body: { workflowId: string; inputMapping: Record<string, unknown> }) =>
      apiFetch<EventSubscription>(`/api/events/sources/${enc(source.id)}/subscriptions`, {
        method: "POST",
        body,
      }),
  );
  const remove = useInvalidatingMutation(OPS_KEY, (subscription: EventSubscription) =>
    apiFetch<undefined>(`/api/events/sources/${enc(source.id)}/subscriptions/${enc(subscription.id)}`, {
      method: "DELETE",
    }),
  );
  const name = (id: string) => workflows.find((w) => w.id === id)?.name ?? id;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseJsonObject(mapping, true);
    if (!parsed.ok) {
      setMappingError(`Input mapping: ${parsed.message}`);
      return;
    }
    setMappingError(undefined);
    add.mutate({ workflowId: workflowId || (workflows[0]?.id ?? ""), inputMapping: parsed.value });
  };
  return (
    <Card title="Workflows started by this source">
      <AdminTable
        query={subs}
        what="the subscriptions"
        caption="Subscriptions"
        empty="No workflow is started by this source yet."
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
              <RowButton
                write={remove}
                row={s}
                variant="danger"
                aria-label={`Remove subscription of ${name(s.workflowId)}`}
              >
                Remove
              </RowButton>
            ),
          },
        ]}
      />
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
        <JsonField
          label="Input mapping (JSON)"
          hint="{{ path }} templates over body, headers, query, sourceIp, receivedAt"
          error={mappingError}
          rows={2}
          value={mapping}
          onChange={setMapping}
        />
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
function EventDetail({
  source,
  workflows,
  eventId,
  onClose,
}: {
  source: EventSource;
  workflows: Workflow[];
  eventId: string;
  onClose: () => void;
}) {
  const event = useEvent(eventId);
  const subs = useSubscriptions(source.id);
  /** Which workflow a delivery started, for the Retry button's name. */
  const deliveredTo = (subscriptionId: string) => {
    const workflowId = subs.data?.items.find((s) => s.id === subscriptionId)?.workflowId;
    return workflows.find((w) => w.id === workflowId)?.name ?? workflowId ?? "a removed subscription";
  };
  const retry = useInvalidatingMutation(OPS_KEY, (delivery: { id: string }) => retryDelivery(delivery.id));
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
      <QueryView query={event} what="the event">
        {(data) => (
          <div className="ops-event">
            <dl className="ops-dl">
              <dt>Received</dt>
              <dd>{stamp(data.createdAt)}</dd>
              <dt>Status</dt>
              <dd>
                <StatusTag status={data.status} />
              </dd>
              <dt>From</dt>
              <dd>{data.sourceIp ?? "—"}</dd>
            </dl>
            <h3>Body</h3>
            <JsonView value={data.body} label="Event body" />
            <h3>Headers</h3>
            <JsonView value={data.headers} label="Event headers" />
            {Object.keys(data.query).length > 0 && (
              <>
                <h3>Query</h3>
                <JsonView value={data.query} label="Event query" />
              </>
            )}
            <h3>Deliveries</h3>
            {data.deliveries.length === 0 ? (
              <EmptyState title="No deliveries: no workflow was subscribed." />
            ) : (
              <Table
                caption="Deliveries"
                rows={data.deliveries}
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
                        <RowButton
                          write={retry}
                          row={d}
                          aria-label={`Retry delivery to ${deliveredTo(d.subscriptionId)}`}
                        >
                          Retry
                        </RowButton>
                      ) : null,
                  },
                ]}
              />
            )}
            <ActionError error={retry.error} />
          </div>
        )}
      </QueryView>
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
        <AdminTable
          query={events}
          what="the events"
          caption={`Events received by ${source.name}`}
          empty="No events received yet."
          emptyHint={
            <p>
              POST to <code className="ops-mono">{`${window.location.origin}${source.hookPath}`}</code>
            </p>
          }
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
      </Card>
      {eventId && (
        <EventDetail
          source={source}
          workflows={workflows}
          eventId={eventId}
          onClose={() => onOpenEvent(null)}
        />
      )}
    </div>
  );
}
