import type { Me } from "@bifrost/contracts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { apiFetch } from "../../api/client.js";
import { formErrors } from "../../api/field-errors.js";
import { ActionError, Button, Card, Field, Input } from "../../components/ui/index.js";
import { ME_KEY } from "../../shell/auth.js";

/** The caller's name (the header shows it) and e-mail address (changed by an admin only). */
export function ProfileCard({ user }: { user: Me }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(user.name);
  const save = useMutation({
    mutationFn: () => apiFetch<Me>("/api/profile", { method: "PATCH", body: { name: name.trim() } }),
    // The answer is the signed-in user as /auth/me gives it: the header shows the new name at once.
    onSuccess: (me) => queryClient.setQueryData(ME_KEY, me),
  });
  const errors = formErrors(save.error, ["name"]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <Card title="Profile">
      <form onSubmit={submit} className="account-form" aria-label="Profile">
        <p className="account-muted">
          Signed in as <strong>{user.email}</strong>
        </p>
        <Field label="Name" error={errors.fields.name}>
          {(ids) => (
            <Input
              {...ids}
              autoComplete="name"
              required
              maxLength={200}
              value={name}
              onChange={(e) => {
                setName(e.target.value);
                save.reset();
              }}
            />
          )}
        </Field>
        <div className="account-actions">
          <Button type="submit" variant="primary" busy={save.isPending}>
            Save name
          </Button>
          <span role="status">{save.isSuccess ? "Saved." : ""}</span>
        </div>
        <ActionError error={save.error} shown={["name"]} />
      </form>
    </Card>
  );
}
