/** An integration's Test button: whether it is usable in the chosen scope, and what it lacks. */
import type { Integration } from "@bifrost/contracts";
import { apiFetch } from "../../../api/client.js";
import { useInvalidatingMutation } from "../../../api/queries.js";
import { ActionError, Badge, Button } from "../../../components/ui/index.js";
import { useOrgScope } from "../../../shell/org-scope.js";
import { DATA_KEY } from "../data-queries.js";
import { integrationPath } from "./paths.js";

export function TestResult({ integration }: { integration: Integration }) {
  const { scope } = useOrgScope();
  const test = useInvalidatingMutation(DATA_KEY, () =>
    apiFetch<{ ok: boolean; problems: string[] }>(`${integrationPath(integration.id)}/test`, {
      method: "POST",
      body: { organizationId: scope },
    }),
  );
  return (
    <div>
      <Button
        onClick={() => test.mutate(undefined)}
        busy={test.isPending}
        aria-label={`Test ${integration.name}`}
      >
        Test
      </Button>
      {test.data && (
        <p role="status">
          {test.data.ok ? (
            <Badge tone="success">ready</Badge>
          ) : (
            <>
              <Badge tone="danger">not ready</Badge> {test.data.problems.join("; ")}
            </>
          )}
        </p>
      )}
      <ActionError error={test.error} />
    </div>
  );
}
