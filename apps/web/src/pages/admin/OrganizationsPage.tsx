import type { Organization } from "@bifrost/contracts";
import "./admin.css";
import { useState } from "react";
import { apiFetch } from "../../api/client.js";
import { formErrors } from "../../api/field-errors.js";
import { useAllOrganizations, useInvalidatingMutation } from "../../api/queries.js";
import { ActionError, Badge, Button, Dialog, Field, Input } from "../../components/ui/index.js";
import { AdminTable, CreateCard, RowButton } from "./collection.js";
import { OrganizationSso } from "./OrganizationSso.js";
import { ORGANIZATIONS_KEY } from "./queries.js";

const LIMIT_FIELDS = ["maxConcurrentRuns"];
const CREATE_FIELDS = ["name", "domain"];

/**
 * An organization's concurrency limit (`maxConcurrentRuns`): how many of its runs may run at once.
 * Empty: the platform default (`BIFROST_ORG_MAX_CONCURRENT_RUNS`, none unless set).
 */
function ConcurrencyLimit({ organization }: { organization: Organization }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState("");
  const save = useInvalidatingMutation(ORGANIZATIONS_KEY, (maxConcurrentRuns: number | null) =>
    apiFetch<Organization>(`/api/organizations/${encodeURIComponent(organization.id)}`, {
      method: "PATCH",
      body: { maxConcurrentRuns },
    }),
  );
  const show = () => {
    setValue(organization.maxConcurrentRuns === null ? "" : String(organization.maxConcurrentRuns));
    save.reset();
    setOpen(true);
  };
  const submit = () =>
    save.mutate(value.trim() === "" ? null : Number(value), { onSuccess: () => setOpen(false) });
  const errors = formErrors(save.error, LIMIT_FIELDS);
  return (
    <>
      <span data-testid="concurrency-limit">{organization.maxConcurrentRuns ?? "default"}</span>{" "}
      <Button variant="ghost" onClick={show} aria-label={`Change the run limit of ${organization.name}`}>
        Change
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Runs at once for ${organization.name}`}
        description="More runs of this organization wait in its line until one of its runs ends. Empty: the platform default."
      >
        <form
          className="admin-dialog-form"
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <Field label="Most runs at once" error={errors.fields.maxConcurrentRuns}>
            {(ids) => (
              <Input
                {...ids}
                type="number"
                min={1}
                max={10000}
                step={1}
                placeholder="platform default"
                value={value}
                onChange={(e) => setValue(e.target.value)}
              />
            )}
          </Field>
          <ActionError error={save.error} shown={LIMIT_FIELDS} />
          <div className="ui-dialog__footer">
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button type="submit" variant="primary" busy={save.isPending}>
              Save limit
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

export function OrganizationsPage() {
  const organizations = useAllOrganizations();
  const [name, setName] = useState("");
  const [domain, setDomain] = useState("");
  const create = useInvalidatingMutation(ORGANIZATIONS_KEY, (body: { name: string; domain: string | null }) =>
    apiFetch<Organization>("/api/organizations", { method: "POST", body }),
  );
  const deactivate = useInvalidatingMutation(ORGANIZATIONS_KEY, (o: Organization) =>
    apiFetch<Organization>(`/api/organizations/${encodeURIComponent(o.id)}`, {
      method: "PATCH",
      body: { isActive: false },
    }),
  );
  const submit = () =>
    create.mutate(
      { name: name.trim(), domain: domain.trim() || null },
      {
        onSuccess: () => {
          setName("");
          setDomain("");
        },
      },
    );
  const errors = formErrors(create.error, CREATE_FIELDS);

  return (
    <section className="admin-page">
      <h1>Organizations</h1>
      <CreateCard
        title="New organization"
        submitLabel="Create organization"
        create={create}
        shown={CREATE_FIELDS}
        onSubmit={submit}
      >
        <Field label="Name" error={errors.fields.name}>
          {(ids) => <Input {...ids} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field label="Domain" hint="Optional, e.g. example.com" error={errors.fields.domain}>
          {(ids) => <Input {...ids} value={domain} onChange={(e) => setDomain(e.target.value)} />}
        </Field>
      </CreateCard>
      <ActionError error={deactivate.error} />
      <AdminTable
        query={organizations}
        what="the organizations"
        caption="Organizations"
        columns={[
          { header: "Name", cell: (o) => o.name },
          { header: "Domain", cell: (o) => o.domain ?? "—" },
          { header: "Runs at once", cell: (o) => <ConcurrencyLimit organization={o} /> },
          { header: "Sign-in", cell: (o) => <OrganizationSso organization={o} /> },
          {
            header: "Status",
            cell: (o) => (
              <>
                {o.isProvider && <Badge tone="info">provider</Badge>}{" "}
                {o.isActive ? <Badge tone="success">active</Badge> : <Badge tone="neutral">inactive</Badge>}
              </>
            ),
          },
          {
            header: "Actions",
            cell: (o) =>
              o.isActive && !o.isProvider ? (
                <RowButton write={deactivate} row={o} variant="danger" aria-label={`Deactivate ${o.name}`}>
                  Deactivate
                </RowButton>
              ) : null,
          },
        ]}
      />
    </section>
  );
}
