import type { Form } from "@bifrost/contracts";
import { useState } from "react";
import { Link } from "react-router";
import { Badge, Button, ConfirmDialog, QueryView, Table } from "../../components/ui/index.js";
import { useAuth } from "../../shell/auth.js";
import { useOrgScope } from "../../shell/org-scope.js";
import { useDeleteForm, useForms } from "./api.js";
import "./forms.css";

export function FormListPage() {
  const { isPlatformAdmin } = useAuth();
  const { scope } = useOrgScope();
  const forms = useForms();
  const remove = useDeleteForm();
  const [doomed, setDoomed] = useState<Form | null>(null);
  const [notice, setNotice] = useState("");

  // A platform admin who picked an organization sees its forms and the global ones.
  const inScope = (items: Form[]) =>
    isPlatformAdmin && scope
      ? items.filter((f) => f.organizationId === null || f.organizationId === scope)
      : items;

  return (
    <section className="form-page">
      <div className="form-page__header">
        <h1>Forms</h1>
        {isPlatformAdmin && (
          <Link className="ui-button ui-button--primary" to="/forms/new">
            New form
          </Link>
        )}
      </div>
      {notice && <p role="status">{notice}</p>}
      <QueryView
        query={forms}
        what="the forms"
        isEmpty={(data) => inScope(data).length === 0}
        empty={isPlatformAdmin ? "No forms yet." : "No forms are available to you."}
        emptyHint={
          isPlatformAdmin ? <p>Create one with “New form”.</p> : <p>Ask an administrator for access.</p>
        }
      >
        {(data) => (
          <Table
            caption="Forms"
            rows={inScope(data)}
            rowKey={(f) => f.id}
            columns={[
              {
                header: "Name",
                cell: (f) => (
                  <>
                    {f.name} {!f.isActive && <Badge>inactive</Badge>}
                  </>
                ),
              },
              { header: "Description", cell: (f) => f.description ?? "" },
              {
                header: "Actions",
                cell: (f) => (
                  <div className="form-actions">
                    <Link
                      className="ui-button ui-button--secondary"
                      to={`/forms/${f.id}`}
                      aria-label={`Run ${f.name}`}
                    >
                      Run
                    </Link>
                    {isPlatformAdmin && (
                      <>
                        <Link
                          className="ui-button ui-button--ghost"
                          to={`/forms/${f.id}/edit`}
                          aria-label={`Edit ${f.name}`}
                        >
                          Edit
                        </Link>
                        <Button variant="danger" onClick={() => setDoomed(f)} aria-label={`Delete ${f.name}`}>
                          Delete
                        </Button>
                      </>
                    )}
                  </div>
                ),
              },
            ]}
          />
        )}
      </QueryView>
      <ConfirmDialog
        open={doomed !== null}
        title={`Delete ${doomed?.name ?? "the form"}?`}
        description="People can no longer run it. Its past executions stay."
        cancelLabel="Keep it"
        busy={remove.isPending}
        error={remove.error}
        onCancel={() => {
          setDoomed(null);
          remove.reset();
        }}
        onConfirm={() => {
          if (!doomed) return;
          const name = doomed.name;
          remove.mutate(doomed.id, {
            onSuccess: () => {
              setNotice(`Deleted ${name}.`);
              setDoomed(null);
            },
          });
        }}
      />
    </section>
  );
}
