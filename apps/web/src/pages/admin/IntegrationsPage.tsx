import type { Integration, OAuthProvider } from "@bifrost/contracts";
import { useState } from "react";
import { apiFetch } from "../../api/client.js";
import { useInvalidatingMutation } from "../../api/queries.js";
import { Button, Card, ConfirmDialog, Dialog, QueryView, Table } from "../../components/ui/index.js";
import { DATA_KEY, useIntegrations, useOAuthConnections } from "./data-queries.js";
import { OAuthConnectionForm, OAuthConnections } from "./integrations/OAuthConnections.js";
import { DefaultsForm, IntegrationForm, Mappings, TestResult } from "./integrations/IntegrationParts.js";
import { integrationPath } from "./integrations/paths.js";
import "./admin.css";
import "./data.css";

function Integrations({ providers }: { providers: OAuthProvider[] }) {
  const integrations = useIntegrations();
  const [editing, setEditing] = useState<Integration | null>(null);
  const [defaults, setDefaults] = useState<Integration | null>(null);
  const [mapping, setMapping] = useState<Integration | null>(null);
  const [deleting, setDeleting] = useState<Integration | null>(null);
  const remove = useInvalidatingMutation(DATA_KEY, (id: string) =>
    apiFetch<undefined>(integrationPath(id), { method: "DELETE" }),
  );
  return (
    <Card title="Integrations">
      <QueryView
        query={integrations}
        what="the integrations"
        isEmpty={(data) => data.items.length === 0}
        emptyHint={<p>Create one below; workflows read it with integrations.get(name).</p>}
      >
        {({ items }) => (
          <Table
            caption="Integrations"
            rows={items}
            rowKey={(i) => i.id}
            columns={[
              {
                header: "Name",
                cell: (i) => (
                  <>
                    <strong>{i.name}</strong>
                    {i.description && (
                      <>
                        <br />
                        <span className="data-muted">{i.description}</span>
                      </>
                    )}
                  </>
                ),
              },
              { header: "OAuth connection", cell: (i) => i.oauthProvider ?? "—" },
              {
                header: "Config fields",
                cell: (i) => i.configSchema.map((f) => f.key).join(", ") || "—",
              },
              { header: "Check", cell: (i) => <TestResult integration={i} /> },
              {
                header: "Actions",
                cell: (i) => (
                  <div className="data-actions">
                    <Button onClick={() => setMapping(i)} aria-label={`Mappings of ${i.name}`}>
                      Mappings
                    </Button>
                    <Button onClick={() => setDefaults(i)} aria-label={`Edit defaults of ${i.name}`}>
                      Edit defaults
                    </Button>
                    <Button onClick={() => setEditing(i)} aria-label={`Edit ${i.name}`}>
                      Edit
                    </Button>
                    <Button
                      variant="danger"
                      onClick={() => {
                        remove.reset();
                        setDeleting(i);
                      }}
                      aria-label={`Delete ${i.name}`}
                    >
                      Delete
                    </Button>
                  </div>
                ),
              },
            ]}
          />
        )}
      </QueryView>
      <Dialog
        open={editing !== null}
        onOpenChange={(open) => !open && setEditing(null)}
        title={editing ? `Edit ${editing.name}` : "Edit integration"}
      >
        {editing && (
          <IntegrationForm
            key={editing.id}
            existing={editing}
            providers={providers}
            onDone={() => setEditing(null)}
          />
        )}
      </Dialog>
      <Dialog
        open={defaults !== null}
        onOpenChange={(open) => !open && setDefaults(null)}
        title={defaults ? `Defaults of ${defaults.name}` : "Defaults"}
        description="The config every organization gets unless its mapping sets a value."
      >
        {defaults && (
          <DefaultsForm key={defaults.id} integration={defaults} onDone={() => setDefaults(null)} />
        )}
      </Dialog>
      <Dialog
        open={mapping !== null}
        onOpenChange={(open) => !open && setMapping(null)}
        title={mapping ? `Mappings of ${mapping.name}` : "Mappings"}
        description="Which organizations use the integration, their id at the provider and their config."
      >
        {mapping && <Mappings integration={mapping} />}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        onCancel={() => setDeleting(null)}
        title={deleting ? `Delete ${deleting.name}?` : "Delete integration?"}
        description="Workflows that use it will no longer find it."
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      />
    </Card>
  );
}

export function IntegrationsPage() {
  const connections = useOAuthConnections();
  const providers = connections.data?.items ?? [];
  return (
    <section className="admin-page">
      <h1>Integrations</h1>
      <OAuthConnections />
      <div className="data-grid-2">
        <Card title="New OAuth connection">
          <OAuthConnectionForm />
        </Card>
        <Card title="New integration">
          <IntegrationForm providers={providers} />
        </Card>
      </div>
      <Integrations providers={providers} />
    </section>
  );
}
