import type { Organization } from "@bifrost/contracts";
import { useState } from "react";
import { apiFetch } from "../../api/client.js";
import { useInvalidatingMutation } from "../../api/queries.js";
import { ActionError, Badge, Button, Dialog, Field, Input, Textarea } from "../../components/ui/index.js";
import { ORGANIZATIONS_KEY } from "./queries.js";

type SsoChanges = { domain: string | null; ssoTenantIds: string[]; ssoOnly: boolean };

/**
 * How an organization's people sign in: its e-mail domain (SSO accounts of a verified address there,
 * or a Google Workspace of that domain, land here), its Microsoft Entra tenant ids, and SSO only.
 */
export function OrganizationSso({ organization }: { organization: Organization }) {
  const [open, setOpen] = useState(false);
  const [domain, setDomain] = useState("");
  const [tenants, setTenants] = useState("");
  const [ssoOnly, setSsoOnly] = useState(false);
  const save = useInvalidatingMutation(ORGANIZATIONS_KEY, (body: SsoChanges) =>
    apiFetch<Organization>(`/api/organizations/${encodeURIComponent(organization.id)}`, {
      method: "PATCH",
      body,
    }),
  );
  const show = () => {
    setDomain(organization.domain ?? "");
    setTenants(organization.ssoTenantIds.join("\n"));
    setSsoOnly(organization.ssoOnly);
    save.reset();
    setOpen(true);
  };
  const submit = () =>
    save.mutate(
      {
        domain: domain.trim() || null,
        ssoTenantIds: tenants
          .split(/[\s,]+/)
          .map((t) => t.trim())
          .filter(Boolean),
        ssoOnly,
      },
      { onSuccess: () => setOpen(false) },
    );
  const bound = organization.ssoTenantIds.length;
  return (
    <>
      {organization.ssoOnly && <Badge tone="info">SSO only</Badge>}{" "}
      {bound > 0 && <span>{bound === 1 ? "1 tenant" : `${bound} tenants`}</span>}{" "}
      <Button variant="ghost" onClick={show} aria-label={`Sign-in settings of ${organization.name}`}>
        Sign-in settings
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Sign-in for ${organization.name}`}
        description="Single sign-on places people in this organization by their verified e-mail domain (Google: its Workspace domain) or their Microsoft Entra tenant."
      >
        <form
          className="admin-dialog-form"
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <Field label="E-mail domain" hint="e.g. contoso.com">
            {(ids) => <Input {...ids} value={domain} onChange={(e) => setDomain(e.target.value)} />}
          </Field>
          <Field label="Microsoft Entra tenant ids" hint="One per line (the directory's GUID)">
            {(ids) => (
              <Textarea {...ids} rows={3} value={tenants} onChange={(e) => setTenants(e.target.value)} />
            )}
          </Field>
          <label className="admin-check">
            <input type="checkbox" checked={ssoOnly} onChange={(e) => setSsoOnly(e.target.checked)} />
            Single sign-on only (password sign-in refused for its users; platform admins keep theirs)
          </label>
          <ActionError error={save.error} />
          <div className="ui-dialog__footer">
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button type="submit" variant="primary" busy={save.isPending}>
              Save sign-in settings
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
