import { Link, useParams } from "react-router";
import { ActionError, Spinner } from "../../components/ui/index.js";
import { useAuth } from "../../shell/auth.js";
import { NotFoundPage } from "../../shell/NotFoundPage.js";
import { PageLoadError } from "../../shell/PageLoadError.js";
import { useUserAccountWrites } from "./user-actions.js";
import { isUserId, useUser } from "./user-queries.js";
import { UserPageAccess } from "./UserPageAccess.js";
import { UserPageProfile } from "./UserPageProfile.js";
import { UserPageRoles } from "./UserPageRoles.js";
import { UserPageSessions } from "./UserPageSessions.js";
import { UsersLinkOnce } from "./UsersLinkOnce.js";
import { UserStatusBadges } from "./UsersRow.js";
import "./admin.css";
import "./data.css";

/**
 * One user (`/admin/users/{id}`): their name and organization, roles, sign-in (MFA, password,
 * invitation, reset link), logins, and whether they are active. An unknown id is "Not found".
 */
export function UserPage() {
  const { userId = "" } = useParams();
  const user = useUser(userId);
  const me = useAuth().user;
  const writes = useUserAccountWrites();

  if (!isUserId(userId)) return <NotFoundPage />;
  if (user.isPending) return <Spinner label="Loading the user…" />;
  if (user.isError)
    return (
      <PageLoadError
        className="admin-page"
        heading="User"
        what="the user"
        error={user.error}
        onRetry={() => void user.refetch()}
      />
    );
  const u = user.data;
  return (
    <section className="admin-page">
      <nav aria-label="Breadcrumb">
        <Link to="/admin/users">← All users</Link>
      </nav>
      <h1>{u.name}</h1>
      <p>
        <span className="data-muted">{u.email}</span> <UserStatusBadges user={u} />
      </p>
      {writes.notice && <p role="status">{writes.notice}</p>}
      <UsersLinkOnce shown={writes.link} onClose={writes.closeLink} />
      <ActionError error={writes.error} />
      <div className="data-grid-2">
        <UserPageProfile key={u.id} user={u} onNotice={writes.setNotice} />
        <UserPageRoles user={u} onNotice={writes.setNotice} />
        <UserPageAccess user={u} writes={writes} self={u.id === me?.id} />
      </div>
      <UserPageSessions user={u} onNotice={writes.setNotice} />
    </section>
  );
}
