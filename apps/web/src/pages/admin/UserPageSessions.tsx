import type { AdminUser, Session } from "@bifrost/contracts";
import { apiFetch } from "../../api/client.js";
import { useInvalidatingMutation } from "../../api/queries.js";
import { ActionError, Card } from "../../components/ui/index.js";
import { deviceName, sessionColumns } from "../account/session-display.js";
import { AdminTable, RowButton } from "./collection.js";
import { ADMIN_KEY } from "./queries.js";
import { userPath, useUserSessions } from "./user-queries.js";

/** The user's logins; ending one signs that browser or program out at its next request. */
export function UserPageSessions({
  user,
  onNotice,
}: {
  user: AdminUser;
  onNotice: (notice: string) => void;
}) {
  const sessions = useUserSessions(user.id);
  const end = useInvalidatingMutation(ADMIN_KEY, (session: Session) =>
    apiFetch<void>(`${userPath(user.id)}/sessions/${encodeURIComponent(session.id)}`, { method: "DELETE" }),
  );
  const signedIn = (s: Session) => new Date(s.createdAt).toLocaleString();
  return (
    <Card title="Sessions">
      <ActionError error={end.error} />
      <AdminTable
        query={sessions}
        what="the sessions"
        caption={`Sessions of ${user.email}`}
        empty="Not signed in anywhere."
        columns={[
          ...sessionColumns<Session>(),
          {
            header: "Actions",
            cell: (s) => (
              <RowButton
                write={end}
                row={s}
                variant="danger"
                onDone={() => onNotice(`The session on ${deviceName(s.userAgent)} has ended.`)}
                aria-label={`End session on ${deviceName(s.userAgent)} signed in ${signedIn(s)}`}
              >
                End session
              </RowButton>
            ),
          },
        ]}
      />
    </Card>
  );
}
