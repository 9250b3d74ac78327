import "./account.css";
import { useAuth } from "../../shell/auth.js";
import { IdentitiesCard } from "./IdentitiesCard.js";
import { MfaCard } from "./MfaCard.js";
import { PasskeysCard } from "./PasskeysCard.js";
import { PasswordCard } from "./PasswordCard.js";
import { ProfileCard } from "./ProfileCard.js";
import { SessionsCard } from "./SessionsCard.js";
import { TrustedDevicesCard } from "./TrustedDevicesCard.js";

/** The signed-in user's own account, for every user: name, password, second factor, logins. */
export function AccountPage() {
  const { user } = useAuth();
  // Under RequireAuth the user is known; keyed so another user's sign-in starts a fresh form.
  if (!user) return null;
  return (
    <section className="account-page">
      <h1>Account</h1>
      <ProfileCard key={user.id} user={user} />
      <PasswordCard />
      <MfaCard />
      <PasskeysCard />
      <SessionsCard />
      <TrustedDevicesCard />
      <IdentitiesCard />
    </section>
  );
}
