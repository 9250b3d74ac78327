import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { apiFetch } from "../../api/client.js";
import { formErrors } from "../../api/field-errors.js";
import { ActionError, Button, Card, Field, Input } from "../../components/ui/index.js";
import { ACCOUNT_KEY } from "./account-queries.js";

type Passwords = { currentPassword: string; newPassword: string; repeat: string };
const EMPTY: Passwords = { currentPassword: "", newPassword: "", repeat: "" };
const FIELDS = ["currentPassword", "newPassword"];

/**
 * Changing the password: the server checks the current one and its policy (length, common
 * passwords, the user's own name or address) and answers the problems by field.
 */
export function PasswordCard() {
  const queryClient = useQueryClient();
  const [form, setForm] = useState<Passwords>(EMPTY);
  const change = useMutation({
    mutationFn: ({ currentPassword, newPassword }: Passwords) =>
      apiFetch<void>("/api/profile/password", { method: "POST", body: { currentPassword, newPassword } }),
    onSuccess: () => {
      setForm(EMPTY);
      // The other logins and the remembered browsers are gone.
      return queryClient.invalidateQueries({ queryKey: ACCOUNT_KEY });
    },
  });
  const mismatch = form.repeat !== "" && form.repeat !== form.newPassword;
  const fieldErrors = formErrors(change.error, FIELDS).fields;
  const set = (key: keyof Passwords) => (value: string) => {
    setForm((previous) => ({ ...previous, [key]: value }));
    change.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!mismatch) change.mutate(form);
  };
  return (
    <Card title="Password">
      <form onSubmit={submit} className="account-form" aria-label="Change password">
        <PasswordField
          label="Current password"
          autoComplete="current-password"
          value={form.currentPassword}
          onChange={set("currentPassword")}
          error={fieldErrors.currentPassword}
        />
        <PasswordField
          label="New password"
          hint="At least 12 characters; a passphrase is best. Your other sessions will be signed out."
          autoComplete="new-password"
          value={form.newPassword}
          onChange={set("newPassword")}
          error={fieldErrors.newPassword}
        />
        <PasswordField
          label="Repeat the new password"
          autoComplete="new-password"
          value={form.repeat}
          onChange={set("repeat")}
          error={mismatch ? "The two passwords differ." : undefined}
        />
        <div className="account-actions">
          <Button type="submit" variant="primary" busy={change.isPending}>
            Change password
          </Button>
          <span role="status">
            {change.isSuccess ? "Password changed. Your other sessions were signed out." : ""}
          </span>
        </div>
        <ActionError error={change.error} shown={FIELDS} />
      </form>
    </Card>
  );
}

function PasswordField({
  label,
  hint,
  autoComplete,
  value,
  onChange,
  error,
}: {
  label: string;
  hint?: string;
  autoComplete: string;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
}) {
  return (
    <Field label={label} error={error} {...(hint ? { hint } : {})}>
      {(ids) => (
        <Input
          {...ids}
          type="password"
          autoComplete={autoComplete}
          required
          maxLength={1024}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
