import type { LinkedIdentity } from "@bifrost/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "../../api/client.js";
import { ActionError, Button, Card, QueryView, Table } from "../../components/ui/index.js";
import { ACCOUNT_KEY } from "./account-queries.js";
import { When } from "./session-display.js";

const KEY = [...ACCOUNT_KEY, "identities"];

/** The single sign-on accounts linked to this one; unlinking leaves the next SSO sign-in to the rules. */
export function IdentitiesCard() {
  const queryClient = useQueryClient();
  const identities = useQuery({
    queryKey: KEY,
    queryFn: ({ signal }) => apiFetch<{ items: LinkedIdentity[] }>("/auth/identities", { signal }),
  });
  const unlink = useMutation({
    mutationFn: (identity: LinkedIdentity) =>
      apiFetch<undefined>(`/auth/identities/${encodeURIComponent(identity.id)}`, { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: KEY }),
  });
  return (
    <Card title="Single sign-on">
      <ActionError error={unlink.error} />
      <QueryView
        query={identities}
        what="the linked sign-ins"
        isEmpty={(data) => data.items.length === 0}
        empty="No company account is linked to this one."
      >
        {(data) => (
          <Table
            caption="Linked sign-ins"
            rows={data.items}
            rowKey={(i) => i.id}
            columns={[
              { header: "Provider", cell: (i) => i.providerDisplayName },
              { header: "Account", cell: (i) => i.email ?? "—" },
              { header: "Last used", cell: (i) => <When iso={i.lastUsedAt} /> },
              {
                header: "Actions",
                cell: (i) => (
                  <Button
                    busy={unlink.isPending && unlink.variables.id === i.id}
                    onClick={() => unlink.mutate(i)}
                    aria-label={`Unlink ${i.providerDisplayName}`}
                  >
                    Unlink
                  </Button>
                ),
              },
            ]}
          />
        )}
      </QueryView>
    </Card>
  );
}
