import type { Schedule } from "@bifrost/contracts";
import "./admin.css";
import "./ops.css";
import { useState } from "react";
import { Link } from "react-router";
import { useAllWorkflows, useInvalidatingMutation, useOrganizationName } from "../../api/queries.js";
import { ActionError, Badge, Card } from "../../components/ui/index.js";
import { useOrgScope } from "../../shell/org-scope.js";
import {
  AdminTable,
  DeleteButton,
  DeleteDialog,
  EditButton,
  RowButton,
  useAdminCollection,
} from "./collection.js";
import { formatInZone } from "./ops/CronEditor.js";
import { ScheduleForm } from "./ops/ScheduleForm.js";
import { deleteSchedule, OPS_KEY, runScheduleNow, updateSchedule, useSchedules } from "./ops-queries.js";

const when = (iso: string | null, timezone: string) =>
  iso ? <time dateTime={iso}>{formatInZone(iso, timezone)}</time> : "—";

export function SchedulesPage() {
  const { scope } = useOrgScope();
  const schedules = useSchedules();
  const workflows = useAllWorkflows();
  const orgName = useOrganizationName();
  const collection = useAdminCollection(OPS_KEY, (s: Schedule) => deleteSchedule(s.id));
  const editing = collection.editing;
  const [formKey, setFormKey] = useState(0);
  const [notice, setNotice] = useState("");
  const [started, setStarted] = useState<{ scheduleId: string; executionId: string } | null>(null);

  const toggle = useInvalidatingMutation(OPS_KEY, (s: Schedule) =>
    updateSchedule({ id: s.id, patch: { enabled: !s.enabled } }),
  );
  const runNow = useInvalidatingMutation(OPS_KEY, async (s: Schedule) => {
    const answer = await runScheduleNow(s);
    setStarted({ scheduleId: s.id, executionId: answer.executionId });
    return answer;
  });

  const workflowList = (workflows.data ?? []).filter((w) => w.type !== "data_provider");
  const workflowName = (id: string) => workflows.data?.find((w) => w.id === id)?.name ?? id;

  const done = (message: string) => {
    collection.stopEditing();
    setFormKey((k) => k + 1);
    setNotice(message);
  };

  return (
    <section className="admin-page ops-page">
      <h1>Schedules</h1>
      <Card title={editing ? `Edit schedule of ${workflowName(editing.workflowId)}` : "New schedule"}>
        <ScheduleForm
          key={editing ? editing.id : `new-${formKey}`}
          editing={editing}
          workflows={workflowList}
          defaultOrganizationId={scope}
          onDone={done}
        />
        {notice && (
          <p className="ops-notice" role="status">
            {notice}
          </p>
        )}
      </Card>
      <ActionError error={toggle.error ?? runNow.error} />
      {started && (
        <p className="ops-notice" role="status">
          Started a run of{" "}
          {workflowName(schedules.data?.find((s) => s.id === started.scheduleId)?.workflowId ?? "")}:{" "}
          <Link to={`/executions/${started.executionId}`}>open the execution</Link>
        </p>
      )}
      <Card title="Schedules">
        <AdminTable
          query={schedules}
          what="the schedules"
          caption="Schedules"
          only={(s) => !scope || s.organizationId === scope}
          emptyHint={scope ? "None in this organization. Create one above." : "Create one above."}
          columns={[
            { header: "Workflow", cell: (s) => workflowName(s.workflowId) },
            { header: "Cron", cell: (s) => <code className="ops-mono">{s.cron}</code> },
            { header: "Timezone", cell: (s) => s.timezone },
            { header: "Organization", cell: (s) => orgName(s.organizationId) },
            {
              header: "Status",
              cell: (s) => (s.enabled ? <Badge tone="success">enabled</Badge> : <Badge>disabled</Badge>),
            },
            { header: "Next run", cell: (s) => (s.enabled ? when(s.nextRunAt, s.timezone) : "—") },
            { header: "Last run", cell: (s) => when(s.lastRunAt, s.timezone) },
            {
              header: "Actions",
              cell: (s) => {
                const name = `${workflowName(s.workflowId)} (${s.cron})`;
                return (
                  <div className="ops-actions">
                    <EditButton collection={collection} row={s} name={`schedule ${name}`} variant="ghost" />
                    <RowButton
                      write={toggle}
                      row={s}
                      aria-label={`${s.enabled ? "Disable" : "Enable"} schedule ${name}`}
                    >
                      {s.enabled ? "Disable" : "Enable"}
                    </RowButton>
                    <RowButton write={runNow} row={s} aria-label={`Run now: ${name}`}>
                      Run now
                    </RowButton>
                    <DeleteButton collection={collection} row={s} name={`schedule ${name}`} />
                  </div>
                );
              },
            },
          ]}
        />
      </Card>
      <DeleteDialog
        collection={collection}
        title="Delete schedule"
        description={(s) =>
          `The schedule ${s.cron} of ${workflowName(s.workflowId)} stops firing and is removed.`
        }
        onDeleted={(s) => {
          if (editing?.id === s.id) done("");
        }}
      />
    </section>
  );
}
