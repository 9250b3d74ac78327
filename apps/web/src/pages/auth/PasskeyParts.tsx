import { useMutation } from "@tanstack/react-query";
import { passkeysSupported, signInWithPasskey } from "../../api/passkeys.js";
import { formErrors } from "../../api/field-errors.js";
import { Button } from "../../components/ui/index.js";
import { useSignInFlow } from "./sign-in-flow.js";

/**
 * "Sign in with a passkey": the browser offers the passkeys it holds for this site (none is named),
 * and a verified one signs in at once — a passkey is both factors, so no code follows. Nothing is
 * shown where the browser cannot use passkeys (no WebAuthn outside https and localhost).
 */
export function PasskeySignInButton({ separated }: { separated: boolean }) {
  const { finish } = useSignInFlow();
  const signIn = useMutation({ mutationFn: signInWithPasskey, onSuccess: finish });
  if (!passkeysSupported()) return null;
  return (
    <div className="auth-sso">
      {separated && <p className="auth-sso__or">or</p>}
      <Button onClick={() => signIn.mutate()} busy={signIn.isPending}>
        Sign in with a passkey
      </Button>
      {signIn.isError && (
        <p className="form-error" role="alert">
          {formErrors(signIn.error).form}
        </p>
      )}
    </div>
  );
}

/** The switch between choosing a password and creating a passkey (setup, invitations). */
export function PasskeyToggle({ on, onChange }: { on: boolean; onChange: (on: boolean) => void }) {
  if (!passkeysSupported()) return null;
  return (
    <Button variant="ghost" onClick={() => onChange(!on)}>
      {on ? "Use a password instead" : "Use a passkey instead of a password"}
    </Button>
  );
}
