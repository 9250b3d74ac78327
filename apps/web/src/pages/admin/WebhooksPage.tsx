import type { EventSource } from "@bifrost/contracts";
import "./admin.css";
import "./ops.css";
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { apiFetch } from "../../api/client.js";
import { useAllWorkflows, useInvalidatingMutation, useOrganizationName } from "../../api/queries.js";
import { OrganizationSelect } from "../../components/OrganizationSelect.js";
import { ActionError, Badge, Button, Card, Field, Input } from "../../components/ui/index.js";
import { useOrgScope } from "../../shell/org-scope.js";
import { AdminTable, DeleteButton, DeleteDialog, RowButton, useAdminCollection } from "./collection.js";
import { EventsPanel } from "./ops/EventsPanel.js";
import { createEventSource, deleteEventSource, OPS_KEY, useEventSources } from "./ops-queries.js";

const receiveUrl = (source: EventSource) => `${window.location.origin}${source.hookPath}`;

/** 32 random bytes as hex: a signing secret to paste into the sending system. */
function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function NewSourceForm({ defaultOrganizationId }: { defaultOrganizationId: string | null }) {
  const [name, setName] = useState("");
  const [organizationId, setOrganizationId] = useState(defaultOrganizationId ?? "");
  const [signatureHeader, setSignatureHeader] = useState("");
  const [secret, setSecret] = useState("");
  const [created, setCreated] = useState<{ source: EventSource; secret: string | null } | null>(null);
  const create = useInvalidatingMutation(OPS_KEY, createEventSource);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const signed = signatureHeader.trim() !== "" && secret !== "";
    create.mutate(
      {
        name: name.trim(),
        ...(organizationId ? { organizationId } : {}),
        ...(signed ? { signatureHeader: signatureHeader.trim(), secret } : {}),
      },
      {
        onSuccess: (source) => {
          setCreated({ source, secret: signed ? secret : null });
          setName("");
          setSignatureHeader("");
          setSecret("");
        },
      },
    );
  };
  return (
    <Card title="New webhook source">
      <form onSubmit={submit} className="ops-form" aria-label="New webhook source">
        <Field label="Source name">
          {(ids) => (
            <Input {...ids} value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
          )}
        </Field>
        <OrganizationSelect
          value={organizationId}
          onChange={setOrganizationId}
          hint="The organization its runs belong to; default the provider organization."
          globalLabel="Provider organization (default)"
        />
        <Field
          label="Signature header"
          hint="Optional, e.g. x-signature: HMAC-SHA256 of the raw body (hex or sha256=<hex>)."
        >
          {(ids) => (
            <Input
              {...ids}
              value={signatureHeader}
              onChange={(e) => setSignatureHeader(e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        <Field
          label="Signing secret"
          hint="Needed with a signature header. Stored sealed; it is never shown again."
        >
          {(ids) => (
            <div className="ops-inline">
              <Input
                {...ids}
                type="password"
                value={secret}
                onChange={(e) => setSecret(e.target.value)}
                autoComplete="new-password"
              />
              <Button onClick={() => setSecret(randomSecret())}>Generate</Button>
            </div>
          )}
        </Field>
        <div className="ops-form__actions">
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create source
          </Button>
        </div>
        <ActionError error={create.error} />
      </form>
      {created && (
        <div className="ops-created" role="status">
          <p>
            Created <strong>{created.source.name}</strong>. Send events to{" "}
            <code className="ops-mono" data-testid="receive-url">
              {receiveUrl(created.source)}
            </code>
          </p>
          {created.secret && (
            <p>
              Signing secret (copy it now, it is not shown again):{" "}
              <code className="ops-mono ops-secret">{created.secret}</code>
            </p>
          )}
          <Button variant="ghost" onClick={() => setCreated(null)}>
            Dismiss
          </Button>
        </div>
      )}
    </Card>
  );
}

export function WebhooksPage() {
  const { scope } = useOrgScope();
  const sources = useEventSources();
  const workflows = useAllWorkflows();
  const organizationName = useOrganizationName();
  const [params, setParams] = useSearchParams();
  const toggle = useInvalidatingMutation(OPS_KEY, (s: EventSource) =>
    apiFetch<EventSource>(`/api/events/sources/${encodeURIComponent(s.id)}`, {
      method: "PATCH",
      body: { enabled: !s.enabled },
    }),
  );
  const collection = useAdminCollection(OPS_KEY, (s: EventSource) => deleteEventSource(s.id));

  const selectedId = params.get("source");
  const eventId = params.get("event");
  const select = (sourceId: string | null, event: string | null = null) => {
    const next = new URLSearchParams();
    if (sourceId) next.set("source", sourceId);
    if (sourceId && event) next.set("event", event);
    setParams(next);
  };
  const orgName = (id: string | null) => (id ? organizationName(id) : "Provider (default)");
  const selected = sources.data?.find((s) => s.id === selectedId) ?? null;
  const runnable = (workflows.data ?? []).filter((w) => w.type !== "data_provider");

  return (
    <section className="admin-page ops-page">
      <h1>Webhooks</h1>
      <p className="ops-muted">
        Webhook sources receive events at a public URL and start the workflows subscribed to them. A
        workflow&apos;s own HTTP endpoint (<code className="ops-mono">/api/endpoints/&#123;name&#125;</code>)
        is set in the workflow&apos;s settings.
      </p>
      <NewSourceForm key={scope ?? "all"} defaultOrganizationId={scope} />
      <ActionError error={toggle.error} />
      <Card title="Webhook sources">
        <AdminTable
          query={sources}
          what="the webhook sources"
          caption="Webhook sources"
          only={(s) => !scope || s.organizationId === scope}
          emptyHint={scope ? "None in this organization. Create one above." : "Create one above."}
          columns={[
            { header: "Name", cell: (s) => s.name },
            {
              header: "Receive URL",
              cell: (s) => <code className="ops-mono ops-url">{receiveUrl(s)}</code>,
            },
            { header: "Organization", cell: (s) => orgName(s.organizationId) },
            {
              header: "Security",
              cell: (s) =>
                s.signatureHeader && s.hasSecret ? (
                  <Badge tone="success">signed ({s.signatureHeader})</Badge>
                ) : (
                  <Badge tone="warning">unsigned</Badge>
                ),
            },
            {
              header: "Status",
              cell: (s) => (s.enabled ? <Badge tone="success">enabled</Badge> : <Badge>disabled</Badge>),
            },
            {
              header: "Actions",
              cell: (s) => (
                <div className="ops-actions">
                  <Button
                    variant={s.id === selectedId ? "primary" : "secondary"}
                    aria-pressed={s.id === selectedId}
                    onClick={() => select(s.id === selectedId ? null : s.id)}
                    aria-label={`Events of ${s.name}`}
                  >
                    Events
                  </Button>
                  <RowButton
                    write={toggle}
                    row={s}
                    aria-label={`${s.enabled ? "Disable" : "Enable"} ${s.name}`}
                  >
                    {s.enabled ? "Disable" : "Enable"}
                  </RowButton>
                  <DeleteButton collection={collection} row={s} name={s.name} />
                </div>
              ),
            },
          ]}
        />
      </Card>
      {selected && (
        <EventsPanel
          key={selected.id}
          source={selected}
          workflows={runnable}
          eventId={eventId}
          onOpenEvent={(id) => select(selected.id, id)}
        />
      )}
      <DeleteDialog
        collection={collection}
        title="Delete webhook source"
        description={(s) => `${s.name} stops receiving events; its URL answers 404 from now on.`}
        onDeleted={(s) => {
          if (s.id === selectedId) select(null);
        }}
      />
    </section>
  );
}
