import type { Integration, OAuthProvider } from "@bifrost/contracts";
import { useState } from "react";
import { apiFetch } from "../../api/client.js";
import { Button, Card } from "../../components/ui/index.js";
import {
  AdminTable,
  DeleteButton,
  DeleteDialog,
  EditButton,
  RowDialog,
  useAdminCollection,
} from "./collection.js";
import { DATA_KEY, useIntegrations, useOAuthConnections } from "./data-queries.js";
import { OAuthConnectionForm, OAuthConnections } from "./integrations/OAuthConnections.js";
import { DefaultsForm, IntegrationForm, Mappings } from "./integrations/IntegrationParts.js";
import { TestResult } from "./integrations/TestResult.js";
import { integrationPath } from "./integrations/paths.js";
import "./admin.css";
import "./data.css";

function Integrations({ providers }: { providers: OAuthProvider[] }) {
  const integrations = useIntegrations();
  const collection = useAdminCollection(DATA_KEY, (integration: Integration) =>
    apiFetch<undefined>(integrationPath(integration.id), { method: "DELETE" }),
  );
  const [defaults, setDefaults] = useState<Integration | null>(null);
  const [mapping, setMapping] = useState<Integration | null>(null);
  return (
    <Card title="Integrations">
      <AdminTable
        query={integrations}
        what="the integrations"
        caption="Integrations"
        emptyHint={<p>Create one below; workflows read it with integrations.get(name).</p>}
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
                <EditButton collection={collection} row={i} name={i.name} />
                <DeleteButton collection={collection} row={i} name={i.name} />
              </div>
            ),
          },
        ]}
      />
      <RowDialog row={collection.editing} onClose={collection.stopEditing} title={(i) => `Edit ${i.name}`}>
        {(i) => (
          <IntegrationForm key={i.id} existing={i} providers={providers} onDone={collection.stopEditing} />
        )}
      </RowDialog>
      <RowDialog
        row={defaults}
        onClose={() => setDefaults(null)}
        title={(i) => `Defaults of ${i.name}`}
        description="The config every organization gets unless its mapping sets a value."
      >
        {(i) => <DefaultsForm key={i.id} integration={i} onDone={() => setDefaults(null)} />}
      </RowDialog>
      <RowDialog
        row={mapping}
        onClose={() => setMapping(null)}
        title={(i) => `Mappings of ${i.name}`}
        description="Which organizations use the integration, their id at the provider and their config."
      >
        {(i) => <Mappings integration={i} />}
      </RowDialog>
      <DeleteDialog
        collection={collection}
        title={(i) => `Delete ${i.name}?`}
        description="Workflows that use it will no longer find it."
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
