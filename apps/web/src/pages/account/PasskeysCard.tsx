import type { Passkey } from "@bifrost/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { apiFetch } from "../../api/client.js";
import { createPasskey, passkeysSupported, verifyPasskey } from "../../api/passkeys.js";
import {
  ActionError,
  Badge,
  Button,
  Card,
  ConfirmDialog,
  Dialog,
  Field,
  Input,
  QueryView,
  Table,
} from "../../components/ui/index.js";
import { ACCOUNT_KEY } from "./account-queries.js";
import { deviceName, When } from "./session-display.js";

const KEY = [...ACCOUNT_KEY, "passkeys"];

/**
 * The caller's passkeys: add one with this browser's authenticator (a fingerprint, a face, a PIN or a
 * security key), rename or remove them. A passkey signs in without a password or a code.
 */
export function PasskeysCard() {
  const queryClient = useQueryClient();
  const passkeys = useQuery({
    queryKey: KEY,
    queryFn: ({ signal }) => apiFetch<{ items: Passkey[] }>("/auth/passkeys", { signal }),
  });
  const [adding, setAdding] = useState(false);
  const [renaming, setRenaming] = useState<Passkey | null>(null);
  const [removing, setRemoving] = useState<Passkey | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: KEY });
  const remove = useMutation({
    mutationFn: (passkey: Passkey) =>
      apiFetch<void>(`/auth/passkeys/${encodeURIComponent(passkey.id)}`, { method: "DELETE" }),
    onSuccess: async () => {
      setRemoving(null);
      await refresh();
    },
  });
  const supported = passkeysSupported();
  return (
    <Card
      title="Passkeys"
      actions={
        <Button variant="primary" disabled={!supported} onClick={() => setAdding(true)}>
          Add a passkey
        </Button>
      }
    >
      <p className="account-muted">
        {supported
          ? "Sign in with your fingerprint, face, device PIN or a security key instead of a password and a code."
          : "Passkeys cannot be used at this address: they need a host name (not an IP address) over https, or http://localhost."}
      </p>
      <QueryView
        query={passkeys}
        what="the passkeys"
        isEmpty={(data) => data.items.length === 0}
        empty="No passkeys yet."
      >
        {(data) => (
          <Table
            caption="Passkeys"
            rows={data.items}
            rowKey={(p) => p.id}
            rowAttributes={(p) => ({ "data-passkey-id": p.id })}
            columns={[
              {
                header: "Name",
                cell: (p) => (
                  <>
                    {p.name}
                    {p.deviceType === "multiDevice" && (
                      <>
                        {" "}
                        <Badge tone="info">Synced</Badge>
                      </>
                    )}
                  </>
                ),
              },
              { header: "Added", cell: (p) => <When iso={p.createdAt} /> },
              { header: "Last used", cell: (p) => (p.lastUsedAt ? <When iso={p.lastUsedAt} /> : "Never") },
              {
                header: "Actions",
                cell: (p) => (
                  <div className="account-actions">
                    <Button onClick={() => setRenaming(p)} aria-label={`Rename ${p.name}`}>
                      Rename
                    </Button>
                    <Button
                      variant="danger"
                      onClick={() => {
                        remove.reset();
                        setRemoving(p);
                      }}
                      aria-label={`Remove ${p.name}`}
                    >
                      Remove
                    </Button>
                  </div>
                ),
              },
            ]}
          />
        )}
      </QueryView>
      <Dialog
        open={adding}
        onOpenChange={setAdding}
        title="Add a passkey"
        description="Give it a name you will recognise, then follow your browser's prompt."
      >
        {adding && (
          <NameForm
            initial={deviceName(navigator.userAgent)}
            submitLabel="Create passkey"
            run={add}
            onDone={async () => {
              setAdding(false);
              await refresh();
            }}
            onCancel={() => setAdding(false)}
          />
        )}
      </Dialog>
      <Dialog
        open={renaming !== null}
        onOpenChange={(open) => !open && setRenaming(null)}
        title="Rename passkey"
      >
        {renaming && (
          <NameForm
            key={renaming.id}
            initial={renaming.name}
            submitLabel="Save"
            run={(name) => rename(renaming, name)}
            onDone={async () => {
              setRenaming(null);
              await refresh();
            }}
            onCancel={() => setRenaming(null)}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={removing !== null}
        title={`Remove “${removing?.name ?? ""}”?`}
        description="It will no longer sign you in. Remove it from your device or password manager too."
        confirmLabel="Remove"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => removing && remove.mutate(removing)}
        onCancel={() => setRemoving(null)}
      />
    </Card>
  );
}

async function add(name: string): Promise<void> {
  const credential = await createPasskey("/auth/passkeys/register/options");
  await verifyPasskey<Passkey>("/auth/passkeys/register/verify", { ...credential, name });
}

async function rename(passkey: Passkey, name: string): Promise<void> {
  await apiFetch<Passkey>(`/auth/passkeys/${encodeURIComponent(passkey.id)}`, {
    method: "PATCH",
    body: { name },
  });
}

/** A passkey's name, then the action (creating one, renaming one); errors stay in the dialog. */
function NameForm({
  initial,
  submitLabel,
  run,
  onDone,
  onCancel,
}: {
  initial: string;
  submitLabel: string;
  run: (name: string) => Promise<void>;
  onDone: () => Promise<void>;
  onCancel: () => void;
}) {
  const [name, setName] = useState(initial);
  const action = useMutation({ mutationFn: () => run(name.trim()), onSuccess: onDone });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    action.mutate();
  };
  return (
    <form onSubmit={submit} className="account-form">
      <Field label="Passkey name">
        {(ids) => (
          <Input
            {...ids}
            name="passkey-name"
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        )}
      </Field>
      <ActionError error={action.error} />
      <div className="ui-dialog__footer">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={action.isPending}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
