import { Link } from "react-router";
import { Card } from "../../components/ui/index.js";
import { useFormsOfWorkflow } from "./queries.js";

/**
 * The forms that run a workflow, among those the caller may use. Only when there are some: the
 * workflow's own Run button is there anyway, and a failed look-up hides a convenience, nothing more.
 */
export function WorkflowForms({ workflowId }: { workflowId: string }) {
  const forms = useFormsOfWorkflow(workflowId);
  if (!forms.data || forms.data.length === 0) return null;
  return (
    <Card title="Forms">
      <ul className="wf-forms">
        {forms.data.map((form) => (
          <li key={form.id}>
            <Link to={`/forms/${form.id}`}>{form.name}</Link>
            {form.description && <span className="wf-hint"> — {form.description}</span>}
          </li>
        ))}
      </ul>
    </Card>
  );
}
