import type { Session } from "@bifrost/contracts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { apiFetch, forgetSession } from "../../api/client.js";
import {
  ActionError,
  Badge,
  Button,
  Card,
  ConfirmDialog,
  QueryView,
  Table,
} from "../../components/ui/index.js";
import { ME_KEY } from "../../shell/auth.js";
import { ACCOUNT_KEY, useSessions } from "./account-queries.js";
import { deviceName, sessionColumns } from "./session-display.js";

/** The caller's logins: end one of the others, or all of them (this one too). */
export function SessionsCard() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const sessions = useSessions();
  const [confirming, setConfirming] = useState(false);
  const revoke = useMutation({
    mutationFn: (session: Session) =>
      apiFetch<void>(`/auth/sessions/${encodeURIComponent(session.id)}`, { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ACCOUNT_KEY }),
  });
  const revokeAll = useMutation({
    mutationFn: () => apiFetch<void>("/auth/revoke-all", { method: "POST" }),
    // This login has ended too (the server cleared its cookies): signed out, as the menu's "Sign out".
    onSuccess: () => {
      forgetSession();
      queryClient.setQueryData(ME_KEY, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== ME_KEY[0] });
      void navigate("/login", { replace: true });
    },
  });
  return (
    <Card
      title="Sessions"
      actions={
        <Button variant="danger" onClick={() => setConfirming(true)}>
          Sign out everywhere
        </Button>
      }
    >
      <p className="account-muted">The browsers and programs signed in as you.</p>
      <ActionError error={revoke.error} />
      <QueryView query={sessions} what="the sessions" isEmpty={(data) => data.items.length === 0}>
        {(data) => (
          <Table
            caption="Sessions"
            rows={data.items}
            rowKey={(s) => s.id}
            rowAttributes={(s) => ({ "data-session-id": s.id })}
            columns={[
              ...sessionColumns<Session>(),
              {
                header: "Actions",
                cell: (s) =>
                  s.current ? (
                    <Badge tone="info">This browser</Badge>
                  ) : (
                    <Button
                      busy={revoke.isPending && revoke.variables.id === s.id}
                      onClick={() => revoke.mutate(s)}
                      aria-label={`Sign out session on ${deviceName(s.userAgent)}`}
                    >
                      Sign out
                    </Button>
                  ),
              },
            ]}
          />
        )}
      </QueryView>
      <ConfirmDialog
        open={confirming}
        title="Sign out everywhere?"
        description="Every session ends, this one included: you will sign in again here."
        confirmLabel="Sign out everywhere"
        busy={revokeAll.isPending}
        error={revokeAll.error}
        onConfirm={() => revokeAll.mutate()}
        onCancel={() => {
          setConfirming(false);
          revokeAll.reset();
        }}
      />
    </Card>
  );
}
