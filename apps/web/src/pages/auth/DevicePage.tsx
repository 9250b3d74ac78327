import type { DeviceRequest } from "@bifrost/contracts";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { apiFetch, isNotFound } from "../../api/client.js";
import { formErrors } from "../../api/field-errors.js";
import { Button, Field, Input, Spinner } from "../../components/ui/index.js";
import { useAuth } from "../../shell/auth.js";
import { AuthFrame } from "./AuthFrame.js";

type Decision = "approve" | "deny";

/**
 * Device login (the CLI): the signed-in user checks the code a program shows, sees which program
 * asks and from where, and approves or denies it. Reached from the program's link
 * (`/device?code=…`) or by typing the code.
 */
export function DevicePage() {
  const [params, setParams] = useSearchParams();
  const code = params.get("code")?.trim() ?? "";
  const [typed, setTyped] = useState(code);
  const { user } = useAuth();
  const request = useQuery({
    queryKey: ["device-login", code],
    queryFn: () =>
      apiFetch<DeviceRequest>("/auth/device/lookup", { method: "POST", body: { userCode: code } }),
    enabled: code !== "",
    retry: false,
    staleTime: Infinity,
  });
  const decide = useMutation({
    mutationFn: (decision: Decision) =>
      apiFetch<undefined>(`/auth/device/${decision}`, { method: "POST", body: { userCode: code } }),
  });
  const lookUp = (event: FormEvent) => {
    event.preventDefault();
    decide.reset();
    setParams({ code: typed.trim() });
  };

  if (decide.isSuccess) {
    return (
      <AuthFrame title={decide.variables === "approve" ? "Device signed in" : "Sign-in denied"}>
        <p role="status">
          {decide.variables === "approve"
            ? "The program is signed in as you. You can close this page and go back to it."
            : "The program gets nothing. If you did not start this sign-in, someone may have your code: tell your administrator."}
        </p>
        <Link to="/">Go to Bifrost</Link>
      </AuthFrame>
    );
  }

  const codeForm = (
    <form onSubmit={lookUp} className="auth-form">
      <Field label="Code shown by the program">
        {(ids) => (
          <Input
            {...ids}
            name="userCode"
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            placeholder="BCDF-GHJK"
            required
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
        )}
      </Field>
      <Button type="submit" variant="primary">
        Continue
      </Button>
    </form>
  );

  if (code === "")
    return (
      <AuthFrame
        title="Sign in a device"
        intro={
          <p>A program such as the Bifrost CLI shows a code. Enter it to sign that program in as you.</p>
        }
      >
        {codeForm}
      </AuthFrame>
    );
  if (request.isPending) return <AuthFrame title="Sign in a device">{<Spinner />}</AuthFrame>;
  if (request.isError)
    return (
      <AuthFrame title="Sign in a device">
        <p className="form-error" role="alert">
          {isNotFound(request.error)
            ? "No sign-in waits for this code. It may have expired: start again in the program, then enter its new code."
            : formErrors(request.error).form}
        </p>
        {codeForm}
      </AuthFrame>
    );
  const found = request.data;
  return (
    <AuthFrame
      title="Approve this sign-in?"
      intro={
        <p>
          A program asks to sign in as <strong>{user?.email}</strong>. Approve only if you started this
          sign-in yourself, just now, and the code matches the one it shows.
        </p>
      }
    >
      <dl className="device-request">
        <dt>Code</dt>
        <dd className="device-code">{found.userCode}</dd>
        <dt>Program</dt>
        <dd>{found.clientName ?? "Unnamed program"}</dd>
        <dt>From address</dt>
        <dd>{found.ip ?? "unknown"}</dd>
        <dt>Asked at</dt>
        <dd>{new Date(found.createdAt).toLocaleString()}</dd>
      </dl>
      {decide.isError && (
        <p className="form-error" role="alert">
          {isNotFound(decide.error)
            ? "This code expired or was already answered: start again in the program."
            : formErrors(decide.error).form}
        </p>
      )}
      <div className="auth-form__actions">
        <Button variant="primary" busy={decide.isPending} onClick={() => decide.mutate("approve")}>
          Approve
        </Button>
        <Button busy={decide.isPending} onClick={() => decide.mutate("deny")}>
          Deny
        </Button>
      </div>
    </AuthFrame>
  );
}
