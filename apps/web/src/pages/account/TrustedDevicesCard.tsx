import type { TrustedDevice } from "@bifrost/contracts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "../../api/client.js";
import { ActionError, Badge, Button, Card, QueryView, Table } from "../../components/ui/index.js";
import { ACCOUNT_KEY, useTrustedDevices } from "./account-queries.js";
import { deviceName, When } from "./session-display.js";

/** The browsers that skip the two-factor prompt; forgetting one makes its next sign-in ask again. */
export function TrustedDevicesCard() {
  const queryClient = useQueryClient();
  const devices = useTrustedDevices();
  const forget = useMutation({
    mutationFn: (device: TrustedDevice) =>
      apiFetch<void>(`/auth/trusted-devices/${encodeURIComponent(device.id)}`, { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ACCOUNT_KEY }),
  });
  return (
    <Card title="Remembered browsers">
      <p className="account-muted">
        Browsers where you chose “Remember this browser” at the two-factor prompt skip it for 30 days.
      </p>
      <ActionError error={forget.error} />
      <QueryView
        query={devices}
        what="the remembered browsers"
        isEmpty={(data) => data.items.length === 0}
        empty="No remembered browsers."
      >
        {(data) => (
          <Table
            caption="Remembered browsers"
            rows={data.items}
            rowKey={(d) => d.id}
            rowAttributes={(d) => ({ "data-device-id": d.id })}
            columns={[
              {
                header: "Browser",
                cell: (d) => (
                  <>
                    <span title={d.userAgent ?? undefined}>{deviceName(d.userAgent)}</span>
                    {d.current && (
                      <>
                        {" "}
                        <Badge tone="info">This browser</Badge>
                      </>
                    )}
                  </>
                ),
              },
              { header: "IP address", cell: (d) => d.ip ?? "—" },
              { header: "Last used", cell: (d) => <When iso={d.lastUsedAt} /> },
              {
                header: "Remembered until",
                cell: (d) => <time dateTime={d.expiresAt}>{new Date(d.expiresAt).toLocaleDateString()}</time>,
              },
              {
                header: "Actions",
                cell: (d) => (
                  <Button
                    busy={forget.isPending && forget.variables.id === d.id}
                    onClick={() => forget.mutate(d)}
                    aria-label={`Forget ${deviceName(d.userAgent)}`}
                  >
                    Forget
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
